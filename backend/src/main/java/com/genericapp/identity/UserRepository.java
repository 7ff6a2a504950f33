package com.genericapp.identity;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.function.Function;

import io.r2dbc.spi.Readable;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.reactive.TransactionalOperator;

/**
 * The users table. Changes that could leave no admin (demoting or deleting one) run in a
 * transaction that first locks the table against other writers, so two admins removing
 * each other at the same moment cannot both succeed.
 */
@Repository
class UserRepository {

    /** What a guarded change did. */
    enum Outcome {

        DONE, NOT_FOUND, LAST_ADMIN

    }

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    /**
     * The most users there can be: the listing returns them all at once, so it is bounded
     * (the OpenAPI description says so), and a user management page of more would be
     * unreadable anyway.
     */
    static final int MAX_USERS = 1000;

    private static final String COLUMNS = "username, password_hash, role, created_at, updated_at";

    private static final Function<Readable, UserAccount> ACCOUNT = (row) -> new UserAccount(
            row.get("username", String.class), row.get("password_hash", String.class),
            Role.fromId(row.get("role", String.class)), row.get("created_at", OffsetDateTime.class),
            row.get("updated_at", OffsetDateTime.class));

    private final DatabaseClient database;

    private final TransactionalOperator transactions;

    UserRepository(DatabaseClient database, TransactionalOperator transactions) {
        this.database = database;
        this.transactions = transactions;
    }

    Mono<UserAccount> find(String username) {
        return this.database.sql("SELECT " + COLUMNS + " FROM users WHERE username = $1")
            .bind(0, username)
            .map(ACCOUNT)
            .one()
            .timeout(TIMEOUT);
    }

    Flux<UserAccount> findAll() {
        return this.database.sql("SELECT " + COLUMNS + " FROM users ORDER BY username LIMIT " + MAX_USERS)
            .map(ACCOUNT)
            .all()
            .timeout(TIMEOUT);
    }

    /**
     * Inserts a user; empty when the username is taken or there are {@link #MAX_USERS}
     * already (under the users lock, so concurrent inserts cannot pass the bound).
     */
    Mono<UserAccount> insert(String username, String passwordHash, Role role) {
        Mono<UserAccount> insert = lockUsers().then(this.database
            .sql("INSERT INTO users (username, password_hash, role) SELECT $1, $2, $3"
                    + " WHERE (SELECT count(*) FROM users) < " + MAX_USERS
                    + " ON CONFLICT (username) DO NOTHING RETURNING " + COLUMNS)
            .bind(0, username)
            .bind(1, passwordHash)
            .bind(2, role.id())
            .map(ACCOUNT)
            .one());
        return this.transactions.transactional(insert).timeout(TIMEOUT);
    }

    /**
     * The first user, made only while the table is empty (two replicas starting together
     * make one); empty when there already are users.
     */
    Mono<UserAccount> insertFirst(String username, String passwordHash, Role role) {
        Mono<UserAccount> insert = lockUsers().then(this.database
            .sql("INSERT INTO users (username, password_hash, role) SELECT $1, $2, $3"
                    + " WHERE NOT EXISTS (SELECT 1 FROM users) RETURNING " + COLUMNS)
            .bind(0, username)
            .bind(1, passwordHash)
            .bind(2, role.id())
            .map(ACCOUNT)
            .one());
        return this.transactions.transactional(insert).timeout(TIMEOUT);
    }

    Mono<Boolean> isEmpty() {
        return this.database.sql("SELECT NOT EXISTS (SELECT 1 FROM users) AS empty")
            .map((row) -> Boolean.TRUE.equals(row.get("empty", Boolean.class)))
            .one()
            .timeout(TIMEOUT);
    }

    /**
     * Changes the role and/or the password hash (null keeps it). A password change
     * deletes the user's sessions except {@code keepSessionHash}.
     */
    Mono<Outcome> update(String username, @Nullable Role role, @Nullable String passwordHash,
            byte @Nullable [] keepSessionHash) {
        Mono<Outcome> change = lockUsers().then(find(username)).flatMap((user) -> {
            boolean demotesAdmin = user.role() == Role.ADMIN && role != null && role != Role.ADMIN;
            Mono<Boolean> allowed = demotesAdmin ? otherAdminsExist(username) : Mono.just(true);
            return allowed.flatMap((ok) -> {
                if (!ok) {
                    return Mono.just(Outcome.LAST_ADMIN);
                }
                Role newRole = (role != null) ? role : user.role();
                String newHash = (passwordHash != null) ? passwordHash : user.passwordHash();
                Mono<Long> updated = this.database
                    .sql("UPDATE users SET role = $2, password_hash = $3, updated_at = now() WHERE username = $1")
                    .bind(0, username)
                    .bind(1, newRole.id())
                    .bind(2, newHash)
                    .fetch()
                    .rowsUpdated();
                Mono<Long> revoked = (passwordHash == null) ? Mono.just(0L) : revokeSessions(username, keepSessionHash);
                return updated.then(revoked).thenReturn(Outcome.DONE);
            });
        }).defaultIfEmpty(Outcome.NOT_FOUND);
        return this.transactions.transactional(change).timeout(TIMEOUT);
    }

    /** Deletes a user (their sessions go with them), unless it is the last admin. */
    Mono<Outcome> delete(String username) {
        Mono<Outcome> delete = lockUsers().then(find(username)).flatMap((user) -> {
            Mono<Boolean> allowed = (user.role() == Role.ADMIN) ? otherAdminsExist(username) : Mono.just(true);
            return allowed.flatMap((ok) -> ok ? this.database.sql("DELETE FROM users WHERE username = $1")
                .bind(0, username)
                .fetch()
                .rowsUpdated()
                .thenReturn(Outcome.DONE) : Mono.just(Outcome.LAST_ADMIN));
        }).defaultIfEmpty(Outcome.NOT_FOUND);
        return this.transactions.transactional(delete).timeout(TIMEOUT);
    }

    private Mono<Long> revokeSessions(String username, byte @Nullable [] keepSessionHash) {
        if (keepSessionHash == null) {
            return this.database.sql("DELETE FROM sessions WHERE username = $1")
                .bind(0, username)
                .fetch()
                .rowsUpdated();
        }
        return this.database.sql("DELETE FROM sessions WHERE username = $1 AND token_hash <> $2")
            .bind(0, username)
            .bind(1, keepSessionHash)
            .fetch()
            .rowsUpdated();
    }

    private Mono<Boolean> otherAdminsExist(String username) {
        return this.database
            .sql("SELECT EXISTS (SELECT 1 FROM users WHERE role = 'admin' AND username <> $1) AS others")
            .bind(0, username)
            .map((row) -> Boolean.TRUE.equals(row.get("others", Boolean.class)))
            .one();
    }

    /** Against concurrent writers of users only; readers (session look-ups) go on. */
    private Mono<Void> lockUsers() {
        return this.database.sql("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE").then();
    }

}
