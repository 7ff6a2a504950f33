package com.genericapp.system;

import io.micrometer.tracing.TraceContext;
import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;

import org.springframework.web.server.ServerWebExchange;

/**
 * Writes a log line with the ids of the request it is about in the MDC: the request id
 * ({@code X-Request-ID}, ECS {@code http.request.id}), and the trace id and server span
 * id of the request ({@code traceId}, {@code spanId}, Micrometer Tracing's keys). They
 * are fields of the JSON line under the prod profile, and {@code [trace,span,request]} in
 * the text lines of the dev mode and the tests.
 * <p>
 * Explicit rather than automatic: Reactor restores an MDC on every thread hop only with
 * {@code spring.reactor.context-propagation=auto}, which cost 30 % of the point read's
 * throughput (bench/ab-env, docs/PERFORMANCE.md "Tunings"). Every line the API writes
 * while serving a request goes through here: the request log, the session filter's and
 * the exception handler's warnings.
 */
public final class RequestLogContext {

    /** The request id's key in the MDC, under ECS's name for it. */
    static final String MDC_REQUEST_ID = "http.request.id";

    /** The trace and server span ids, under the keys Micrometer Tracing gives them. */
    static final String MDC_TRACE_ID = "traceId";

    static final String MDC_SPAN_ID = "spanId";

    /** The exchange attribute {@link RequestLogFilter} records the request id under. */
    static final String REQUEST_ID_ATTRIBUTE = RequestLogContext.class.getName() + ".requestId";

    /** The exchange attribute {@link RequestLogFilter} records the server span under. */
    static final String SPAN_ATTRIBUTE = RequestLogContext.class.getName() + ".span";

    private RequestLogContext() {
    }

    /** Runs {@code statement} (a log call) with the exchange's request ids in the MDC. */
    public static void log(ServerWebExchange exchange, Runnable statement) {
        log(exchange.getAttribute(REQUEST_ID_ATTRIBUTE), exchange.getAttribute(SPAN_ATTRIBUTE), statement);
    }

    static void log(@Nullable String requestId, @Nullable TraceContext span, Runnable statement) {
        String previousRequest = MDC.get(MDC_REQUEST_ID);
        String previousTrace = MDC.get(MDC_TRACE_ID);
        String previousSpan = MDC.get(MDC_SPAN_ID);
        put(MDC_REQUEST_ID, requestId);
        put(MDC_TRACE_ID, (span != null) ? span.traceId() : null);
        put(MDC_SPAN_ID, (span != null) ? span.spanId() : null);
        try {
            statement.run();
        }
        finally {
            put(MDC_REQUEST_ID, previousRequest);
            put(MDC_TRACE_ID, previousTrace);
            put(MDC_SPAN_ID, previousSpan);
        }
    }

    private static void put(String key, @Nullable String value) {
        if (value != null) {
            MDC.put(key, value);
        }
        else {
            MDC.remove(key);
        }
    }

}
