package com.genericapp.identity;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.genericapp.testsupport.PostgresIntegrationTest;
import com.genericapp.testsupport.TestPostgres;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The session store against the real database: what one replica asks PostgreSQL when many
 * requests of one session arrive together.
 */
class SessionStoreTests extends PostgresIntegrationTest {

    private static final int CROWD = 64;

    @Autowired
    SessionStore sessions;

    /**
     * A crowd of requests on a session this replica has not cached (a burst of page
     * loads, or the moment the cached entry expires) makes one query, not one each: the
     * look-ups would otherwise fill the pool and every other call would wait behind them.
     * The session table is locked meanwhile, so every query the store sends stays visible
     * in pg_stat_activity, waiting on the lock, until the test lets them go.
     */
    @Test
    void concurrentLookUpsOfAnUncachedSessionShareOneQuery() throws Exception {
        String token = this.sessions.create("admin").block(Duration.ofSeconds(10));
        try (Connection lock = TestPostgres.shared().superuser();
                Connection observer = TestPostgres.shared().superuser()) {
            lock.setAutoCommit(false);
            try (Statement statement = lock.createStatement()) {
                statement.execute("LOCK TABLE sessions IN ACCESS EXCLUSIVE MODE");
            }
            CompletableFuture<List<SignedInUser>> crowd = Flux.range(0, CROWD)
                .flatMap((i) -> this.sessions.find(token), CROWD)
                .collectList()
                .toFuture();
            await().atMost(Duration.ofSeconds(3)).until(() -> lookUpsWaiting(observer) >= 1);
            // had each request sent its own, the pool's 16 connections would all be
            // waiting
            // within milliseconds
            await().during(Duration.ofMillis(700))
                .atMost(Duration.ofSeconds(2))
                .until(() -> lookUpsWaiting(observer) == 1);
            lock.rollback();
            assertThat(crowd.get(10, TimeUnit.SECONDS)).hasSize(CROWD)
                .allSatisfy((user) -> assertThat(user.username()).isEqualTo("admin"));
        }
    }

    /**
     * A shared look-up is forgotten once it has answered: a session that did not exist
     * when one request asked is found by the next request once it does.
     */
    @Test
    void aSharedLookUpIsForgottenOnceItHasAnswered() {
        String token = "T".repeat(42) + (System.nanoTime() % 10);
        assertThat(this.sessions.find(token).blockOptional(Duration.ofSeconds(10))).isEmpty();
        TestPostgres.shared()
            .execute("INSERT INTO sessions (token_hash, username) VALUES ('\\x"
                    + HexFormat.of().formatHex(SessionStore.hash(token)) + "', 'admin')");
        assertThat(this.sessions.find(token).block(Duration.ofSeconds(10))).extracting(SignedInUser::username)
            .isEqualTo("admin");
    }

    private static int lookUpsWaiting(Connection observer) throws SQLException {
        try (Statement statement = observer.createStatement();
                ResultSet rows = statement.executeQuery("SELECT count(*) FROM pg_stat_activity"
                        + " WHERE query LIKE '%WITH live AS%' AND wait_event_type = 'Lock'"
                        + " AND pid <> pg_backend_pid()")) {
            rows.next();
            return rows.getInt(1);
        }
    }

}
