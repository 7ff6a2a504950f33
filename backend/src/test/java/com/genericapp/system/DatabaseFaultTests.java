package com.genericapp.system;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.stream.Stream;

import com.genericapp.testsupport.TcpFaultProxy;
import com.genericapp.testsupport.TestClients;
import com.genericapp.testsupport.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.Disposable;

import org.springframework.boot.logging.LogLevel;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
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
 * The network between the API and PostgreSQL misbehaves (through {@link TcpFaultProxy}):
 * connections are cut, refused, or frozen half-open. Every call stays bounded, no socket
 * is left behind, and live events resume, with a {@code resync} for what the listener
 * could not see.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "database.setup-timeout=1s")
class DatabaseFaultTests {

    private static final Duration SETUP_TIMEOUT = Duration.ofSeconds(1);

    private static final TestPostgres postgres = TestPostgres.shared();

    private static final TcpFaultProxy proxy = TcpFaultProxy.to(postgres.host(), postgres.port());

    @LocalServerPort
    int port;

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        postgres.registerProperties(registry);
        registry.add("DB_PORT", proxy::port);
    }

    @AfterEach
    void healNetwork() {
        proxy.freeze(false);
        proxy.refuse(false);
    }

    @AfterAll
    static void stopProxy() {
        proxy.close();
    }

    @Test
    void connectionSetupThatNeverFinishesIsAbandonedAndItsSocketClosed() {
        WebClient client = client();
        assertThat(get(client, "/api/items?limit=1").getStatusCode()).isEqualTo(HttpStatus.OK);

        // connections to a server that accepts and then says nothing: the start-up
        // exchange never ends
        proxy.freeze(true);
        proxy.cut();
        for (int i = 0; i < 5; i++) {
            long start = System.nanoTime();
            ResponseEntity<String> answer = get(client, "/api/items?limit=1");
            assertThat(answer.getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
            assertThat(answer.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            // no attempt outlives the set-up deadline (plus the time the proxy takes to
            // see the close)
            assertThat(proxy.openOlderThan(SETUP_TIMEOUT.plusMillis(500))).as("attempts still open").isZero();
        }
        assertThat(proxy.accepted()).as("the API kept trying").isGreaterThan(5);

        proxy.freeze(false);
        assertThat(recoveryTime(client)).isLessThan(Duration.ofSeconds(5));
    }

    /**
     * The warning for a database failure is written by whichever step of the request saw
     * it (the exception handler, or the session filter), on whichever thread the failure
     * arrived: it still names the request's id, its trace and a span, as every line
     * written while serving a request does (issue 13), not only the request log line. The
     * text pattern of the dev mode and tests shows them as {@code [trace,span,request]};
     * the prod profile's JSON has them as fields (ci/tests/stack.bats).
     */
    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void aLineLoggedWhileServingARequestCarriesItsRequestTraceAndSpanIds(CapturedOutput output) {
        WebClient client = client();
        assertThat(get(client, "/api/items?limit=1").getStatusCode()).isEqualTo(HttpStatus.OK);
        // the tests' logback-test.xml keeps this expected warning quiet elsewhere
        LoggingSystem logging = LoggingSystem.get(getClass().getClassLoader());
        logging.setLogLevel(ApiExceptionHandler.class.getName(), LogLevel.WARN);
        proxy.freeze(true);
        proxy.cut();
        try {
            ResponseEntity<String> answer = client.get()
                .uri("/api/items?limit=1")
                .header("X-Request-ID", "fault-log-1")
                .exchangeToMono((response) -> response.toEntity(String.class))
                .block(Duration.ofSeconds(15));
            assertThat(answer.getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
            String traceId = answer.getHeaders().getFirst(TraceIds.HEADER);
            assertThat(traceId).matches("[0-9a-f]{32}");
            await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(output.getOut()).containsPattern("\\[" + traceId
                        + ",[0-9a-f]{16},fault-log-1\\] .*(Database unavailable|Session look-up failed)"));
        }
        finally {
            logging.setLogLevel(ApiExceptionHandler.class.getName(), LogLevel.ERROR);
        }
        proxy.freeze(false);
        assertThat(recoveryTime(client)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void fileDescriptorsStayFlatAcrossFiftyDatabaseFlaps() throws Exception {
        WebClient client = client();
        recoveryTime(client);
        long descriptorsBefore = openFileDescriptors();
        int connectionsBefore = proxy.open();
        Duration slowest = Duration.ZERO;
        for (int flap = 0; flap < 50; flap++) {
            if (flap % 2 == 0) {
                proxy.cut();
            }
            else {
                proxy.refuse(true);
                proxy.cut();
                assertThat(get(client, "/api/items?limit=1").getStatusCode()).isIn(HttpStatus.OK,
                        HttpStatus.SERVICE_UNAVAILABLE);
                proxy.refuse(false);
            }
            Duration recovery = recoveryTime(client);
            slowest = (recovery.compareTo(slowest) > 0) ? recovery : slowest;
        }
        long descriptorsAfter = openFileDescriptors();
        int connectionsAfter = proxy.open();
        System.out.printf(
                "[faults] 50 flaps: descriptors %d -> %d, database connections %d -> %d, slowest recovery %d ms%n",
                descriptorsBefore, descriptorsAfter, connectionsBefore, connectionsAfter, slowest.toMillis());
        assertThat(slowest).isLessThan(Duration.ofSeconds(5));
        // growth, if any, is only the database connections open now (the pool may hold
        // more than before)
        assertThat(descriptorsAfter - descriptorsBefore)
            .isLessThanOrEqualTo(Math.max(0, connectionsAfter - connectionsBefore) + 3);
    }

    @Test
    void liveEventsResumeAfterAFreezeAndTellSubscribersToReload() throws Exception {
        WebClient client = client();
        List<ServerSentEvent<String>> events = new CopyOnWriteArrayList<>();
        Disposable subscription = client.get()
            .uri("/api/items/events")
            .accept(MediaType.TEXT_EVENT_STREAM)
            .retrieve()
            .bodyToFlux(new ParameterizedTypeReference<ServerSentEvent<String>>() {
            })
            .take(Duration.ofSeconds(60))
            .subscribe(events::add);
        try {
            awaitEvent(events, (event) -> "connected".equals(event.comment()), Duration.ofSeconds(10));
            // "connected" says the stream is open, not that the listener is: an earlier
            // test's cuts may leave it reconnecting, and that reconnection's resync would
            // pass for the one this test waits for
            awaitListening(events);

            // the listener's connection goes silent: no error, no close, just nothing
            proxy.freeze(true);
            String missed = "Made while the listener was deaf " + System.nanoTime();
            postgres.execute("INSERT INTO items (name) VALUES ('" + missed + "')");
            // longer than ItemEvents' probe interval plus its timeout (4 s + 3 s):
            // the listener has given up on that connection by then
            Thread.sleep(8_000);
            int seenBeforeThaw = events.size();
            proxy.freeze(false);

            long thawed = System.nanoTime();
            // the resync of the reconnection after the thaw (the listener listens again
            // when it is sent, so the change below is notified)
            awaitEvent(events, seenBeforeThaw, (event) -> "resync".equals(event.event()), Duration.ofSeconds(10));
            System.out.printf("[faults] resync %d ms after the freeze ended%n",
                    (System.nanoTime() - thawed) / 1_000_000);
            assertThat(get(client, "/api/items?q=" + missed.replace(' ', '+')).getBody()).contains(missed);

            String after = "After the freeze " + System.nanoTime();
            client.post()
                .uri("/api/items")
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("name", after))
                .retrieve()
                .toBodilessEntity()
                .block(Duration.ofSeconds(10));
            awaitEvent(events,
                    (event) -> "created".equals(event.event()) && event.data() != null && event.data().contains(after),
                    Duration.ofSeconds(10));
        }
        finally {
            subscription.dispose();
        }
    }

    private WebClient client() {
        return TestClients.api(this.port);
    }

    private static ResponseEntity<String> get(WebClient client, String uri) {
        return client.get()
            .uri(uri)
            .exchangeToMono((response) -> response.toEntity(String.class))
            .block(Duration.ofSeconds(15));
    }

    /** How long until a list call succeeds again; fails past 10 s. */
    private static Duration recoveryTime(WebClient client) {
        long start = System.nanoTime();
        long deadline = start + Duration.ofSeconds(10).toNanos();
        while (get(client, "/api/items?limit=1").getStatusCode() != HttpStatus.OK) {
            assertThat(System.nanoTime()).as("the API answers again within 10 s").isLessThan(deadline);
            sleep(50);
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }

    private static void awaitEvent(List<ServerSentEvent<String>> events, Predicate<ServerSentEvent<String>> wanted,
            Duration within) {
        awaitEvent(events, 0, wanted, within);
    }

    /** Waits for a wanted event at or after index {@code from} of the events seen. */
    private static void awaitEvent(List<ServerSentEvent<String>> events, int from,
            Predicate<ServerSentEvent<String>> wanted, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        while (events.stream().skip(from).noneMatch(wanted)) {
            assertThat(System.nanoTime()).as("event within " + within + "; seen: " + events).isLessThan(deadline);
            sleep(50);
        }
    }

    /**
     * Until a change made now is seen live: one made while the listener reconnects is
     * never notified, so each attempt makes a new one.
     */
    private static void awaitListening(List<ServerSentEvent<String>> events) {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        for (int attempt = 1;; attempt++) {
            String marker = "Listener check " + attempt + " " + System.nanoTime();
            postgres.execute("INSERT INTO items (name) VALUES ('" + marker + "')");
            long seenBy = System.nanoTime() + Duration.ofSeconds(1).toNanos();
            while (System.nanoTime() < seenBy) {
                if (events.stream()
                    .anyMatch((event) -> "created".equals(event.event()) && event.data() != null
                            && event.data().contains(marker))) {
                    return;
                }
                sleep(50);
            }
            assertThat(System.nanoTime()).as("the listener delivers a change within 15 s; seen: " + events)
                .isLessThan(deadline);
        }
    }

    private static long openFileDescriptors() throws IOException {
        try (Stream<Path> descriptors = Files.list(Path.of("/proc/self/fd"))) {
            return descriptors.count();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

}
