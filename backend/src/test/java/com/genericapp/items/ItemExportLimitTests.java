package com.genericapp.items;

import java.time.Duration;

import com.genericapp.testsupport.TcpFaultProxy;
import com.genericapp.testsupport.TestClients;
import com.genericapp.testsupport.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An export holds a database connection while its client reads, so exports are bounded
 * per instance: one more is refused at once with a 503 problem, and the limit frees up
 * when an export ends. The database is frozen (through {@link TcpFaultProxy}) to keep the
 * first export running.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        // the database is frozen mid-test: the requests made then are authenticated from
        // the replica's session cache, kept for the whole test
        properties = { "items.export.max-concurrent=1", "identity.session.cache-ttl=5m" })
class ItemExportLimitTests {

    private static final TestPostgres postgres = TestPostgres.shared();

    private static final TcpFaultProxy proxy = TcpFaultProxy.to(postgres.host(), postgres.port());

    @LocalServerPort
    int port;

    @Autowired
    ExportSlots slots;

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        postgres.registerProperties(registry);
        registry.add("DB_PORT", proxy::port);
    }

    @AfterAll
    static void stopProxy() {
        proxy.close();
    }

    @Test
    void anExportBeyondTheLimitIsRefusedAtOnceAndTheSlotFreesWhenTheExportEnds() throws Exception {
        WebClient client = TestClients.api(this.port);
        assertThat(export(client).getStatusCode()).isEqualTo(HttpStatus.OK);

        // a database that stops answering mid-export keeps the export, and its slot, busy
        proxy.freeze(true);
        Disposable holding = client.get()
            .uri("/api/items")
            .accept(MediaType.APPLICATION_NDJSON)
            .retrieve()
            .bodyToFlux(String.class)
            .subscribe();
        try {
            await("the first export holds its slot").atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> this.slots.running() == 1);
            long start = System.nanoTime();
            ResponseEntity<String> refused = export(client);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
            assertThat(refused.getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
            assertThat(refused.getHeaders().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
            assertThat(refused.getHeaders().getFirst("Retry-After")).isEqualTo("5");
            assertThat(refused.getBody()).contains("Exports busy");
        }
        finally {
            proxy.freeze(false);
            holding.dispose();
        }
        await("the slot is freed when the export ends").atMost(Duration.ofSeconds(10))
            .pollInterval(Duration.ofMillis(20))
            .until(() -> this.slots.running() == 0);
        assertThat(export(client).getStatusCode()).isEqualTo(HttpStatus.OK);
    }

    /**
     * An export of what comes after the last possible id: a real export (it takes a
     * slot), of no rows, so its body stays small however many rows other tests left in
     * the shared table.
     */
    private static ResponseEntity<String> export(WebClient client) {
        return client.get()
            .uri("/api/items?after={after}", Long.MAX_VALUE - 1)
            .accept(MediaType.APPLICATION_NDJSON)
            .exchangeToMono((response) -> response.toEntity(String.class))
            .block(Duration.ofSeconds(10));
    }

}
