package com.genericapp.system;

import com.genericapp.testsupport.PostgresIntegrationTest;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/** What an orchestrator and an operator rely on: probes, metrics, build info. */
class OperationsTests extends PostgresIntegrationTest {

    @Autowired
    WebTestClient http;

    @Test
    void livenessAndReadinessAreUpWithTheDatabaseComponent() {
        http.get().uri("/actuator/health/liveness").exchange().expectStatus().isOk()
            .expectBody().jsonPath("$.status").isEqualTo("UP");
        http.get().uri("/actuator/health/readiness").exchange().expectStatus().isOk()
            .expectBody()
            .jsonPath("$.status").isEqualTo("UP")
            .jsonPath("$.components.db.status").isEqualTo("UP");
    }

    @Test
    void prometheusExposesHttpAndPoolMetrics() {
        http.get().uri("/api/items?limit=1").exchange().expectStatus().isOk();
        String metrics = http.get().uri("/actuator/prometheus").exchange().expectStatus().isOk()
            .expectBody(String.class).returnResult().getResponseBody();
        assertThat(metrics).contains("http_server_requests_seconds_count").contains("r2dbc_pool");
    }

    @Test
    void infoShowsTheBuildVersion() {
        http.get().uri("/actuator/info").exchange().expectStatus().isOk()
            .expectBody().jsonPath("$.build.version").value((String v) -> assertThat(v).isNotBlank());
    }

    @Test
    void onlyHealthInfoAndPrometheusAreExposed() {
        http.get().uri("/actuator/env").exchange().expectStatus().isNotFound();
        http.get().uri("/actuator/beans").exchange().expectStatus().isNotFound()
            .expectHeader().contentType(MediaType.APPLICATION_PROBLEM_JSON);
    }

}
