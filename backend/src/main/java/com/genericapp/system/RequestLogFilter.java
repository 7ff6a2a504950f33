package com.genericapp.system;

import java.util.UUID;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;

import org.springframework.core.Ordered;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * One log line per request: method, path, outcome, duration and request id. The outcome
 * is the status sent, or {@code 499 client went away} when the client left before the
 * exchange ended (the status Nginx logs for the same case), never a success that did not
 * happen. The id is taken from {@code X-Request-ID} (Nginx sets it) or generated, and
 * returned in the response, so a user's report, the Nginx access log and this log can be
 * matched.
 */
@Component
class RequestLogFilter implements WebFilter, Ordered {

    static final String REQUEST_ID = "X-Request-ID";

    /** Ids we accept from outside: no spaces or control characters can reach the log. */
    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private static final Logger logger = LoggerFactory.getLogger("com.genericapp.requests");

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        ServerHttpRequest request = exchange.getRequest();
        String incoming = request.getHeaders().getFirst(REQUEST_ID);
        String requestId = (incoming != null && SAFE_ID.matcher(incoming).matches()) ? incoming
                : UUID.randomUUID().toString();
        exchange.getResponse().getHeaders().set(REQUEST_ID, requestId);
        long start = System.nanoTime();
        ServerWebExchange withId = exchange.mutate()
            .request((r) -> r.headers((h) -> h.set(REQUEST_ID, requestId)))
            .build();
        return chain.filter(withId).doFinally((signal) -> {
            long millis = (System.nanoTime() - start) / 1_000_000;
            logger.info("{} {} {} {}ms id={}", request.getMethod(), request.getPath().value(),
                    outcome(signal, exchange), millis, requestId);
        });
    }

    private static String outcome(SignalType signal, ServerWebExchange exchange) {
        HttpStatusCode status = exchange.getResponse().getStatusCode();
        if (signal == SignalType.CANCEL) {
            // a stream the client closed had its status sent already: say both
            return exchange.getResponse().isCommitted() && status != null ? status.value() + " then client went away"
                    : "499 client went away";
        }
        if (signal == SignalType.ON_ERROR) {
            // handled after this filter, by the WebExceptionHandler: the status is not
            // known yet
            return (status != null) ? status.value() + " error" : "error";
        }
        return String.valueOf((status != null) ? status.value() : 200);
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }

}
