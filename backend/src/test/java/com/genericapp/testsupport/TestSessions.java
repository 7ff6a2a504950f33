package com.genericapp.testsupport;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Signed-in sessions for tests, made through the API itself: the bootstrap admin (with
 * {@link TestPostgres#ADMIN_PASSWORD}) creates the users, who then sign in with
 * {@code POST /api/session}. Sessions are kept per server (scheme, host, port), since a
 * session lives in that server's database.
 */
public final class TestSessions {

    /** The user the item tests act as: an editor, as the UI's usual user. */
    public static final String EDITOR = "test-editor";

    public static final String VIEWER = "test-viewer";

    /** The password of every user these fixtures make. */
    public static final String PASSWORD = "test-user-password";

    private static final Map<String, Mono<Session>> sessions = new ConcurrentHashMap<>();

    private TestSessions() {
    }

    /** A session's two cookies; requests send both, unsafe ones also the CSRF header. */
    public record Session(String username, String token, String csrf) {

        public String cookieHeader() {
            return "SESSION=" + this.token + "; XSRF-TOKEN=" + this.csrf;
        }

        /** The header lines a raw HTTP/1.1 request needs to act as this session. */
        public String headerLines() {
            return "Cookie: " + cookieHeader() + "\r\nX-XSRF-TOKEN: " + this.csrf + "\r\n";
        }

        public void applyTo(HttpHeaders headers) {
            headers.set(HttpHeaders.COOKIE, cookieHeader());
            headers.set("X-XSRF-TOKEN", this.csrf);
        }

    }

    /**
     * Adds the session of {@code username} (an editor or viewer made on first use) to
     * each request that carries no cookie of its own.
     */
    public static ExchangeFilterFunction as(String username) {
        return (request, next) -> {
            if (request.headers().containsHeader(HttpHeaders.COOKIE)) {
                return next.exchange(request);
            }
            return session(request.url(), username)
                .flatMap((session) -> next.exchange(ClientRequest.from(request).headers(session::applyTo).build()));
        };
    }

    /** The editor's session on the API at {@code port} of the loopback address. */
    public static Session editor(int port) {
        return session(URI.create("http://127.0.0.1:" + port), EDITOR).block(Duration.ofSeconds(60));
    }

    /** The viewer's session on the API at {@code port} of the loopback address. */
    public static Session viewer(int port) {
        return session(URI.create("http://127.0.0.1:" + port), VIEWER).block(Duration.ofSeconds(60));
    }

    private static Mono<Session> session(URI url, String username) {
        String origin = url.getScheme() + "://" + url.getHost() + ":" + url.getPort();
        return sessions.computeIfAbsent(origin + " " + username, (key) -> make(origin, username)
            // a failed attempt (the database was down) is not remembered
            .cache((session) -> Duration.ofHours(1), (error) -> Duration.ZERO, () -> Duration.ZERO));
    }

    private static Mono<Session> make(String origin, String username) {
        WebClient client = WebClient.create(origin);
        String role = username.equals(VIEWER) ? "viewer" : "editor";
        return signIn(client, "admin", TestPostgres.ADMIN_PASSWORD)
            .flatMap((admin) -> client.post()
                .uri("/api/users")
                .headers(admin::applyTo)
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("username", username, "password", PASSWORD, "role", role))
                .exchangeToMono((response) -> response.releaseBody().thenReturn(response.statusCode())))
            .flatMap((status) -> {
                // 409: made earlier on the same database, by another context
                if (status != HttpStatus.CREATED && status != HttpStatus.CONFLICT) {
                    return Mono.error(new IllegalStateException("creating " + username + " answered " + status));
                }
                return signIn(client, username, PASSWORD);
            });
    }

    /** Signs in through the API; fails unless it answers 200 with both cookies. */
    public static Mono<Session> signIn(WebClient client, String username, String password) {
        return client.post()
            .uri("/api/session")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("username", username, "password", password))
            .exchangeToMono((response) -> response.toEntity(String.class))
            .map((response) -> sessionOf(username, response));
    }

    public static Session sessionOf(String username, ResponseEntity<?> response) {
        if (response.getStatusCode() != HttpStatus.OK) {
            throw new IllegalStateException(
                    "signing in as " + username + " answered " + response.getStatusCode() + ": " + response.getBody());
        }
        String token = null;
        String csrf = null;
        for (String header : response.getHeaders().getOrEmpty(HttpHeaders.SET_COOKIE)) {
            String pair = header.substring(0, header.indexOf(';') < 0 ? header.length() : header.indexOf(';'));
            String name = pair.substring(0, pair.indexOf('='));
            String value = pair.substring(pair.indexOf('=') + 1);
            if (name.equals("SESSION")) {
                token = value;
            }
            else if (name.equals("XSRF-TOKEN")) {
                csrf = value;
            }
        }
        if (token == null || csrf == null) {
            throw new IllegalStateException("signing in as " + username + " set no SESSION and XSRF-TOKEN cookies");
        }
        return new Session(username, token, csrf);
    }

}
