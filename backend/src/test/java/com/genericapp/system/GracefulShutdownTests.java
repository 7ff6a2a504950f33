package com.genericapp.system;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import com.genericapp.GenericApp;
import com.genericapp.testsupport.TestPostgres;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;

import com.genericapp.testsupport.TestSessions;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * On shutdown (SIGTERM closes the context the same way) a request in flight still
 * completes, and open event streams are ended at once rather than holding the shutdown up
 * until its timeout.
 */
class GracefulShutdownTests {

    @Test
    void inFlightStreamCompletesWhileTheApplicationShutsDown() {
        TestPostgres postgres = TestPostgres.shared();
        ConfigurableApplicationContext context = new SpringApplication(GenericApp.class).run("--API_PORT=0",
                "--DB_HOST=" + postgres.host(), "--DB_PORT=" + postgres.port(), "--DB_NAME=" + TestPostgres.DATABASE,
                "--DB_USER=" + TestPostgres.APP_USER, "--DB_PASSWORD=" + TestPostgres.APP_PASSWORD,
                "--ADMIN_PASSWORD=" + TestPostgres.ADMIN_PASSWORD);
        String tag = "shutdown" + System.nanoTime();
        postgres.insertItems(tag, 10_000, "NULL");
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();

        // The client needs event loops of its own: the application's shutdown disposes
        // Reactor Netty's
        // global resources, which a default WebClient in the same JVM would share.
        // signed in before the requests start, so that shutdown cannot overtake the
        // sign-in
        TestSessions.editor(port);
        LoopResources clientLoops = LoopResources.create("test-client", 1, true);
        WebClient client = WebClient.builder()
            .baseUrl("http://127.0.0.1:" + port)
            .filter(TestSessions.as(TestSessions.EDITOR))
            .clientConnector(new ReactorClientHttpConnector(
                    HttpClient.create(ConnectionProvider.newConnection()).runOn(clientLoops)))
            .build();
        CompletableFuture<Long> received = client.get()
            .uri("/api/items?q={q}", tag)
            .accept(MediaType.APPLICATION_NDJSON)
            .retrieve()
            .bodyToFlux(String.class)
            .limitRate(64)
            .index()
            // a slow client: ten pauses make the stream last a few seconds
            .concatMap((row) -> (row.getT1() % 1000 == 0) ? Mono.delay(Duration.ofMillis(250)).thenReturn(row)
                    : Mono.just(row))
            .count()
            .toFuture();
        // an open event stream must not hold the shutdown up: the server completes it
        // (clients reconnect)
        CompletableFuture<Long> events = client.get()
            .uri("/api/items/events")
            .accept(MediaType.TEXT_EVENT_STREAM)
            .retrieve()
            .bodyToFlux(String.class)
            .count()
            .toFuture();
        sleep(Duration.ofMillis(500));
        assertThat(received).as("still streaming when shutdown begins").isNotDone();
        assertThat(events).isNotDone();
        long start = System.nanoTime();
        context.close(); // waits for the graceful shutdown phase
        Duration closing = Duration.ofNanos(System.nanoTime() - start);

        postgres.deleteItems(tag);
        try {
            assertThat(received.join()).isEqualTo(10_000);
        }
        finally {
            clientLoops.dispose();
        }
        assertThat(events).as("event stream completed by the server").isCompleted();
        // the export takes ~3 s; an event stream left open would hold the shutdown to its
        // 20 s timeout
        assertThat(closing).as("waited for the export, not for the event stream").isLessThan(Duration.ofSeconds(15));
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

}
