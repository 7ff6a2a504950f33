package com.genericapp.identity;

import java.util.List;
import java.util.Map;

import com.genericapp.testsupport.PostgresIntegrationTest;
import com.genericapp.testsupport.TestPostgres;
import com.genericapp.testsupport.TestSessions;
import com.genericapp.testsupport.TestSessions.Session;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The identity contract through real HTTP against the real database: who may do what,
 * sessions and their cookies, CSRF, sign-out, users, the last admin, throttling, and that
 * no password is ever shown. Requests here are anonymous unless they send a session.
 */
@ExtendWith(OutputCaptureExtension.class)
class IdentityTests extends PostgresIntegrationTest {

    @LocalServerPort
    int port;

    WebTestClient http;

    @Autowired
    DatabaseClient database;

    @BeforeEach
    void anonymousClient() {
        this.http = WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + this.port).build();
    }

    @Test
    void withoutASessionEverythingUnderApiAnswers401ButSigningInAndHealthAreOpen() {
        for (String uri : List.of("/api/items", "/api/items/1", "/api/items/events", "/api/session", "/api/users")) {
            this.http.get()
                .uri(uri)
                .exchange()
                .expectStatus()
                .isUnauthorized()
                .expectHeader()
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody()
                .jsonPath("$.status")
                .isEqualTo(401)
                .jsonPath("$.detail")
                .isEqualTo(IdentityProblems.SIGN_IN);
        }
        this.http.post()
            .uri("/api/items")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("name", "anonymous"))
            .exchange()
            .expectStatus()
            .isUnauthorized();
        this.http.get().uri("/actuator/health/liveness").exchange().expectStatus().isOk();
        this.http.get().uri("/v3/api-docs").exchange().expectStatus().isOk();
    }

    @Test
    void signingInSetsAStrictHttpOnlySessionCookieAndAReadableCsrfCookie() {
        EntityExchangeResult<byte[]> result = signIn("admin", TestPostgres.ADMIN_PASSWORD, null).expectStatus()
            .isOk()
            .expectBody()
            .jsonPath("$.username")
            .isEqualTo("admin")
            .jsonPath("$.role")
            .isEqualTo("admin")
            .returnResult();
        List<String> cookies = result.getResponseHeaders().get(HttpHeaders.SET_COOKIE);
        String session = cookie(cookies, "SESSION");
        String csrf = cookie(cookies, "XSRF-TOKEN");
        assertThat(session).contains("HttpOnly", "SameSite=Strict", "Path=/").doesNotContain("Secure");
        assertThat(csrf).contains("SameSite=Strict", "Path=/").doesNotContain("HttpOnly", "Secure");
        Session admin = TestSessions.sessionOf("admin", toEntity(result));
        this.http.get()
            .uri("/api/session")
            .headers(admin::applyTo)
            .exchange()
            .expectStatus()
            .isOk()
            .expectBody()
            .jsonPath("$.username")
            .isEqualTo("admin");
    }

    @Test
    void cookiesAreSecureWhenTheTrustedProxySaysTheRequestCameOverHttps() {
        List<String> cookies = signIn("admin", TestPostgres.ADMIN_PASSWORD, null, "X-Forwarded-Proto", "https")
            .expectStatus()
            .isOk()
            .returnResult(String.class)
            .getResponseHeaders()
            .get(HttpHeaders.SET_COOKIE);
        assertThat(cookie(cookies, "SESSION")).contains("Secure", "HttpOnly");
        assertThat(cookie(cookies, "XSRF-TOKEN")).contains("Secure");
    }

    @Test
    void aWrongPasswordAndAnUnknownUserGetTheSame401(CapturedOutput output) {
        String wrong = "wrong-password-" + System.nanoTime();
        String detailWrongPassword = signIn("admin", wrong, "198.51.100.1").expectStatus()
            .isUnauthorized()
            .expectHeader()
            .contentType(MediaType.APPLICATION_PROBLEM_JSON)
            .returnResult(String.class)
            .getResponseBody()
            .blockFirst();
        String detailUnknownUser = signIn("nobody-" + System.nanoTime(), wrong, "198.51.100.1").expectStatus()
            .isUnauthorized()
            .returnResult(String.class)
            .getResponseBody()
            .blockFirst();
        // the same answer but for the trace id, which names each response
        assertThat(withoutTraceId(detailWrongPassword)).contains(SessionController.WRONG)
            .isEqualTo(withoutTraceId(detailUnknownUser))
            .doesNotContain(wrong);
        assertThat(output.getOut()).doesNotContain(wrong).doesNotContain(TestPostgres.ADMIN_PASSWORD);
    }

    @Test
    void repeatedFailuresForAUsernameAreThrottledWith429AndRetryAfter() {
        String username = "throttled-" + System.nanoTime();
        for (int attempt = 1; attempt <= 5; attempt++) {
            // each from another client, so only the username's count can trigger it
            signIn(username, "not-the-password", "198.51.100." + (10 + attempt)).expectStatus().isUnauthorized();
        }
        signIn(username, "not-the-password", "198.51.100.99").expectStatus()
            .isEqualTo(429)
            .expectHeader()
            .valueMatches(HttpHeaders.RETRY_AFTER, "[1-9][0-9]*")
            .expectHeader()
            .contentType(MediaType.APPLICATION_PROBLEM_JSON)
            .expectBody()
            .jsonPath("$.status")
            .isEqualTo(429);
    }

    @Test
    void repeatedFailuresFromAClientAreThrottledWhateverTheUsername() {
        String client = "203.0.113." + (1 + (int) (System.nanoTime() % 200));
        for (int attempt = 1; attempt <= 20; attempt++) {
            signIn("client-throttle-" + attempt + "-" + System.nanoTime(), "not-the-password", client).expectStatus()
                .isUnauthorized();
        }
        signIn("admin", TestPostgres.ADMIN_PASSWORD, client).expectStatus()
            .isEqualTo(429)
            .expectHeader()
            .valueMatches(HttpHeaders.RETRY_AFTER, "[1-9][0-9]*");
        // another client is not affected
        signIn("admin", TestPostgres.ADMIN_PASSWORD, "198.51.100.200").expectStatus().isOk();
    }

    @Test
    void anUnsafeRequestWithASessionNeedsTheCsrfHeaderEqualToTheCookie() {
        Session editor = TestSessions.editor(this.port);
        Map<String, String> item = Map.of("name", "CSRF check");
        this.http.post()
            .uri("/api/items")
            .header(HttpHeaders.COOKIE, editor.cookieHeader())
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(item)
            .exchange()
            .expectStatus()
            .isForbidden()
            .expectHeader()
            .contentType(MediaType.APPLICATION_PROBLEM_JSON)
            .expectBody()
            .jsonPath("$.detail")
            .value((detail) -> assertThat((String) detail).contains("X-XSRF-TOKEN"));
        // a header matching a cookie the attacker planted is not enough: it must be the
        // session's
        this.http.post()
            .uri("/api/items")
            .header(HttpHeaders.COOKIE, "SESSION=" + editor.token() + "; XSRF-TOKEN=planted")
            .header("X-XSRF-TOKEN", "planted")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(item)
            .exchange()
            .expectStatus()
            .isForbidden();
        this.http.post()
            .uri("/api/items")
            .headers(editor::applyTo)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(item)
            .exchange()
            .expectStatus()
            .isCreated();
    }

    @Test
    void aViewerReadsButCannotWriteAndOnlyAnAdminManagesUsers() {
        Session viewer = TestSessions.viewer(this.port);
        Session editor = TestSessions.editor(this.port);
        this.http.get().uri("/api/items?limit=1").headers(viewer::applyTo).exchange().expectStatus().isOk();
        this.http.post()
            .uri("/api/items")
            .headers(viewer::applyTo)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("name", "by a viewer"))
            .exchange()
            .expectStatus()
            .isForbidden()
            .expectHeader()
            .contentType(MediaType.APPLICATION_PROBLEM_JSON)
            .expectBody()
            .jsonPath("$.detail")
            .value((detail) -> assertThat((String) detail).contains("viewer"));
        this.http.delete().uri("/api/items/1").headers(viewer::applyTo).exchange().expectStatus().isForbidden();
        for (Session notAdmin : List.of(viewer, editor)) {
            this.http.get().uri("/api/users").headers(notAdmin::applyTo).exchange().expectStatus().isForbidden();
        }
        this.http.get().uri("/api/users").headers(admin()::applyTo).exchange().expectStatus().isOk();
    }

    @Test
    void signingOutRevokesTheSessionOnTheServer() {
        Session session = TestSessions.sessionOf("admin",
                toEntity(signIn("admin", TestPostgres.ADMIN_PASSWORD, null).expectBody().returnResult()));
        this.http.delete()
            .uri("/api/session")
            .headers(session::applyTo)
            .exchange()
            .expectStatus()
            .isNoContent()
            .expectHeader()
            .valueMatches(HttpHeaders.SET_COOKIE, "SESSION=; .*Max-Age=0.*");
        // a copy of the cookie kept from before no longer works
        this.http.get().uri("/api/session").headers(session::applyTo).exchange().expectStatus().isUnauthorized();
    }

    @Test
    void anAdminManagesUsersAndNoPasswordOrHashIsEverShown(CapturedOutput output) {
        Session admin = admin();
        String name = "user-" + System.nanoTime();
        String password = "first-password-" + System.nanoTime();
        createUser(admin, name, password, "viewer").expectStatus()
            .isCreated()
            .expectHeader()
            .location("/api/users/" + name)
            .expectBody()
            .jsonPath("$.username")
            .isEqualTo(name)
            .jsonPath("$.role")
            .isEqualTo("viewer")
            .jsonPath("$.password")
            .doesNotExist()
            .jsonPath("$.passwordHash")
            .doesNotExist();
        createUser(admin, name, password, "viewer").expectStatus().isEqualTo(409);
        String listed = this.http.get()
            .uri("/api/users")
            .headers(admin::applyTo)
            .exchange()
            .expectStatus()
            .isOk()
            .returnResult(String.class)
            .getResponseBody()
            .collectList()
            .block()
            .toString();
        assertThat(listed).contains(name).doesNotContain(password).doesNotContain("argon2").doesNotContain("$");

        Session user = TestSessions.sessionOf(name, toEntity(signIn(name, password, null).expectBody().returnResult()));
        // the admin promotes them and changes their password: their old session ends
        String second = "second-password-" + System.nanoTime();
        this.http.put()
            .uri("/api/users/" + name)
            .headers(admin::applyTo)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("role", "editor", "password", second))
            .exchange()
            .expectStatus()
            .isOk()
            .expectBody()
            .jsonPath("$.role")
            .isEqualTo("editor");
        this.http.get().uri("/api/session").headers(user::applyTo).exchange().expectStatus().isUnauthorized();
        signIn(name, password, "198.51.100.2").expectStatus().isUnauthorized();
        signIn(name, second, null).expectStatus().isOk().expectBody().jsonPath("$.role").isEqualTo("editor");

        this.http.delete().uri("/api/users/" + name).headers(admin::applyTo).exchange().expectStatus().isNoContent();
        this.http.delete().uri("/api/users/" + name).headers(admin::applyTo).exchange().expectStatus().isNotFound();
        signIn(name, second, "198.51.100.3").expectStatus().isUnauthorized();
        assertThat(output.getOut()).doesNotContain(password).doesNotContain(second);
    }

    @Test
    void badUserInputGetsA400WithTheFieldAndNoEcho() {
        Session admin = admin();
        String shortPassword = "short-pw";
        createUser(admin, "short-" + System.nanoTime(), shortPassword, "viewer").expectStatus()
            .isBadRequest()
            .expectBody()
            .jsonPath("$.errors[0].field")
            .isEqualTo("password")
            .consumeWith((body) -> assertThat(new String(body.getResponseBody())).doesNotContain(shortPassword));
        createUser(admin, "role-" + System.nanoTime(), "long-enough-password", "superuser").expectStatus()
            .isBadRequest()
            .expectBody()
            .jsonPath("$.errors[0].field")
            .isEqualTo("role")
            .jsonPath("$.errors[0].message")
            .isEqualTo("must be one of viewer, editor, admin");
        createUser(admin, "-bad name", "long-enough-password", "viewer").expectStatus()
            .isBadRequest()
            .expectBody()
            .jsonPath("$.errors[0].field")
            .isEqualTo("username");
        this.http.put()
            .uri("/api/users/admin")
            .headers(admin::applyTo)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of())
            .exchange()
            .expectStatus()
            .isBadRequest();
        this.http.post()
            .uri("/api/session")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"username\": \"admin\", \"password\": \"secret-in-bad-json\",")
            .exchange()
            .expectStatus()
            .isBadRequest()
            .expectBody()
            .consumeWith((body) -> assertThat(new String(body.getResponseBody())).doesNotContain("secret-in-bad-json"));
    }

    @Test
    void theLastAdminCanBeNeitherDemotedNorDeleted() {
        Session admin = admin();
        this.http.put()
            .uri("/api/users/admin")
            .headers(admin::applyTo)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("role", "editor"))
            .exchange()
            .expectStatus()
            .isEqualTo(409)
            .expectBody()
            .jsonPath("$.detail")
            .value((detail) -> assertThat((String) detail).contains("last admin"));
        this.http.delete().uri("/api/users/admin").headers(admin::applyTo).exchange().expectStatus().isEqualTo(409);
        // with a second admin, one of them may go
        String second = "admin-" + System.nanoTime();
        createUser(admin, second, "second-admin-password", "admin").expectStatus().isCreated();
        this.http.delete().uri("/api/users/" + second).headers(admin::applyTo).exchange().expectStatus().isNoContent();
        this.http.get().uri("/api/users/admin").headers(admin::applyTo).exchange().expectStatus().isOk();
    }

    @Test
    void itemsNameWhoMadeAndLastChangedThemAndKeepItWhenThatUserIsDeleted() {
        Session admin = admin();
        String name = "author-" + System.nanoTime();
        createUser(admin, name, "an-author-password", "editor").expectStatus().isCreated();
        Session author = TestSessions.sessionOf(name,
                toEntity(signIn(name, "an-author-password", null).expectBody().returnResult()));
        Map<String, Object> created = this.http.post()
            .uri("/api/items")
            .headers(author::applyTo)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("name", "Written by " + name))
            .exchange()
            .expectStatus()
            .isCreated()
            .expectBody(new ParameterizedTypeReference<Map<String, Object>>() {
            })
            .returnResult()
            .getResponseBody();
        assertThat(created).containsEntry("createdBy", name).containsEntry("updatedBy", name);
        Object id = created.get("id");
        this.http.put()
            .uri("/api/items/" + id)
            .headers(admin::applyTo)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("name", "Changed by the admin"))
            .exchange()
            .expectStatus()
            .isOk()
            .expectBody()
            .jsonPath("$.createdBy")
            .isEqualTo(name)
            .jsonPath("$.updatedBy")
            .isEqualTo("admin");
        this.http.delete().uri("/api/users/" + name).headers(admin::applyTo).exchange().expectStatus().isNoContent();
        this.http.get()
            .uri("/api/items/" + id)
            .headers(admin::applyTo)
            .exchange()
            .expectStatus()
            .isOk()
            .expectBody()
            .jsonPath("$.name")
            .isEqualTo("Changed by the admin")
            .jsonPath("$.createdBy")
            .isEqualTo(name)
            .jsonPath("$.version")
            .isEqualTo(1);
    }

    @Test
    void aUsernameInThePathThatNoUserCanHaveIsA400Problem() {
        Session admin = admin();
        for (String bad : List.of("-starts-with-a-dash", "a".repeat(65), "has space")) {
            this.http.get()
                .uri("/api/users/{username}", bad)
                .headers(admin::applyTo)
                .exchange()
                .expectStatus()
                .isBadRequest()
                .expectHeader()
                .contentType(MediaType.APPLICATION_PROBLEM_JSON);
        }
        // the path's own rule leaves the body's errors named after its fields
        this.http.put()
            .uri("/api/users/admin")
            .headers(admin::applyTo)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("password", "short-pw"))
            .exchange()
            .expectStatus()
            .isBadRequest()
            .expectBody()
            .jsonPath("$.errors[0].field")
            .isEqualTo("password");
        this.http.get()
            .uri("/api/users/{username}", "no-such-user." + System.nanoTime())
            .headers(admin::applyTo)
            .exchange()
            .expectStatus()
            .isNotFound();
    }

    @Test
    void thereAreAtMostMaxUsersSoTheListingAlwaysHoldsThemAll() {
        Session admin = admin();
        String prefix = "bulk" + System.nanoTime() + "-";
        long existing = this.database.sql("SELECT count(*) AS n FROM users")
            .map((row) -> row.get("n", Long.class))
            .one()
            .block();
        // straight into the table: a thousand Argon2 hashes through the API would take a
        // minute
        this.database
            .sql("INSERT INTO users (username, password_hash, role) SELECT $1 || n, '{noop}unusable', 'viewer'"
                    + " FROM generate_series(1, $2) AS n")
            .bind(0, prefix)
            .bind(1, (int) (UserRepository.MAX_USERS - existing))
            .fetch()
            .rowsUpdated()
            .block();
        try {
            createUser(admin, "one-too-many", "long-enough-password", "viewer").expectStatus()
                .isEqualTo(409)
                .expectBody()
                .jsonPath("$.title")
                .isEqualTo("Too many users");
            this.http.get()
                .uri("/api/users")
                .headers(admin::applyTo)
                .exchange()
                .expectStatus()
                .isOk()
                .expectBody()
                .jsonPath("$.length()")
                .isEqualTo(UserRepository.MAX_USERS);
        }
        finally {
            this.database.sql("DELETE FROM users WHERE username LIKE $1")
                .bind(0, prefix + "%")
                .fetch()
                .rowsUpdated()
                .block();
        }
        createUser(admin, "room-again-" + System.nanoTime(), "long-enough-password", "viewer").expectStatus()
            .isCreated();
    }

    @Test
    void everyAnswerToAChangeSaysWhereTheClientStandsInItsRateLimit() {
        // anonymous: the 401 counts and says so too
        this.http.post()
            .uri("/api/items")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("name", "x"))
            .exchange()
            .expectStatus()
            .isUnauthorized()
            .expectHeader()
            .valueMatches("RateLimit", "^\"writes\";r=[0-9]+;t=[0-9]+$")
            .expectHeader()
            .valueMatches("RateLimit-Policy", "^\"writes\";q=[0-9]+;w=[0-9]+$");
        Session admin = admin();
        // a 400 from the controller's validation keeps them
        createUser(admin, "-bad name", "long-enough-password", "viewer").expectStatus()
            .isBadRequest()
            .expectHeader()
            .valueMatches("RateLimit", "^\"writes\";r=[0-9]+;t=[0-9]+$");
        signIn("admin", TestPostgres.ADMIN_PASSWORD, null).expectStatus()
            .isOk()
            .expectHeader()
            .valueMatches("RateLimit-Policy", "^\"sign-in\";q=[0-9]+;w=[0-9]+$");
        // reads are not limited, and say nothing of limits
        this.http.get()
            .uri("/api/session")
            .headers(admin::applyTo)
            .exchange()
            .expectStatus()
            .isOk()
            .expectHeader()
            .doesNotExist("RateLimit");
    }

    /** POST /api/users as {@code admin}. */
    private WebTestClient.ResponseSpec createUser(Session admin, String username, String password, String role) {
        return this.http.post()
            .uri("/api/users")
            .headers(admin::applyTo)
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("username", username, "password", password, "role", role))
            .exchange();
    }

    private Session admin() {
        return TestSessions.sessionOf("admin",
                toEntity(signIn("admin", TestPostgres.ADMIN_PASSWORD, null).expectBody().returnResult()));
    }

    /**
     * Signs in; {@code client}, when given, is the address the trusted proxy (loopback)
     * reports, so that failures here do not count against 127.0.0.1.
     */
    private WebTestClient.ResponseSpec signIn(String username, String password, String client, String... headers) {
        return this.http.post().uri("/api/session").headers((h) -> {
            if (client != null) {
                h.set("X-Forwarded-For", client);
            }
            for (int i = 0; i + 1 < headers.length; i += 2) {
                h.set(headers[i], headers[i + 1]);
            }
        })
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("username", username, "password", password))
            .exchange();
    }

    private static String cookie(List<String> setCookies, String name) {
        return setCookies.stream()
            .filter((header) -> header.startsWith(name + "="))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no " + name + " cookie in " + setCookies));
    }

    private static org.springframework.http.ResponseEntity<byte[]> toEntity(EntityExchangeResult<byte[]> result) {
        return org.springframework.http.ResponseEntity.status(result.getStatus())
            .headers(result.getResponseHeaders())
            .body(result.getResponseBody());
    }

    private static String withoutTraceId(String problem) {
        return problem.replaceFirst(",?\"traceId\":\"[0-9a-f]{32}\"", "");
    }

}
