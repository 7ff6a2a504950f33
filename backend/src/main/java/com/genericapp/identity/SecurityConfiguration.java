package com.genericapp.identity;

import reactor.core.publisher.Mono;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.authentication.ReactiveAuthenticationManager;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextImpl;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.context.ServerSecurityContextRepository;
import org.springframework.security.web.server.savedrequest.NoOpServerRequestCache;
import org.springframework.web.server.ServerWebExchange;

/**
 * Who may call what. Everything under {@code /api} needs a signed-in user except signing
 * in; reading items needs {@code viewer}, changing them {@code editor}, users
 * {@code admin}. Health, {@code /healthz}, {@code /status}, the API docs and the page
 * stay open. The session itself is found by {@link SessionFilter}; Spring Security
 * decides and answers 401 (no session) or 403 (role too low) as problem+json.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebFluxSecurity
class SecurityConfiguration {

    @Bean
    SecurityWebFilterChain securityWebFilterChain(ServerHttpSecurity http, IdentityProblems problems) {
        return http.securityContextRepository(new SessionContextRepository())
            // CSRF is checked by SessionFilter, bound to the session; Nginx sets the
            // headers
            .csrf(ServerHttpSecurity.CsrfSpec::disable)
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
     * Users sign in through {@code POST /api/session} only; this keeps Spring Boot from
     * configuring an in-memory user with a generated password.
     */
    @Bean
    ReactiveAuthenticationManager noOtherSignIn() {
        return (authentication) -> Mono.empty();
    }

    private static String roleOf(ServerWebExchange exchange) {
        Object user = exchange.getAttributes().get(SessionFilter.USER);
        return (user instanceof SignedInUser signedIn) ? "you are " + signedIn.role().id() : "not signed in";
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
