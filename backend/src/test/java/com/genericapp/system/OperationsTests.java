package com.genericapp.system;

import java.io.IOException;
import java.time.Duration;

import com.genericapp.testsupport.PostgresIntegrationTest;
import com.genericapp.testsupport.RawHttp;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micrometer.registry.otlp.OtlpMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.logging.LogLevel;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** What an orchestrator and an operator rely on: probes, metrics, build info. */
class OperationsTests extends PostgresIntegrationTest {

    @Autowired
    WebTestClient http;

    @LocalServerPort
    int port;

    @Autowired
    ApplicationContext context;

    @Test
    void metricsArePulledByPrometheusAndNeverPushedOverOtlp() {
        assertThat(this.context.getBeansOfType(OtlpMeterRegistry.class)).isEmpty();
        assertThat(this.context.getBeansOfType(PrometheusMeterRegistry.class)).hasSize(1);
    }

    @Test
    void livenessAndReadinessAreUpWithTheDatabaseComponent() {
        http.get()
            .uri("/actuator/health/liveness")
            .exchange()
            .expectStatus()
            .isOk()
            .expectBody()
            .jsonPath("$.status")
            .isEqualTo("UP");
        http.get()
            .uri("/actuator/health/readiness")
            .exchange()
            .expectStatus()
            .isOk()
            .expectBody()
            .jsonPath("$.status")
            .isEqualTo("UP")
            .jsonPath("$.components.db.status")
            .isEqualTo("UP");
    }

    @Test
    void prometheusExposesHttpAndPoolMetrics() {
        http.get().uri("/api/items?limit=1").exchange().expectStatus().isOk();
        // the scrape outgrows the API's 64 KB body limit once many routes have histograms
        String metrics = http.mutate()
            .codecs((codecs) -> codecs.defaultCodecs().maxInMemorySize(4 * 1024 * 1024))
            .build()
            .get()
            .uri("/actuator/prometheus")
            .exchange()
            .expectStatus()
            .isOk()
            .expectBody(String.class)
            .returnResult()
            .getResponseBody();
        assertThat(metrics).contains("http_server_requests_seconds_bucket{application=\"generic-app\"")
            .containsPattern("http_server_requests_seconds_bucket\\{[^}]*le=\"0\\.005\"")
            .containsPattern("http_server_requests_seconds_bucket\\{[^}]*le=\"0\\.25\"")
            .containsPattern("http_server_requests_seconds_bucket\\{[^}]*le=\"1\\.0\"")
            .containsPattern("http_server_requests_seconds_count\\{[^}]*uri=\"/api/items\"")
            .doesNotContain("uri=\"/api/items?limit")
            .contains("r2dbc_pool_acquired_connections{", "r2dbc_pool_idle_connections{",
                    "r2dbc_pool_pending_connections{", "r2dbc_pool_max_allocated_connections{")
            .contains("items_inserted_total{", "items_updated_total{", "items_deleted_total{",
                    "items_export_rows_total{", "items_events_subscribers{", "items_changes_received_total{",
                    "items_listener_reconnects_total{")
            .contains("jvm_memory_used_bytes{", "process_cpu_usage{")
            // Spring Security's observations are off, decorator included (a 1.17x point
            // read, docs/PERFORMANCE.md): none of its filter-chain timers
            .doesNotContain("spring_security_");
        assertThat(this.context.getBeansOfType(SecurityObservationSettings.class).values()).singleElement()
            .satisfies((settings) -> assertThat(settings.shouldObserveRequests()).isFalse());
    }

    @Test
    void infoShowsTheBuildVersion() {
        http.get()
            .uri("/actuator/info")
            .exchange()
            .expectStatus()
            .isOk()
            .expectBody()
            .jsonPath("$.build.version")
            .value((String v) -> assertThat(v).isNotBlank());
    }

    @Test
    void onlyHealthInfoAndPrometheusAreExposed() {
        http.get().uri("/actuator/env").exchange().expectStatus().isNotFound();
        http.get()
            .uri("/actuator/beans")
            .exchange()
            .expectStatus()
            .isNotFound()
            .expectHeader()
            .contentType(MediaType.APPLICATION_PROBLEM_JSON);
    }

    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void everyRequestIsLoggedOnceWithItsRequestId(CapturedOutput output) {
        LoggingSystem logging = LoggingSystem.get(getClass().getClassLoader());
        // tests log at WARN (logback-test.xml)
        logging.setLogLevel("com.genericapp.requests", LogLevel.INFO);
        try {
            http.get().uri("/api/items?limit=1").header("X-Request-ID", "log-check-7").exchange().expectStatus().isOk();
            // written when the exchange completes, which may be just after the client has
            // the response
            await().atMost(Duration.ofSeconds(10))
                .untilAsserted(
                        () -> assertThat(output.getOut()).containsPattern("GET /api/items 200 \\d+ms id=log-check-7"));
            assertThat(output.getOut().split("id=log-check-7", -1)).hasSize(2);
        }
        finally {
            logging.setLogLevel("com.genericapp.requests", null);
        }
    }

    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void aStreamTheClientLeavesIsLoggedAsLeftNeverAsASuccess(CapturedOutput output) throws IOException {
        LoggingSystem logging = LoggingSystem.get(getClass().getClassLoader());
        logging.setLogLevel("com.genericapp.requests", LogLevel.INFO);
        try (RawHttp connection = RawHttp.connect(this.port, Duration.ofSeconds(10))) {
            connection.send("GET /api/items/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
                    + "X-Request-ID: leaves-early-3\r\n\r\n");
            assertThat(connection.readHead()).startsWith("HTTP/1.1 200");
            // the client goes away here, with the stream open
        }
        finally {
            try {
                await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(output.getOut())
                        .containsPattern("GET /api/items/events 200 then client went away \\d+ms id=leaves-early-3"));
                assertThat(output.getOut()).doesNotContainPattern("GET /api/items/events 200 \\d+ms id=leaves-early-3");
            }
            finally {
                logging.setLogLevel("com.genericapp.requests", null);
            }
        }
    }

}
