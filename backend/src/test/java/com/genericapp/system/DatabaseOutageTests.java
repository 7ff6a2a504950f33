package com.genericapp.system;

import java.time.Duration;
import java.util.Map;

import com.genericapp.testsupport.TestClients;
import com.genericapp.testsupport.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The database goes away and comes back while the API runs: readiness follows it,
 * liveness does not, API calls fail fast with a 503 problem, and everything (SSE listener
 * included) recovers with no restart. Uses a PostgreSQL of its own, since it stops it.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class DatabaseOutageTests {

    private static final TestPostgres postgres = TestPostgres.startNew();

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        postgres.registerProperties(registry);
    }

    @AfterAll
    static void stopDatabase() {
        try {
            postgres.stop();
        }
        catch (RuntimeException ex) {
            // already stopped by a failed test
        }
    }

    @Test
    void readinessAndApiFollowTheDatabaseDownAndBackUp() {
        WebClient client = TestClients.api(port);
        Flux<ServerSentEvent<String>> events = client.get()
            .uri("/api/items/events")
            .accept(MediaType.TEXT_EVENT_STREAM)
            .retrieve()
            .bodyToFlux(new ParameterizedTypeReference<ServerSentEvent<String>>() {
            })
            .take(Duration.ofSeconds(90))
            .cache();
        assertThat(events.blockFirst(Duration.ofSeconds(10)).comment()).isEqualTo("connected");
        assertThat(status(client, "/actuator/health/readiness")).isEqualTo(HttpStatus.OK);

        postgres.stop();

        eventually(client, "/actuator/health/readiness", HttpStatus.SERVICE_UNAVAILABLE);
        assertThat(status(client, "/actuator/health/liveness")).isEqualTo(HttpStatus.OK);
        long start = System.nanoTime();
        ResponseEntity<String> unavailable = client.get()
            .uri("/api/items")
            .exchangeToMono((r) -> r.toEntity(String.class))
            .block(Duration.ofSeconds(15));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(unavailable.getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
        assertThat(unavailable.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
        assertThat(unavailable.getHeaders().getFirst("Retry-After")).isEqualTo("5");
        assertThat(unavailable.getBody()).contains("database is unavailable").doesNotContainIgnoringCase("exception");
        assertThat(took).as("answered promptly").isLessThan(Duration.ofSeconds(8));

        postgres.start();

        eventually(client, "/actuator/health/readiness", HttpStatus.OK);
        assertThat(status(client, "/api/items")).isEqualTo(HttpStatus.OK);
        // the change listener reconnected by itself: a change after the restart reaches
        // the old subscriber
        String name = "After restart " + System.nanoTime();
        ServerSentEvent<String> seen = Flux.range(0, 20)
            .delayElements(Duration.ofSeconds(1))
            .concatMap((tick) -> client.post()
                .uri("/api/items")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", name + " #" + tick))
                .retrieve()
                .toBodilessEntity())
            .thenMany(Flux.<ServerSentEvent<String>>empty())
            .mergeWith(events.filter((event) -> event.data() != null && event.data().contains(name)))
            .blockFirst(Duration.ofSeconds(40));
        assertThat(seen).isNotNull();
        assertThat(seen.event()).isEqualTo("created");
        // and it was told that changes may have been made while nobody listened
        assertThat(events.filter((event) -> "resync".equals(event.event())).blockFirst(Duration.ofSeconds(5)))
            .isNotNull();
    }

    private static HttpStatus status(WebClient client, String uri) {
        return HttpStatus.valueOf(client.get()
            .uri(uri)
            .exchangeToMono((r) -> r.releaseBody().thenReturn(r.statusCode().value()))
            .block(Duration.ofSeconds(15)));
    }

    /**
     * Waits up to 30 s for {@code uri} to answer {@code expected}, polling every 250 ms.
     */
    private static void eventually(WebClient client, String uri, HttpStatus expected) {
        await(uri + " answers " + expected.value()).atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(250))
            .until(() -> status(client, uri) == expected);
    }

}
