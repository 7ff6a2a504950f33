package com.genericapp.identity;

import java.time.Duration;

import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;

/**
 * Slows down password guessing, in the database so that every replica counts the same
 * failures: after {@code identity.sign-in.max-failures-per-user} failures for one
 * username, or {@code max-failures-per-client} from one client address, within
 * {@code window}, further attempts are refused (429) for {@code lock}, which doubles with
 * each further failure up to {@code max-lock}. A success clears the username's count.
 */
@Component
class SignInThrottle {

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final DatabaseClient database;

    private final int maxPerUser;

    private final int maxPerClient;

    private final Duration window;

    private final Duration lock;

    private final Duration maxLock;

    SignInThrottle(DatabaseClient database, @Value("${identity.sign-in.max-failures-per-user}") int maxPerUser,
            @Value("${identity.sign-in.max-failures-per-client}") int maxPerClient,
            @Value("${identity.sign-in.window}") Duration window, @Value("${identity.sign-in.lock}") Duration lock,
            @Value("${identity.sign-in.max-lock}") Duration maxLock) {
        this.database = database;
        this.maxPerUser = maxPerUser;
        this.maxPerClient = maxPerClient;
        this.window = window;
        this.lock = lock;
        this.maxLock = maxLock;
    }

    /** Seconds to wait before trying again (0: go ahead). */
    Mono<Long> retryAfter(String username, String client) {
        return this.database
            .sql("SELECT coalesce(max(ceil(extract(epoch FROM locked_until - now()))), 0)::bigint AS wait"
                    + " FROM sign_in_failures WHERE key IN ($1, $2) AND locked_until > now()")
            .bind(0, userKey(username))
            .bind(1, clientKey(client))
            .map((row) -> row.get("wait", Long.class))
            .one()
            .map((wait) -> Math.max(0L, wait))
            .timeout(TIMEOUT);
    }

    /** Counts a failure for the username and for the client. */
    Mono<Void> failed(String username, String client) {
        return count(userKey(username), this.maxPerUser).then(count(clientKey(client), this.maxPerClient));
    }

    /** A success: the username starts afresh (the client's count stays). */
    Mono<Void> succeeded(String username) {
        return this.database.sql("DELETE FROM sign_in_failures WHERE key = $1")
            .bind(0, userKey(username))
            .fetch()
            .rowsUpdated()
            .timeout(TIMEOUT)
            .then();
    }

    private Mono<Void> count(String key, int limit) {
        // failures past the limit lock for lock * 2^(failures - limit), capped at
        // max-lock
        return this.database
            .sql("""
                    INSERT INTO sign_in_failures AS f (key, failures, window_start, locked_until)
                    VALUES ($1, 1, now(), CASE WHEN $2 <= 1 THEN now() + make_interval(secs => $4) END)
                    ON CONFLICT (key) DO UPDATE SET
                        failures = CASE WHEN f.window_start < now() - make_interval(secs => $3) THEN 1 ELSE f.failures + 1 END,
                        window_start = CASE WHEN f.window_start < now() - make_interval(secs => $3) THEN now() ELSE f.window_start END,
                        locked_until = CASE
                            WHEN f.window_start < now() - make_interval(secs => $3) THEN NULL
                            WHEN f.failures + 1 >= $2 THEN now() + make_interval(secs =>
                                least($5, $4 * power(2, least(f.failures + 1 - $2, 20))))
                            ELSE f.locked_until END""")
            .bind(0, key)
            .bind(1, limit)
            .bind(2, (double) this.window.toSeconds())
            .bind(3, (double) this.lock.toSeconds())
            .bind(4, (double) this.maxLock.toSeconds())
            .fetch()
            .rowsUpdated()
            .timeout(TIMEOUT)
            .then();
    }

    private static String userKey(String username) {
        return "user:" + username;
    }

    private static String clientKey(String client) {
        return "client:" + client;
    }

}
