package com.genericapp.system;

import org.junit.jupiter.api.Test;

import org.springframework.boot.SpringApplication;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;

class OtlpEndpointTests {

    private final OtlpEndpointEnvironmentPostProcessor processor = new OtlpEndpointEnvironmentPostProcessor();

    @Test
    void aBaseUrlBecomesBootsTracesEndpoint() {
        MockEnvironment environment = new MockEnvironment().withProperty("OTEL_EXPORTER_OTLP_ENDPOINT",
                "http://collector:4318/");
        this.processor.postProcessEnvironment(environment, new SpringApplication());
        assertThat(environment.getProperty(OtlpEndpointEnvironmentPostProcessor.ENDPOINT))
            .isEqualTo("http://collector:4318/v1/traces");
    }

    @Test
    void unsetOrBlankLeavesExportOff() {
        MockEnvironment unset = new MockEnvironment();
        this.processor.postProcessEnvironment(unset, new SpringApplication());
        assertThat(unset.containsProperty(OtlpEndpointEnvironmentPostProcessor.ENDPOINT)).isFalse();
        MockEnvironment blank = new MockEnvironment().withProperty("OTEL_EXPORTER_OTLP_ENDPOINT", " ");
        this.processor.postProcessEnvironment(blank, new SpringApplication());
        assertThat(blank.containsProperty(OtlpEndpointEnvironmentPostProcessor.ENDPOINT)).isFalse();
    }

    @Test
    void anExplicitBootEndpointWins() {
        MockEnvironment environment = new MockEnvironment()
            .withProperty("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318")
            .withProperty(OtlpEndpointEnvironmentPostProcessor.ENDPOINT, "http://other:4318/v1/traces");
        this.processor.postProcessEnvironment(environment, new SpringApplication());
        assertThat(environment.getProperty(OtlpEndpointEnvironmentPostProcessor.ENDPOINT))
            .isEqualTo("http://other:4318/v1/traces");
    }

}
