package com.genericapp.testsupport;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * A real PostgreSQL for tests: embedded binaries (the default, and what this project's CI
 * uses, since it cannot pull images) or a Testcontainers container. One switch decides:
 * {@code TEST_DATABASE=embedded|testcontainers} (environment variable or system
 * property).
 *
 * <p>
 * Tests reach the database through the same {@code DB_*} settings as production, so the
 * configuration path that builds the R2DBC and Flyway URLs is tested too.
 */
public interface TestPostgres {

    String APP_USER = "app";

    String APP_PASSWORD = "change-me-dev-only";

    String DATABASE = "app";

    /** The bootstrap admin's password (user {@code admin}) in every test application. */
    String ADMIN_PASSWORD = "test-admin-password-only";

    /**
     * The database shared by all tests of this JVM (started on first use, stopped at JVM
     * exit).
     */
    static TestPostgres shared() {
        return Shared.INSTANCE;
    }

    /** A database of its own, for tests that stop and start it. */
    static TestPostgres startNew() {
        TestPostgres postgres = switch (selectedKind()) {
            case "embedded" -> EmbeddedTestPostgres.launch();
            case "testcontainers" -> ContainerTestPostgres.launch();
            default -> throw new IllegalStateException(
                    "TEST_DATABASE must be 'embedded' or 'testcontainers', not '" + selectedKind() + "'");
        };
        System.out.println("[test-database] " + postgres.describe());
        return postgres;
    }

    /**
     * The switch, from the system property (Maven passes it on) or the environment;
     * embedded when unset.
     */
    private static String selectedKind() {
        for (String value : new String[] { System.getProperty("TEST_DATABASE"), System.getenv("TEST_DATABASE") }) {
            if (value != null && !value.isBlank() && !value.startsWith("${")) {
                return value.strip();
            }
        }
        return "embedded";
    }

    String host();

    int port();

    String describe();

    /** Makes the database unreachable (as a crash or a network cut would). */
    void stop();

    /** Makes it reachable again, with its data. */
    void start();

    /**
     * A superuser JDBC connection, for test fixtures that the application role may not
     * do.
     */
    Connection superuser() throws SQLException;

    default void registerProperties(DynamicPropertyRegistry registry) {
        registry.add("DB_HOST", this::host);
        registry.add("DB_PORT", this::port);
        registry.add("DB_NAME", () -> DATABASE);
        registry.add("DB_USER", () -> APP_USER);
        registry.add("DB_PASSWORD", () -> APP_PASSWORD);
        registry.add("ADMIN_PASSWORD", () -> ADMIN_PASSWORD);
    }

    /**
     * Inserts {@code count} items named {@code "Row <n> <tag>"} (n from 1) in one
     * statement, without change notifications: the session's
     * {@code session_replication_role = replica} skips the trigger for this insert only,
     * so a live-stream test elsewhere sees no flood and no table lock.
     */
    default void insertItems(String tag, int count, String descriptionSql) {
        requireTag(tag);
        execute("BEGIN", "SET LOCAL session_replication_role = replica",
                "INSERT INTO items (name, description) SELECT 'Row ' || n || ' " + tag + "', " + descriptionSql
                        + " FROM generate_series(1, " + count + ") AS n",
                "COMMIT");
    }

    /**
     * Deletes the items that {@link #insertItems} made for {@code tag}, without change
     * notifications.
     */
    default void deleteItems(String tag) {
        requireTag(tag);
        execute("BEGIN", "SET LOCAL session_replication_role = replica",
                "DELETE FROM items WHERE name LIKE '% " + tag + "'", "COMMIT");
    }

    private static void requireTag(String tag) {
        if (!tag.matches("[A-Za-z0-9]+")) {
            throw new IllegalArgumentException("a tag is letters and digits, not '" + tag + "'");
        }
    }

    /** Runs SQL on the application database as the superuser. */
    default void execute(String... statements) {
        try (Connection connection = superuser(); Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
        catch (SQLException ex) {
            throw new IllegalStateException("Test fixture SQL failed: " + ex.getMessage(), ex);
        }
    }

    static Connection connect(String host, int port, String database, String user, String password)
            throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://" + host + ":" + port + "/" + database, user, password);
    }

    final class Shared {

        static final TestPostgres INSTANCE = startNew();

        static {
            Runtime.getRuntime().addShutdownHook(new Thread(INSTANCE::stop, "stop-test-postgres"));
        }

        private Shared() {
        }

    }

}
