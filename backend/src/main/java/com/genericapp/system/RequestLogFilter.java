package com.genericapp.system;

import java.util.UUID;
import java.util.regex.Pattern;

import io.micrometer.tracing.TraceContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.SignalType;

import org.springframework.core.Ordered;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponseDecorator;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * One log line per request: method, path, outcome, duration and request id (also as the
 * line's {@code http.request.id} field when logs are JSON, as under the prod profile).
 * The outcome is the status sent, or {@code 499 client went away} when the client left
 * before the exchange ended (the status Nginx logs for the same case), never a success
 * that did not happen. The id is taken from {@code X-Request-ID} (Nginx sets it) or
 * generated, and returned in the response, so a user's report, the Nginx access log and
 * this log can be matched. The W3C trace id of the request goes back as
 * {@code X-Trace-Id} ({@link TraceIds}) and into the line as {@code traceId}, with the
 * server span's {@code spanId}; both ids are kept on the exchange for every other line
 * written about the request ({@link RequestLogContext}).
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
        TraceContext trace = TraceIds.serverSpan(exchange);
        if (trace != null) {
            exchange.getResponse().getHeaders().set(TraceIds.HEADER, trace.traceId());
            exchange.getAttributes().put(TraceIds.ATTRIBUTE, trace.traceId());
            exchange.getAttributes().put(RequestLogContext.SPAN_ATTRIBUTE, trace);
        }
        exchange.getAttributes().put(RequestLogContext.REQUEST_ID_ATTRIBUTE, requestId);
        long start = System.nanoTime();
        BodyWatch response = new BodyWatch(exchange.getResponse());
        ServerWebExchange withId = exchange.mutate()
            .request((r) -> r.headers((h) -> h.set(REQUEST_ID, requestId)))
            .response(response)
            .build();
        return chain.filter(withId).doFinally((signal) -> {
            long millis = (System.nanoTime() - start) / 1_000_000;
            // the ids are fields of their own in the JSON lines of the prod profile
            RequestLogContext.log(requestId, trace, () -> logger.info("{} {} {} {}ms id={}", request.getMethod(),
                    request.getPath().value(), outcome(signal, response), millis, requestId));
        });
    }

    private static String outcome(SignalType signal, BodyWatch response) {
        HttpStatusCode status = response.getStatusCode();
        if (signal == SignalType.CANCEL || response.bodyCancelled) {
            // a stream the client closed had its status sent already: say both
            return response.isCommitted() && status != null ? status.value() + " then client went away"
                    : "499 client went away";
        }
        if (signal == SignalType.ON_ERROR) {
            // handled after this filter, by the WebExceptionHandler: the status is not
            // known yet
            return (status != null) ? status.value() + " error" : "error";
        }
        return String.valueOf((status != null) ? status.value() : 200);
    }

    /**
     * Notes whether the server gave up writing the body before its end. Reactor Netty
     * cancels the body's publisher when the connection closes under it, while the
     * exchange itself then completes normally (an event stream the client closed ended as
     * a plain 200); a body that was written to its end is never cancelled afterwards, so
     * a client that closes right after a full answer is not counted as gone.
     */
    private static final class BodyWatch extends ServerHttpResponseDecorator {

        private volatile boolean bodyCancelled;

        BodyWatch(ServerHttpResponse delegate) {
            super(delegate);
        }

        @Override
        public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
            return super.writeWith(Flux.from(body).doOnCancel(this::cancelled));
        }

        @Override
        public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
            return super.writeAndFlushWith(Flux.from(body).doOnCancel(this::cancelled));
        }

        private void cancelled() {
            this.bodyCancelled = true;
        }

    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }

}
