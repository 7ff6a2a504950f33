package com.genericapp.system;

import io.netty.channel.epoll.Epoll;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.netty.resources.LoopResources;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.stereotype.Component;

/**
 * Says where the API can be reached, once it listens, and on which Netty transport: the
 * native one (epoll) loads its library from {@code io.netty.native.workdir}, which must
 * allow exec; on a {@code noexec} /tmp Netty falls back to NIO silently, and the image
 * would then run something other than what bench/run measured (the stack suite checks
 * this line, docs/PERFORMANCE.md "Transport").
 */
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
        logger.info("Netty transport: {}", transport());
    }

    static String transport() {
        if (Epoll.isAvailable()) {
            return LoopResources.hasNativeSupport() ? "epoll" : "nio (epoll available but not used by Reactor Netty)";
        }
        Throwable cause = Epoll.unavailabilityCause();
        return "nio (epoll unavailable: " + ((cause != null) ? cause : "unknown") + ")";
    }

}
