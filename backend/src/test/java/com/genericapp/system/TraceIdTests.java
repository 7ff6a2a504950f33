package com.genericapp.system;

import com.genericapp.testsupport.PostgresIntegrationTest;
import com.genericapp.testsupport.TestClients;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClientResponseException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Every answer names the trace it was served under ({@code X-Trace-Id}), and every
 * problem+json body repeats it as {@code traceId}, whether the request was sampled or not
 * (here, at the default share, most are not).
 */
class TraceIdTests extends PostgresIntegrationTest {

    private static final String HEX32 = "[0-9a-f]{32}";

    @Autowired
    WebTestClient http;

    @LocalServerPort
    int port;

    @Test
    void aSuccessCarriesTheTraceIdHeader() {
        http.get()
            .uri("/api/items?limit=1")
            .exchange()
            .expectStatus()
            .isOk()
            .expectHeader()
            .value(TraceIds.HEADER, (value) -> assertThat(value).matches(HEX32));
    }

    @Test
    void aProblemCarriesTheTraceIdOfItsResponse() {
        EntityExchangeResult<byte[]> result = http.get()
            .uri("/api/items/999999999")
            .exchange()
            .expectStatus()
            .isNotFound()
            .expectHeader()
            .contentType(MediaType.APPLICATION_PROBLEM_JSON)
            .expectBody()
            .returnResult();
        String traceId = result.getResponseHeaders().getFirst(TraceIds.HEADER);
        assertThat(traceId).matches(HEX32);
        assertThat(new String(result.getResponseBody())).contains("\"traceId\":\"" + traceId + "\"");
    }

    @Test
    void aValidationProblemCarriesItToo() {
        EntityExchangeResult<byte[]> result = http.post()
            .uri("/api/items")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue("{\"name\":\"\"}")
            .exchange()
            .expectStatus()
            .isBadRequest()
            .expectBody()
            .returnResult();
        String traceId = result.getResponseHeaders().getFirst(TraceIds.HEADER);
        assertThat(new String(result.getResponseBody())).contains("\"traceId\":\"" + traceId + "\"");
    }

    @Test
    void theSecurityFiltersProblemsCarryItToo() {
        // answered by the security filters, before any controller
        // (identity/IdentityProblems)
        assertThatExceptionOfType(WebClientResponseException.class)
            .isThrownBy(() -> TestClients.anonymous(this.port)
                .get()
                .uri("/api/items")
                .retrieve()
                .toEntity(String.class)
                .block(java.time.Duration.ofSeconds(30)))
            .satisfies((ex) -> {
                assertThat(ex.getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
                String traceId = ex.getHeaders().getFirst(TraceIds.HEADER);
                assertThat(traceId).matches(HEX32);
                assertThat(ex.getResponseBodyAsString()).contains("\"traceId\":\"" + traceId + "\"");
            });
    }

    @Test
    void aTraceparentFromTheClientIsContinued() {
        http.get()
            .uri("/api/items?limit=1")
            .header("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00")
            .exchange()
            .expectStatus()
            .isOk()
            .expectHeader()
            .valueEquals(TraceIds.HEADER, "0af7651916cd43dd8448eb211c80319c");
    }

}
