package com.genericapp.items;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.genericapp.testsupport.PostgresIntegrationTest;
import com.genericapp.testsupport.TestClients;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/** Optimistic locking under real concurrency: with If-Match, no update is ever lost. */
class ItemConcurrencyTests extends PostgresIntegrationTest {

    @Autowired
    WebTestClient http;

    @LocalServerPort
    int port;

    @Test
    void concurrentWritersWithTheSameIfMatchHaveExactlyOneWinner() {
        Item item = create("Race");
        WebClient client = TestClients.api(port);
        List<HttpStatusCode> statuses = Flux.range(0, 20)
            .flatMap((n) -> client.put()
                .uri("/api/items/{id}", item.id())
                .header(HttpHeaders.IF_MATCH, "\"0\"")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", "Writer " + n))
                .exchangeToMono((response) -> Mono.just(response.statusCode())), 20)
            .collectList()
            .block(Duration.ofSeconds(30));
        assertThat(statuses).filteredOn((s) -> s.value() == 200).hasSize(1);
        assertThat(statuses).filteredOn((s) -> s.value() == 412).hasSize(19);
    }

    @Test
    void readModifyWriteLoopsWithIfMatchLoseNoUpdate() {
        Item item = create("0");
        WebClient client = TestClients.api(port);
        int writers = 8;
        int incrementsEach = 10;
        Flux.range(0, writers)
            .flatMap((writer) -> Flux.range(0, incrementsEach).concatMap((n) -> increment(client, item.id())), writers)
            .then()
            .block(Duration.ofSeconds(120));
        Item last = ItemFixtures.get(http, item.id());
        assertThat(last.name()).isEqualTo(String.valueOf(writers * incrementsEach));
        assertThat(last.version()).isEqualTo(writers * incrementsEach);
    }

    /**
     * Reads the counter, writes counter + 1 with If-Match, and starts over on 412 (as the
     * UI's reload does).
     */
    private Mono<Void> increment(WebClient client, long id) {
        return Mono
            .defer(() -> client.get().uri("/api/items/{id}", id).retrieve().toEntity(Item.class).flatMap((current) -> {
                Item item = current.getBody();
                return client.put()
                    .uri("/api/items/{id}", id)
                    .header(HttpHeaders.IF_MATCH, current.getHeaders().getETag())
                    .contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(Map.of("name", String.valueOf(Long.parseLong(item.name()) + 1)))
                    .exchangeToMono((response) -> response.statusCode().value() == 412
                            ? Mono.error(new IllegalStateException("stale")) : response.toBodilessEntity());
            }))
            .retryWhen(Retry.max(1000).filter((error) -> error instanceof IllegalStateException))
            .then();
    }

    private Item create(String name) {
        ResponseEntity<Item> created = TestClients.api(port)
            .post()
            .uri("/api/items")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("name", name))
            .retrieve()
            .toEntity(Item.class)
            .block(Duration.ofSeconds(10));
        assertThat(created.getStatusCode()).isEqualTo(HttpStatus.CREATED);
        return created.getBody();
    }

}
