package com.genericapp.items;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import com.genericapp.testsupport.PostgresIntegrationTest;
import com.genericapp.testsupport.TestClients;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.test.context.TestPropertySource;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Live event streams are bounded per instance (each holds an exchange on the heap, and
 * without a bound a flood of subscribers ran the JVM out of memory, after which it
 * accepted nothing): one more is refused at once with a 503 problem and Retry-After, and
 * the bound frees up when a stream ends.
 */
@TestPropertySource(properties = "items.events.max-subscribers=2")
class ItemEventsLimitTests extends PostgresIntegrationTest {

    private static final ParameterizedTypeReference<ServerSentEvent<String>> SSE = new ParameterizedTypeReference<>() {
    };

    @LocalServerPort
    int port;

    @Autowired
    ItemEvents events;

    @Test
    void aStreamBeyondTheLimitIsRefusedAtOnceWithA503AndTheLimitFreesWhenAStreamEnds() {
        WebClient client = TestClients.api(this.port);
        List<Disposable> open = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                open.add(client.get()
                    .uri("/api/items/events")
                    .accept(MediaType.TEXT_EVENT_STREAM)
                    .retrieve()
                    .bodyToFlux(SSE)
                    .subscribe());
            }
            await("two streams open").atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> this.events.subscribers() == 2);

            ResponseEntity<String> refused = stream(client);
            assertThat(refused.getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
            assertThat(refused.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
            assertThat(refused.getHeaders().getFirst("Retry-After")).isEqualTo("10");
            assertThat(refused.getBody()).contains("Event streams busy").contains("at most 2");
            assertThat(this.events.subscribers()).as("a refused stream takes no place").isEqualTo(2);

            open.remove(0).dispose();
            await("a closed stream frees its place").atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> this.events.subscribers() == 1);
            ServerSentEvent<String> first = client.get()
                .uri("/api/items/events")
                .accept(MediaType.TEXT_EVENT_STREAM)
                .retrieve()
                .bodyToFlux(SSE)
                .blockFirst(Duration.ofSeconds(10));
            assertThat(first).isNotNull();
            assertThat(first.comment()).isEqualTo("connected");
        }
        finally {
            open.forEach(Disposable::dispose);
        }
    }

    /**
     * The answer to one more stream, as it starts: its status, headers and a body if any.
     */
    private static ResponseEntity<String> stream(WebClient client) {
        return client.get()
            .uri("/api/items/events")
            .accept(MediaType.TEXT_EVENT_STREAM)
            .exchangeToMono((response) -> response.statusCode().isError() ? response.toEntity(String.class)
                    : response.bodyToFlux(SSE)
                        .next()
                        .map((event) -> ResponseEntity.ok(String.valueOf(event.comment()))))
            .block(Duration.ofSeconds(10));
    }

}
