package com.genericapp.identity;

import com.genericapp.system.RequestLogContext;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import org.springframework.core.Ordered;
import org.springframework.http.HttpCookie;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Runs before Spring Security: finds the session of the {@code SESSION} cookie (a request
 * without one, or with an ended one, goes on as anonymous and the rules decide) and
 * leaves it in the exchange for {@link SecurityConfiguration}'s context repository and
 * CSRF token repository. While the database cannot be asked, a request with a cookie gets
 * 503, not a 401 that would sign the page out.
 */
@Component
class SessionFilter implements WebFilter, Ordered {

    /** The exchange attribute holding the {@link SignedInUser}. */
    static final String USER = SessionFilter.class.getName() + ".user";

    /** The exchange attribute holding the session token of the request's cookie. */
    static final String TOKEN = SessionFilter.class.getName() + ".token";

    private static final Logger logger = LoggerFactory.getLogger(SessionFilter.class);

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
            RequestLogContext.log(exchange, () -> logger.warn("Session look-up failed: {}", ex.toString()));
            return Mono.just(Found.FAILED);
        }).flatMap((found) -> {
            if (found == Found.FAILED) {
                return this.problems.unavailable(exchange);
            }
            SignedInUser user = found.user();
            if (user == null) {
                return chain.filter(exchange);
            }
            exchange.getAttributes().put(USER, user);
            exchange.getAttributes().put(TOKEN, token);
            return chain.filter(exchange);
        });
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
