package com.genericapp.identity;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import com.genericapp.system.TraceIds;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

/**
 * RFC 9457 problems written by the security filters, which answer before any controller
 * (and so before {@code ApiExceptionHandler}) runs: the same members as every other
 * problem of the API.
 */
@Component
class IdentityProblems {

    static final String SIGN_IN = "Sign in first: this needs a signed-in user (POST /api/session).";

    private final JsonMapper json;

    IdentityProblems(JsonMapper json) {
        this.json = json;
    }

    Mono<Void> unauthorized(ServerWebExchange exchange) {
        return write(exchange, HttpStatus.UNAUTHORIZED, "Unauthorized", SIGN_IN, Map.of());
    }

    Mono<Void> forbidden(ServerWebExchange exchange, String detail) {
        return write(exchange, HttpStatus.FORBIDDEN, "Forbidden", detail, Map.of());
    }

    Mono<Void> unavailable(ServerWebExchange exchange) {
        exchange.getResponse().getHeaders().set(HttpHeaders.RETRY_AFTER, "5");
        return write(exchange, HttpStatus.SERVICE_UNAVAILABLE, "Service unavailable",
                "The database is unavailable right now. Try again in a few seconds.", Map.of());
    }

    Mono<Void> write(ServerWebExchange exchange, HttpStatus status, String title, String detail,
            Map<String, Object> extra) {
        ServerHttpResponse response = exchange.getResponse();
        if (response.isCommitted()) {
            return Mono.empty();
        }
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", "about:blank");
        problem.put("title", title);
        problem.put("status", status.value());
        problem.put("detail", detail);
        problem.put("instance", exchange.getRequest().getPath().value());
        problem.putAll(extra);
        String traceId = TraceIds.of(exchange);
        if (traceId != null) {
            problem.put(TraceIds.PROBLEM_PROPERTY, traceId);
        }
        byte[] body = this.json.writeValueAsString(problem).getBytes(StandardCharsets.UTF_8);
        response.setStatusCode(status);
        response.getHeaders().setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        response.getHeaders().setContentLength(body.length);
        DataBuffer buffer = response.bufferFactory().wrap(body);
        return response.writeWith(Mono.just(buffer));
    }

}
