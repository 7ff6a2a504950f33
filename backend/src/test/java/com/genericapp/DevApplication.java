package com.genericapp;

import com.genericapp.testsupport.TestPostgres;

import org.springframework.boot.SpringApplication;

/**
 * The API on an embedded real PostgreSQL, with no Docker and no installed database:
 * {@code ./mvnw -pl backend spring-boot:test-run}. The database lives as long as the
 * process.
 */
public final class DevApplication {

    private DevApplication() {
    }

    public static void main(String[] args) {
        TestPostgres postgres = TestPostgres.shared();
        System.setProperty("DB_HOST", postgres.host());
        System.setProperty("DB_PORT", String.valueOf(postgres.port()));
        System.setProperty("DB_NAME", TestPostgres.DATABASE);
        System.setProperty("DB_USER", TestPostgres.APP_USER);
        System.setProperty("DB_PASSWORD", TestPostgres.APP_PASSWORD);
        // logback-test.xml keeps test runs quiet; here a developer wants the URL and one
        // line per request
        System.setProperty("logging.level.com.genericapp", "INFO");
        SpringApplication.from(GenericApp::main).run(args);
    }

}
