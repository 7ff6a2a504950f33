package com.genericapp.testsupport;

import org.springframework.web.reactive.function.client.WebClient;

/** Clients of the application under test, made one way. */
public final class TestClients {

    private TestClients() {
    }

    /**
     * A real HTTP client of the API on {@code port} of the loopback address, signed in as
     * the test editor ({@link TestSessions}), signed in before this returns: a socket of
     * its own, unlike {@code WebTestClient}, for streams, concurrency and faults.
     */
    public static WebClient api(int port) {
        // signed in now, not at the first request: a test that breaks the database or
        // stops
        // the server right after its first request must not find the sign-in still
        // running
        TestSessions.editor(port);
        return WebClient.builder().baseUrl(base(port)).filter(TestSessions.as(TestSessions.EDITOR)).build();
    }

    /** The same, signed in as nobody. */
    public static WebClient anonymous(int port) {
        return WebClient.create(base(port));
    }

    private static String base(int port) {
        return "http://127.0.0.1:" + port;
    }

}
