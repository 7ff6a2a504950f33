package com.genericapp.system;

import java.util.Map;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Turns on OTLP span export when {@code OTEL_EXPORTER_OTLP_ENDPOINT} (the OpenTelemetry
 * standard variable, a base URL such as {@code http://collector:4318}) is set and not
 * blank. Spring Boot exports as soon as its endpoint property exists, even empty, so
 * compose's {@code OTEL_EXPORTER_OTLP_ENDPOINT=} cannot simply be mapped onto it in
 * application.yaml: unset or blank, nothing is exported and nothing connects anywhere.
 */
class OtlpEndpointEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

    static final String ENDPOINT = "management.opentelemetry.tracing.export.otlp.endpoint";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        String base = environment.getProperty("OTEL_EXPORTER_OTLP_ENDPOINT");
        if (base == null || base.isBlank() || environment.containsProperty(ENDPOINT)) {
            return;
        }
        // the OTLP/HTTP signal path, as the OpenTelemetry SDKs derive it from the base
        // URL
        String traces = base.strip().replaceAll("/+$", "") + "/v1/traces";
        environment.getPropertySources()
            .addFirst(new MapPropertySource("OTEL_EXPORTER_OTLP_ENDPOINT", Map.of(ENDPOINT, traces)));
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }

}
