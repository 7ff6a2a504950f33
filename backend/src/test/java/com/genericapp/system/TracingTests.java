package com.genericapp.system;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import com.genericapp.testsupport.OtlpReceiver;
import com.genericapp.testsupport.OtlpReceiver.ReceivedSpan;
import com.genericapp.testsupport.PostgresIntegrationTest;
import com.genericapp.testsupport.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.logging.LogLevel;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.EntityExchangeResult;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Spans leave the API over OTLP/HTTP and arrive in an in-process receiver: one request
 * gives a server span and a span per SQL query under it, all with the trace id the
 * response and the request's log line carry. Every request is sampled here; the spans are
 * flushed every 100 ms.
 */
@TestPropertySource(properties = { "spring.test.tracing.export=true", "management.tracing.sampling.probability=1.0",
        "management.opentelemetry.tracing.export.schedule-delay=100ms" })
class TracingTests extends PostgresIntegrationTest {

    private static final OtlpReceiver receiver = startReceiver();

    private static final Duration EXPORTED = Duration.ofSeconds(15);

    @Autowired
    WebTestClient http;

    private static OtlpReceiver startReceiver() {
        try {
            return OtlpReceiver.start();
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    @DynamicPropertySource
    static void otlp(DynamicPropertyRegistry registry) {
        registry.add("management.opentelemetry.tracing.export.otlp.endpoint", () -> receiver.baseUrl() + "/v1/traces");
    }

    @AfterAll
    static void stopReceiver() {
        receiver.close();
    }

    @Test
    @ExtendWith(OutputCaptureExtension.class)
    void oneRequestGivesAServerSpanAndQuerySpansUnderTheTraceIdOfTheResponseAndTheLog(CapturedOutput output) {
        long id = http.post()
            .uri("/api/items")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("name", "traced item"))
            .exchange()
            .expectStatus()
            .isCreated()
            .expectBody(Map.class)
            .returnResult()
            .getResponseBody()
            .get("id") instanceof Number number ? number.longValue() : -1;
        LoggingSystem logging = LoggingSystem.get(getClass().getClassLoader());
        logging.setLogLevel("com.genericapp.requests", LogLevel.INFO);
        String traceId;
        try {
            traceId = http.get()
                .uri("/api/items/{id}", id)
                .header("X-Request-ID", "traced-read-1")
                .exchange()
                .expectStatus()
                .isOk()
                .returnResult(String.class)
                .getResponseHeaders()
                .getFirst(TraceIds.HEADER);
            assertThat(traceId).matches("[0-9a-f]{32}");
            await().atMost(EXPORTED).until(() -> serverSpan(traceId) != null);
            ReceivedSpan server = serverSpan(traceId);
            assertThat(server.attributes()).containsEntry("http.url", "/api/items/" + id)
                .containsEntry("uri", "/api/items/{id}");
            assertThat(server.service()).isEqualTo("generic-app");
            // the request's log line: the trace id and the server span's id (Boot's text
            // pattern shows them from the MDC; the prod profile's JSON has them as
            // traceId and spanId, ci/tests/tracing.bats)
            await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(output.getOut()).containsPattern(traceId + "\\W+" + server.spanId()
                        + ".*GET /api/items/" + id + " 200 \\d+ms id=traced-read-1"));
        }
        finally {
            logging.setLogLevel("com.genericapp.requests", null);
        }
        await().atMost(EXPORTED)
            .untilAsserted(() -> assertThat(queries(traceId))
                .anySatisfy((query) -> assertThat(query.attributes().get("r2dbc.query[0]"))
                    .contains("FROM items WHERE id = $1")));
        List<ReceivedSpan> trace = receiver.trace(traceId);
        ReceivedSpan server = serverSpan(traceId);
        for (ReceivedSpan query : queries(traceId)) {
            assertThat(query.kind()).isEqualTo("SPAN_KIND_CLIENT");
            assertThat(ancestors(query, trace)).as("the query span's ancestors").contains(server.spanId());
        }
    }

    @Test
    void querySpansCarryTheSqlTextButNeverABoundValue() {
        // a sign-in binds the username, and then the new session's token hash; the
        // password and the token are what must never show
        EntityExchangeResult<String> signIn = http.post()
            .uri("/api/session")
            .header(HttpHeaders.COOKIE, "none=1")
            .contentType(MediaType.APPLICATION_JSON)
            .bodyValue(Map.of("username", "admin", "password", TestPostgres.ADMIN_PASSWORD))
            .exchange()
            .expectStatus()
            .isOk()
            .expectBody(String.class)
            .returnResult();
        String traceId = signIn.getResponseHeaders().getFirst(TraceIds.HEADER);
        String token = signIn.getResponseCookies().getFirst("SESSION").getValue();
        await().atMost(EXPORTED)
            .untilAsserted(() -> assertThat(queries(traceId))
                .anySatisfy((query) -> assertThat(query.attributes().get("r2dbc.query[0]")).contains("FROM users"))
                .anySatisfy((query) -> assertThat(query.attributes().get("r2dbc.query[0]"))
                    .contains("INSERT INTO sessions")));
        Set<String> values = receiver.trace(traceId)
            .stream()
            .flatMap((span) -> span.attributes().entrySet().stream())
            .map((attribute) -> attribute.getKey() + "=" + attribute.getValue())
            .collect(Collectors.toSet());
        assertThat(values).noneMatch((value) -> value.contains(TestPostgres.ADMIN_PASSWORD))
            .noneMatch((value) -> value.contains(token))
            .noneMatch((value) -> value.startsWith("r2dbc.params"))
            .allMatch(
                    (value) -> value.length() <= "r2dbc.query[0]=".length() + SampledQueryTracing.MAX_ATTRIBUTE_LENGTH)
            // the username is bound ($1), never part of the text
            .noneMatch((value) -> value.startsWith("r2dbc.query") && value.contains("'admin'"));
    }

    @Test
    void anUnsampledParentGivesATraceIdButNoSpans() {
        String unsampled = "0af7651916cd43dd8448eb211c80319c";
        String traceId = http.get()
            .uri("/api/items?limit=1")
            .header("traceparent", "00-" + unsampled + "-b7ad6b7169203331-00")
            .exchange()
            .expectStatus()
            .isOk()
            .returnResult(String.class)
            .getResponseHeaders()
            .getFirst(TraceIds.HEADER);
        assertThat(traceId).isEqualTo(unsampled);
        // a sampled request after it: once its spans are in, the export has passed the
        // unsampled one (one batch processor, in order)
        String sampled = "4bf92f3577b34da6a3ce929d0e0e4736";
        http.get()
            .uri("/api/items?limit=1")
            .header("traceparent", "00-" + sampled + "-00f067aa0ba902b7-01")
            .exchange()
            .expectStatus()
            .isOk()
            .expectHeader()
            .valueEquals(TraceIds.HEADER, sampled);
        await().atMost(EXPORTED).until(() -> !queries(sampled).isEmpty() && serverSpan(sampled) != null);
        assertThat(serverSpan(sampled).parentSpanId()).isEqualTo("00f067aa0ba902b7");
        assertThat(receiver.trace(unsampled)).isEmpty();
    }

    private static ReceivedSpan serverSpan(String traceId) {
        return receiver.trace(traceId)
            .stream()
            .filter((span) -> span.kind().equals("SPAN_KIND_SERVER"))
            .findFirst()
            .orElse(null);
    }

    private static List<ReceivedSpan> queries(String traceId) {
        return receiver.trace(traceId)
            .stream()
            .filter((span) -> span.attributes().containsKey("r2dbc.query[0]"))
            .toList();
    }

    /**
     * The span ids above {@code span} in its trace, nearest first (bounded by its size).
     */
    private static List<String> ancestors(ReceivedSpan span, List<ReceivedSpan> trace) {
        Map<String, ReceivedSpan> byId = trace.stream()
            .collect(Collectors.toMap(ReceivedSpan::spanId, (s) -> s, (a, b) -> a));
        List<String> ancestors = new java.util.ArrayList<>();
        ReceivedSpan current = span;
        for (int i = 0; i < trace.size() && !current.isRoot(); i++) {
            ancestors.add(current.parentSpanId());
            current = byId.get(current.parentSpanId());
            if (current == null) {
                break;
            }
        }
        return ancestors;
    }

}
