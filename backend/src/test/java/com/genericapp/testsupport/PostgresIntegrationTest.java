package com.genericapp.testsupport;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Base of the tests that run the whole application on a random port against the shared
 * real PostgreSQL. They share one Spring context (same configuration), so the application
 * starts once.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
// a loaded CI machine can take more than the default 5 s for the first request after
// start-up
@AutoConfigureWebTestClient(timeout = "60s")
@Import(SignedInTestClient.class)
public abstract class PostgresIntegrationTest {

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        TestPostgres.shared().registerProperties(registry);
    }

}
