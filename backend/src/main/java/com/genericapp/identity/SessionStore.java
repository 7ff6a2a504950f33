package com.genericapp.identity;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;

/**
 * Server-side sessions in PostgreSQL, so every replica knows every session and signing
 * out (or a password change) revokes it everywhere at once. The cookie holds a random
 * 256-bit token; the table holds only its SHA-256. A session ends after
 * {@code identity.session.idle-timeout} without a request, and at the latest
 * {@code identity.session.max-age} after sign-in.
 */
@Component
public class SessionStore {

    /** The name of the session cookie. */
    public static final String COOKIE = "SESSION";

    /** The name of the CSRF cookie the page reads, and echoes in {@link #CSRF_HEADER}. */
    public static final String CSRF_COOKIE = "XSRF-TOKEN";

    public static final String CSRF_HEADER = "X-XSRF-TOKEN";

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private static final int MAX_CACHED = 10_000;

    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

    private final SecureRandom random = new SecureRandom();

    private final DatabaseClient database;

    private final Duration idleTimeout;

    private final Duration maxAge;

    /**
     * Live sessions this replica looked up in the last
     * {@code identity.session.cache-ttl}: most requests then cost no query. Ending a
     * session here forgets it at once; on the other replicas it ends within the TTL.
     */
    private final Map<String, Cached> recent = new ConcurrentHashMap<>();

    private final long cacheTtlNanos;

    /**
     * The look-up under way for each session this replica has not cached: concurrent
     * requests of one session share it. Without this, every request that arrived while
     * the cached entry had just expired asked the database itself: a crowd of 500 on one
     * session queued 500 look-ups for the pool, and every other call waited behind them
     * (ci/tests/run faults, "readers": p99 1.3 s, look-ups timing out at 5 s).
     */
    private final Map<String, Mono<SignedInUser>> lookingUp = new ConcurrentHashMap<>();

    SessionStore(DatabaseClient database, @Value("${identity.session.idle-timeout}") Duration idleTimeout,
            @Value("${identity.session.max-age}") Duration maxAge,
            @Value("${identity.session.cache-ttl}") Duration cacheTtl) {
        this.database = database;
        this.idleTimeout = idleTimeout;
        this.maxAge = maxAge;
        this.cacheTtlNanos = cacheTtl.toNanos();
    }

    private record Cached(SignedInUser user, long until) {
    }

    public Duration maxAge() {
        return this.maxAge;
    }

    /** A new session for {@code username}: the token for the cookie. */
    Mono<String> create(String username) {
        byte[] bytes = new byte[32];
        this.random.nextBytes(bytes);
        String token = BASE64URL.encodeToString(bytes);
        // expired sessions are removed here, where sessions are made, rather than by a
        // timer
        Mono<Long> purge = this.database
            .sql("DELETE FROM sessions WHERE last_seen < now() - make_interval(secs => $1)"
                    + " OR created_at < now() - make_interval(secs => $2)")
            .bind(0, (double) this.idleTimeout.toSeconds())
            .bind(1, (double) this.maxAge.toSeconds())
            .fetch()
            .rowsUpdated();
        Mono<Long> insert = this.database.sql("INSERT INTO sessions (token_hash, username) VALUES ($1, $2)")
            .bind(0, hash(token))
            .bind(1, username)
            .fetch()
            .rowsUpdated();
        return purge.then(insert).thenReturn(token).timeout(TIMEOUT);
    }

    /**
     * The user of a live session, or empty. Records activity at most once a minute, so a
     * busy page does not write a row per request.
     */
    Mono<SignedInUser> find(String token) {
        if (!wellFormed(token)) {
            return Mono.empty();
        }
        byte[] hash = hash(token);
        String key = HexFormat.of().formatHex(hash);
        Cached cached = this.recent.get(key);
        if (cached != null && System.nanoTime() - cached.until() < 0) {
            return Mono.just(cached.user());
        }
        return Mono.defer(() -> this.lookingUp.computeIfAbsent(key, (k) -> lookUp(hash, key)));
    }

    /**
     * One query for the session of {@code hash}; its result is shared by whoever waits.
     */
    private Mono<SignedInUser> lookUp(byte[] hash, String key) {
        return this.database.sql("""
                WITH live AS (
                    SELECT s.token_hash, s.last_seen, u.username, u.role
                    FROM sessions s JOIN users u ON u.username = s.username
                    WHERE s.token_hash = $1
                      AND s.last_seen > now() - make_interval(secs => $2)
                      AND s.created_at > now() - make_interval(secs => $3)
                ), touched AS (
                    UPDATE sessions SET last_seen = now()
                    WHERE token_hash = (SELECT token_hash FROM live WHERE last_seen < now() - interval '1 minute')
                )
                SELECT username, role FROM live""")
            .bind(0, hash)
            .bind(1, (double) this.idleTimeout.toSeconds())
            .bind(2, (double) this.maxAge.toSeconds())
            .map((row) -> new SignedInUser(row.get("username", String.class),
                    Role.fromId(row.get("role", String.class)), hash))
            .one()
            .timeout(TIMEOUT)
            .doOnNext((user) -> remember(key, user))
            .doFinally((signal) -> this.lookingUp.remove(key))
            .cache();
    }

    private void remember(String key, SignedInUser user) {
        if (this.cacheTtlNanos <= 0) {
            return;
        }
        if (this.recent.size() >= MAX_CACHED) {
            // bounded: past the bound, start afresh (entries live seconds anyway)
            this.recent.clear();
        }
        this.recent.put(key, new Cached(user, System.nanoTime() + this.cacheTtlNanos));
    }

    /**
     * Forgets this replica's cached sessions of {@code username} (its role or password
     * changed, or it was deleted).
     */
    void forget(String username) {
        this.recent.values().removeIf((cached) -> cached.user().username().equals(username));
    }

    /** Ends the session of {@code token}, on every replica. */
    Mono<Void> delete(byte[] sessionHash) {
        this.recent.remove(HexFormat.of().formatHex(sessionHash));
        return this.database.sql("DELETE FROM sessions WHERE token_hash = $1")
            .bind(0, sessionHash)
            .fetch()
            .rowsUpdated()
            .timeout(TIMEOUT)
            .then();
    }

    /**
     * The CSRF token of a session: derived from the session token, so a cookie planted by
     * another site (cookie tossing) cannot match, and nothing more is stored.
     */
    static String csrfToken(String sessionToken) {
        return BASE64URL.encodeToString(sha256("csrf:" + sessionToken));
    }

    static byte[] hash(String token) {
        return sha256(token);
    }

    /** 32 random bytes in base64url: 43 characters. */
    static boolean wellFormed(String token) {
        return token.length() == 43 && token.chars()
            .allMatch((c) -> (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'
                    || c == '_');
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.US_ASCII));
        }
        catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException("every JVM has SHA-256", ex);
        }
    }

}
