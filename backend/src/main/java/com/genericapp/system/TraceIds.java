package com.genericapp.system;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationView;
import io.micrometer.observation.contextpropagation.ObservationThreadLocalAccessor;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.TraceContext;
import io.micrometer.tracing.handler.TracingObservationHandler;
import org.jspecify.annotations.Nullable;
import reactor.util.context.ContextView;

import org.springframework.http.server.reactive.observation.ServerRequestObservationContext;
import org.springframework.web.server.ServerWebExchange;

/**
 * The W3C trace id a request is served under, as clients see it: in the {@value #HEADER}
 * response header ({@link RequestLogFilter} sets it on every response) and as the
 * {@value #PROBLEM_PROPERTY} member of every problem+json body, so that a user's error
 * report leads to the trace, and to the log lines, which carry it too. Unsampled requests
 * have a trace id as well: it is what links the Nginx access log and the API's log; only
 * sampled ones also have spans.
 */
public final class TraceIds {

    /** The response header: the 32 hex digits of the trace id. */
    public static final String HEADER = "X-Trace-Id";

    /** The problem+json member. */
    public static final String PROBLEM_PROPERTY = "traceId";

    /** The exchange attribute {@link RequestLogFilter} records the trace id under. */
    static final String ATTRIBUTE = TraceIds.class.getName() + ".traceId";

    private TraceIds() {
    }

    /**
     * The trace id of the request, or {@code null} when it has none (tracing is off).
     */
    public static @Nullable String of(ServerWebExchange exchange) {
        return exchange.getAttribute(ATTRIBUTE);
    }

    /** The span of the request's own server observation. */
    static @Nullable TraceContext serverSpan(ServerWebExchange exchange) {
        return ServerRequestObservationContext.findCurrent(exchange.getAttributes()).map(TraceIds::of).orElse(null);
    }

    /**
     * The trace a reactive chain serves: the span of the innermost observation in its
     * Reactor context that tracing handled, or {@code null} outside any.
     */
    static @Nullable TraceContext current(ContextView context) {
        Observation observation = context.getOrDefault(ObservationThreadLocalAccessor.KEY, null);
        return (observation != null) ? of(observation.getContextView()) : null;
    }

    private static @Nullable TraceContext of(Observation.@Nullable ContextView observation) {
        // bounded: observations nest a few levels (request, security filter chain)
        for (int depth = 0; observation != null && depth < 16; depth++) {
            if (observation instanceof Observation.Context context) {
                TracingObservationHandler.TracingContext tracing = context
                    .get(TracingObservationHandler.TracingContext.class);
                Span span = (tracing != null) ? tracing.getSpan() : null;
                if (span != null) {
                    return span.context();
                }
            }
            ObservationView parent = observation.getParentObservation();
            observation = (parent != null) ? parent.getContextView() : null;
        }
        return null;
    }

}
