package com.genericapp.testsupport;

import org.springframework.web.reactive.function.client.WebClient;

/** Clients of the application under test, made one way. */
public final class TestClients {

    private TestClients() {
    }

    /**
     * A real HTTP client of the API on {@code port} of the loopback address: a socket of
     * its own, unlike {@code WebTestClient}, for streams, concurrency and faults.
     */
    public static WebClient api(int port) {
        return WebClient.create("http://127.0.0.1:" + port);
    }

}
