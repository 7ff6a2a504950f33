package com.genericapp.identity;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.http.HttpCookie;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Runs before Spring Security: finds the session of the {@code SESSION} cookie (a request
 * without one, or with an ended one, goes on as anonymous and the rules decide), and for
 * an unsafe method sent with a live session requires the {@code X-XSRF-TOKEN} header to
 * equal the {@code XSRF-TOKEN} cookie and the session's own token (403 otherwise). While
 * the database cannot be asked, a request with a cookie gets 503, not a 401 that would
 * sign the page out.
 */
@Component
class SessionFilter implements WebFilter, Ordered {

    /** The exchange attribute holding the {@link SignedInUser}. */
    static final String USER = SessionFilter.class.getName() + ".user";

    /** The exchange attribute holding the session token of the request's cookie. */
    static final String TOKEN = SessionFilter.class.getName() + ".token";

    private static final Logger logger = LoggerFactory.getLogger(SessionFilter.class);

    private static final Set<HttpMethod> SAFE = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS,
            HttpMethod.TRACE);

    private final SessionStore sessions;

    private final IdentityProblems problems;

    SessionFilter(SessionStore sessions, IdentityProblems problems) {
        this.sessions = sessions;
        this.problems = problems;
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        ServerHttpRequest request = exchange.getRequest();
        HttpCookie cookie = request.getCookies().getFirst(SessionStore.COOKIE);
        if (cookie == null || cookie.getValue().isEmpty() || !request.getPath().value().startsWith("/api/")) {
            return chain.filter(exchange);
        }
        String token = cookie.getValue();
        return this.sessions.find(token).map(Found::new).defaultIfEmpty(Found.NONE).onErrorResume((ex) -> {
            logger.warn("Session look-up failed: {}", ex.toString());
            return Mono.just(Found.FAILED);
        }).flatMap((found) -> {
            if (found == Found.FAILED) {
                return this.problems.unavailable(exchange);
            }
            SignedInUser user = found.user();
            if (user == null) {
                return chain.filter(exchange);
            }
            if (!SAFE.contains(request.getMethod()) && !csrfMatches(request, token)) {
                return this.problems.forbidden(exchange,
                        "This change needs the X-XSRF-TOKEN header, equal to the XSRF-TOKEN cookie"
                                + " (a protection against cross-site requests).");
            }
            exchange.getAttributes().put(USER, user);
            exchange.getAttributes().put(TOKEN, token);
            return chain.filter(exchange);
        });
    }

    private static boolean csrfMatches(ServerHttpRequest request, String sessionToken) {
        String header = request.getHeaders().getFirst(SessionStore.CSRF_HEADER);
        HttpCookie cookie = request.getCookies().getFirst(SessionStore.CSRF_COOKIE);
        if (header == null || cookie == null) {
            return false;
        }
        byte[] expected = SessionStore.csrfToken(sessionToken).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(header.getBytes(StandardCharsets.UTF_8), expected)
                && MessageDigest.isEqual(cookie.getValue().getBytes(StandardCharsets.UTF_8), expected);
    }

    @Override
    public int getOrder() {
        // after the request log (highest precedence), before Spring Security's chain
        // (-100)
        return -200;
    }

    private record Found(@Nullable SignedInUser user) {

        static final Found NONE = new Found(null);

        static final Found FAILED = new Found(null);

    }

}
