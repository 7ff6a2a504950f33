package com.genericapp.testsupport;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webtestclient.autoconfigure.WebTestClientBuilderCustomizer;
import org.springframework.context.annotation.Bean;

/**
 * The autowired {@code WebTestClient} of {@link PostgresIntegrationTest} acts as the test
 * editor ({@link TestSessions}); a request that sets its own {@code Cookie} header, or a
 * client of its own, does not.
 */
@TestConfiguration(proxyBeanMethods = false)
class SignedInTestClient {

    @Bean
    WebTestClientBuilderCustomizer signedInAsEditor() {
        return (builder) -> builder.filter(TestSessions.as(TestSessions.EDITOR));
    }

}
