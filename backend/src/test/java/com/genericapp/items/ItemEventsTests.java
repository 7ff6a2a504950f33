package com.genericapp.items;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.genericapp.testsupport.PostgresIntegrationTest;
import com.genericapp.testsupport.TestClients;
import com.genericapp.testsupport.TestPostgres;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

class ItemEventsTests extends PostgresIntegrationTest {

    private static final ParameterizedTypeReference<ServerSentEvent<String>> SSE = new ParameterizedTypeReference<>() {
    };

    @LocalServerPort
    int port;

    @Test
    void subscriberSeesCreateUpdateAndDelete() {
        WebClient client = TestClients.api(port);
        String name = "Live " + System.nanoTime();
        Flux<ServerSentEvent<String>> all = connected(client);
        Flux<ServerSentEvent<String>> events = all.filter((event) -> event.event() != null);

        Item created = client.post()
            .uri("/api/items")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("name", name))
            .retrieve()
            .bodyToMono(Item.class)
            .block(Duration.ofSeconds(10));
        client.put()
            .uri("/api/items/{id}", created.id())
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("name", name + " v1"))
            .retrieve()
            .toBodilessEntity()
            .block(Duration.ofSeconds(10));
        client.delete()
            .uri("/api/items/{id}", created.id())
            .retrieve()
            .toBodilessEntity()
            .block(Duration.ofSeconds(10));

        List<ServerSentEvent<String>> mine = events
            .filter((event) -> event.data() != null && event.data().contains("\"id\":" + created.id() + ","))
            .take(2)
            .concatWith(events
                .filter((event) -> "deleted".equals(event.event())
                        && ("{\"id\":" + created.id() + "}").equals(event.data()))
                .take(1))
            .collectList()
            .block(Duration.ofSeconds(15));
        assertThat(mine).extracting(ServerSentEvent::event).containsExactly("created", "updated", "deleted");
        assertThat(mine.get(0).data()).contains("\"name\":\"" + name + "\"");
        assertThat(mine.get(1).data()).contains("\"name\":\"" + name + " v1\"").contains("\"version\":1");
    }

    @Test
    void changesMadeOutsideThisInstanceAreSeenToo() {
        // another API instance, or any SQL client, changes the table: NOTIFY reaches this
        // instance as well
        WebClient client = TestClients.api(port);
        String name = "Elsewhere " + System.nanoTime();
        Flux<ServerSentEvent<String>> events = connected(client);
        TestPostgres.shared().execute("INSERT INTO items (name) VALUES ('" + name + "')");
        ServerSentEvent<String> event = firstEventAbout(events, name);
        assertThat(event).isNotNull();
        assertThat(event.event()).isEqualTo("created");
    }

    @Test
    void itemTooLargeForANotificationIsReadBack() {
        // 2000 four-byte characters: the full item does not fit in PostgreSQL's 8000-byte
        // NOTIFY payload
        WebClient client = TestClients.api(port);
        String name = "Large " + System.nanoTime();
        Flux<ServerSentEvent<String>> events = connected(client);
        TestPostgres.shared()
            .execute("INSERT INTO items (name, description) VALUES ('" + name + "', repeat('😀', 2000))");
        ServerSentEvent<String> event = firstEventAbout(events, name);
        assertThat(event).isNotNull();
        assertThat(event.event()).isEqualTo("created");
        assertThat(event.data()).contains("😀😀😀");
    }

    @Test
    void streamOpensWithACommentAndAsksProxiesNotToBuffer() {
        WebClient client = TestClients.api(port);
        var response = client.get()
            .uri("/api/items/events")
            .accept(MediaType.TEXT_EVENT_STREAM)
            .exchangeToMono(
                    (r) -> r.bodyToFlux(SSE).next().map((first) -> Map.entry(r.headers().asHttpHeaders(), first)))
            .block(Duration.ofSeconds(10));
        assertThat(response.getKey().getFirst("X-Accel-Buffering")).isEqualTo("no");
        assertThat(response.getKey().getContentType().isCompatibleWith(MediaType.TEXT_EVENT_STREAM)).isTrue();
        assertThat(response.getValue().comment()).isEqualTo("connected");
    }

    private static Flux<ServerSentEvent<String>> subscribe(WebClient client) {
        return client.get()
            .uri("/api/items/events")
            .accept(MediaType.TEXT_EVENT_STREAM)
            .retrieve()
            .bodyToFlux(SSE)
            .take(Duration.ofSeconds(30));
    }

    /**
     * A subscription that has received its opening comment, so the server is listening
     * for it.
     */
    /** The first event whose data mentions {@code name}, waiting at most 10 s. */
    private static @Nullable ServerSentEvent<String> firstEventAbout(Flux<ServerSentEvent<String>> events,
            String name) {
        return events.filter((e) -> e.data() != null && e.data().contains(name)).blockFirst(Duration.ofSeconds(10));
    }

    private static Flux<ServerSentEvent<String>> connected(WebClient client) {
        Flux<ServerSentEvent<String>> events = subscribe(client).cache();
        assertThat(events.blockFirst(Duration.ofSeconds(10)).comment()).isEqualTo("connected");
        return events;
    }

}
