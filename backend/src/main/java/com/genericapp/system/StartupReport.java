package com.genericapp.system;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.stereotype.Component;

/** Says where the API can be reached, once it listens. */
@Component
@ConditionalOnWebApplication
class StartupReport implements ApplicationListener<WebServerInitializedEvent> {

    private static final Logger logger = LoggerFactory.getLogger(StartupReport.class);

    @Override
    public void onApplicationEvent(WebServerInitializedEvent event) {
        int port = event.getWebServer().getPort();
        logger.info(
                "generic-app API listening on http://localhost:{}/api/items (OpenAPI UI: http://localhost:{}/swagger-ui.html,"
                        + " readiness: http://localhost:{}/actuator/health/readiness)",
                port, port, port);
    }

}
