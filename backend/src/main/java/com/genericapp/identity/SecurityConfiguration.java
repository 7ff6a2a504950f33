package com.genericapp.identity;

import java.util.Set;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.authentication.ReactiveAuthenticationManager;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextImpl;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.context.ServerSecurityContextRepository;
import org.springframework.security.web.server.csrf.CsrfToken;
import org.springframework.security.web.server.csrf.DefaultCsrfToken;
import org.springframework.security.web.server.csrf.ServerCsrfTokenRepository;
import org.springframework.security.web.server.csrf.ServerCsrfTokenRequestAttributeHandler;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatcher;
import org.springframework.security.web.server.savedrequest.NoOpServerRequestCache;
import org.springframework.web.server.ServerWebExchange;

/**
 * Who may call what. Everything under {@code /api} needs a signed-in user except signing
 * in; reading items needs {@code viewer}, changing them {@code editor}, users
 * {@code admin}. Health, {@code /healthz}, {@code /status}, the API docs and the page
 * stay open. The session itself is found by {@link SessionFilter}; Spring Security
 * decides, checks CSRF, and answers 401 (no session) or 403 (role too low, no CSRF
 * header) as problem+json.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebFluxSecurity
class SecurityConfiguration {

    @Bean
    SecurityWebFilterChain securityWebFilterChain(ServerHttpSecurity http, IdentityProblems problems) {
        return http.securityContextRepository(new SessionContextRepository())
            // Spring Security's CSRF filter, with a token bound to the session: an unsafe
            // method sent with a live session needs X-XSRF-TOKEN = the XSRF-TOKEN cookie
            .csrf((csrf) -> csrf.csrfTokenRepository(new SessionCsrfTokenRepository())
                // the header carries the cookie's value as it is (no BREACH masking: the
                // token
                // is never in a compressed response body)
                .csrfTokenRequestHandler(new ServerCsrfTokenRequestAttributeHandler())
                .requireCsrfProtectionMatcher(SecurityConfiguration::unsafeWithSession)
                .accessDeniedHandler((exchange, ex) -> problems.forbidden(exchange, CSRF_MISSING)))
            // Nginx sets the security headers
            .headers(ServerHttpSecurity.HeaderSpec::disable)
            .httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
            .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
            .logout(ServerHttpSecurity.LogoutSpec::disable)
            .requestCache((cache) -> cache.requestCache(NoOpServerRequestCache.getInstance()))
            .authorizeExchange((rules) -> rules.pathMatchers(HttpMethod.POST, "/api/session")
                .permitAll()
                .pathMatchers(HttpMethod.GET, "/api/items", "/api/items/**")
                .hasAuthority(Role.VIEWER.authority())
                .pathMatchers(HttpMethod.HEAD, "/api/items", "/api/items/**")
                .hasAuthority(Role.VIEWER.authority())
                .pathMatchers("/api/items", "/api/items/**")
                .hasAuthority(Role.EDITOR.authority())
                .pathMatchers("/api/users", "/api/users/**")
                .hasAuthority(Role.ADMIN.authority())
                .pathMatchers("/api", "/api/**")
                .authenticated()
                .anyExchange()
                .permitAll())
            .exceptionHandling(
                    (errors) -> errors.authenticationEntryPoint((exchange, ex) -> problems.unauthorized(exchange))
                        .accessDeniedHandler((exchange, ex) -> problems.forbidden(exchange,
                                "Your role does not allow this (" + roleOf(exchange) + ").")))
            .build();
    }

    /**
     * With Spring Security's observations off (application.yaml), its filter chain is not
     * decorated for observation at all: the property alone leaves the decorator making a
     * context, and a no-op observation, for each of its filters on every request, and
     * keeping them for as long as the request lasts (an event stream: its whole life).
     */
    @Bean
    @ConditionalOnBooleanProperty(name = "management.observations.enable.spring.security", havingValue = false)
    SecurityObservationSettings noSecurityObservations() {
        return SecurityObservationSettings.noObservations();
    }

    /**
     * Users sign in through {@code POST /api/session} only; this keeps Spring Boot from
     * configuring an in-memory user with a generated password.
     */
    @Bean
    ReactiveAuthenticationManager noOtherSignIn() {
        return (authentication) -> Mono.empty();
    }

    static final String CSRF_MISSING = "This change needs the X-XSRF-TOKEN header, equal to the XSRF-TOKEN cookie"
            + " (a protection against cross-site requests).";

    private static final Set<HttpMethod> SAFE = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS,
            HttpMethod.TRACE);

    /**
     * CSRF protects what a session may do: signing in (no session yet) needs no token,
     * and an anonymous change is refused with 401 anyway.
     */
    private static Mono<ServerWebExchangeMatcher.MatchResult> unsafeWithSession(ServerWebExchange exchange) {
        boolean unsafe = !SAFE.contains(exchange.getRequest().getMethod());
        boolean signedIn = exchange.getAttributes().get(SessionFilter.USER) instanceof SignedInUser;
        return (unsafe && signedIn) ? ServerWebExchangeMatcher.MatchResult.match()
                : ServerWebExchangeMatcher.MatchResult.notMatch();
    }

    private static String roleOf(ServerWebExchange exchange) {
        Object user = exchange.getAttributes().get(SessionFilter.USER);
        return (user instanceof SignedInUser signedIn) ? "you are " + signedIn.role().id() : "not signed in";
    }

    /**
     * The session's CSRF token, derived from the session token (SHA-256), so a cookie
     * planted by another site cannot match and nothing more is stored; the sign-in sets
     * it as the {@code XSRF-TOKEN} cookie.
     */
    private static final class SessionCsrfTokenRepository implements ServerCsrfTokenRepository {

        @Override
        public Mono<CsrfToken> generateToken(ServerWebExchange exchange) {
            // asked only when there is no session: a token nothing will accept
            return Mono.just(token(SessionStore.csrfToken("no session " + System.nanoTime())));
        }

        @Override
        public Mono<Void> saveToken(ServerWebExchange exchange, @Nullable CsrfToken token) {
            return Mono.empty();
        }

        @Override
        public Mono<CsrfToken> loadToken(ServerWebExchange exchange) {
            Object sessionToken = exchange.getAttributes().get(SessionFilter.TOKEN);
            return (sessionToken instanceof String session) ? Mono.just(token(SessionStore.csrfToken(session)))
                    : Mono.empty();
        }

        private static CsrfToken token(String value) {
            return new DefaultCsrfToken(SessionStore.CSRF_HEADER, "_csrf", value);
        }

    }

    /** The security context is the session {@link SessionFilter} found, or none. */
    private static final class SessionContextRepository implements ServerSecurityContextRepository {

        @Override
        public Mono<Void> save(ServerWebExchange exchange, SecurityContext context) {
            return Mono.empty();
        }

        @Override
        public Mono<SecurityContext> load(ServerWebExchange exchange) {
            Object user = exchange.getAttributes().get(SessionFilter.USER);
            if (user instanceof SignedInUser signedIn) {
                return Mono.just(new SecurityContextImpl(UsernamePasswordAuthenticationToken.authenticated(signedIn,
                        null, signedIn.role().authorities())));
            }
            return Mono.empty();
        }

    }

}
