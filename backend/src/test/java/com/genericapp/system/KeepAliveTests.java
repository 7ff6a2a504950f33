package com.genericapp.system;

import java.time.Duration;

import com.genericapp.testsupport.PostgresIntegrationTest;
import com.genericapp.testsupport.RawHttp;
import com.genericapp.testsupport.RawHttp.Response;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A keep-alive connection keeps being read after the server has queued a request: one
 * sent before the previous exchange ended (pipelined, or just prompt). Reactor Netty up
 * to 1.3.7 stopped reading such a connection when the queued request completed
 * synchronously (reactor-netty#4361, fixed by #4347 in 1.3.8): the next request was never
 * answered, which hung our own test clients and, behind Nginx's upstream keep-alive pool,
 * would hang a user's request until a 504.
 *
 * <p>
 * The race is made deterministic by sending the requests in one write: the second arrives
 * while the first is still being answered, and a 406 completes synchronously.
 */
class KeepAliveTests extends PostgresIntegrationTest {

    /** Far below any client's timeout, far above an answer on loopback. */
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(10);

    @LocalServerPort
    int port;

    @RepeatedTest(5)
    void connectionIsReadAgainAfterAPipelinedRequestCompletesSynchronously() throws Exception {
        try (RawHttp connection = RawHttp.connect(port, READ_TIMEOUT)) {
            connection.send(RawHttp.get("/api/items?limit=2", "application/json"),
                    RawHttp.get("/api/items?limit=1", "text/html"));
            assertThat(connection.read().status()).isEqualTo(200);
            assertThat(connection.read().status()).isEqualTo(406);

            connection.send(RawHttp.get("/api/items?limit=1", "application/json"));
            Response next = connection.read();
            assertThat(next.status()).as("the request after the pipelined pair is answered").isEqualTo(200);
        }
    }

    @Test
    void writeAfterAPipelinedRefusalIsAnsweredAndStored() throws Exception {
        try (RawHttp connection = RawHttp.connect(port, READ_TIMEOUT)) {
            connection.send(RawHttp.post("/api/items", "{\"name\":\"pipelined\"}"),
                    RawHttp.get("/api/items?limit=1", "text/html"));
            assertThat(connection.read().status()).isEqualTo(201);
            assertThat(connection.read().status()).isEqualTo(406);

            connection.send(RawHttp.post("/api/items", "{\"name\":\"after the pipelined pair\"}"));
            Response created = connection.read();
            assertThat(created.status()).isEqualTo(201);
            String location = created.headers().get("location");

            connection.send(RawHttp.get(location, "application/json"));
            assertThat(connection.read().body()).contains("after the pipelined pair");
        }
    }

    @Test
    void requestLineOverTheLimitIsRefusedAndTheConnectionClosed() throws Exception {
        try (RawHttp connection = RawHttp.connect(port, READ_TIMEOUT)) {
            connection.send(RawHttp.get("/api/items?limit=1&q=" + "x".repeat(5000), "application/json"));
            Response refused = connection.read();
            // Reactor Netty refuses it while decoding (4096 bytes), before the API: no
            // body, and it
            // closes the connection rather than read the rest of an unknown request
            assertThat(refused.status()).isEqualTo(414);
            assertThat(refused.headers()).containsEntry("connection", "close");
        }
    }

}
