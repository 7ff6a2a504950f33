package com.genericapp.items;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import com.genericapp.testsupport.PostgresIntegrationTest;
import com.genericapp.testsupport.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;

import com.genericapp.testsupport.TestSessions;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The NDJSON export of 100,000 rows completes, in id order, and a client that reads
 * slowly is not overrun (back-pressure reaches PostgreSQL through the fetch size). Memory
 * growth is measured by the benchmark suite (bench/), not here.
 */
class ItemStreamTests extends PostgresIntegrationTest {

    private static final int ROWS = 100_000;

    private static final String TAG = "stream" + System.nanoTime();

    @LocalServerPort
    int port;

    private static boolean inserted;

    /**
     * Once, after the application (and so the migrations) started: not in a @BeforeAll.
     */
    @BeforeEach
    void insertRowsOnce() {
        if (inserted) {
            return;
        }
        inserted = true;
        // Without the change trigger: 100k NOTIFYs would only flood the SSE test's
        // listener.
        TestPostgres.shared().insertItems(TAG, ROWS, "repeat('d', 100)");
    }

    @AfterAll
    static void deleteRows() {
        TestPostgres.shared().deleteItems(TAG);
    }

    @Test
    void streamOf100kRowsCompletesInIdOrder() {
        AtomicLong previous = new AtomicLong();
        Long count = client().get()
            .uri("/api/items?q={q}", TAG)
            .accept(MediaType.APPLICATION_NDJSON)
            .retrieve()
            .bodyToFlux(Item.class)
            .doOnNext((item) -> {
                assertThat(item.id()).isGreaterThan(previous.get());
                previous.set(item.id());
            })
            .count()
            .block(Duration.ofMinutes(3));
        assertThat(count).isEqualTo(ROWS);
    }

    @Test
    void slowReaderStillReceivesEveryRow() {
        // limitRate keeps the client's demand small: the server must wait rather than
        // buffer everything
        Long count = client().get()
            .uri("/api/items?q={q}", TAG)
            .accept(MediaType.APPLICATION_NDJSON)
            .retrieve()
            .bodyToFlux(Item.class)
            .limitRate(16)
            .take(5_000)
            .delayElements(Duration.ofNanos(1))
            .count()
            .block(Duration.ofMinutes(2));
        assertThat(count).isEqualTo(5_000);
    }

    private WebClient client() {
        return WebClient.builder()
            .baseUrl("http://127.0.0.1:" + port)
            .filter(TestSessions.as(TestSessions.EDITOR))
            .codecs((codecs) -> codecs.defaultCodecs().maxInMemorySize(1024 * 1024))
            .build();
    }

}
