package com.genericapp.identity;

import java.security.Principal;
import java.time.Duration;
import java.util.Optional;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseCookie;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Signing in and out. A wrong username and a wrong password get the same 401, after the
 * same hashing work; repeated failures are throttled (429 with {@code Retry-After}).
 */
@RestController
@RequestMapping("/api/session")
class SessionController {

    static final String WRONG = "The username or password is wrong.";

    private final UserRepository users;

    private final SessionStore sessions;

    private final Passwords passwords;

    private final SignInThrottle throttle;

    private final TrustedProxies proxies;

    SessionController(UserRepository users, SessionStore sessions, Passwords passwords, SignInThrottle throttle,
            TrustedProxies proxies) {
        this.users = users;
        this.sessions = sessions;
        this.passwords = passwords;
        this.throttle = throttle;
        this.proxies = proxies;
    }

    /**
     * What signing in sends. Bounded, so that no one can make the hash work on a
     * megabyte.
     */
    record SignIn(@NotNull @Size(min = 1, max = 64) String username,
            @NotNull @Size(min = 1, max = Passwords.MAX_LENGTH) String password) {

        @Override
        public String toString() {
            return "SignIn[" + this.username + "]";
        }

    }

    /** Who is signed in. */
    record SessionView(String username, Role role) {
    }

    @PostMapping
    Mono<ResponseEntity<SessionView>> signIn(@Valid @RequestBody SignIn body, ServerHttpRequest request) {
        String client = this.proxies.client(request);
        boolean secure = this.proxies.secure(request);
        return this.throttle.retryAfter(body.username(), client).flatMap((wait) -> {
            if (wait > 0) {
                return Mono.error(tooManyAttempts(wait));
            }
            // one hash either way: an unknown username costs what a wrong password costs
            return this.users.find(body.username())
                .map(Optional::of)
                .defaultIfEmpty(Optional.empty())
                .flatMap((found) -> this.passwords
                    .matches(body.password(), found.map(UserAccount::passwordHash).orElse(""))
                    .flatMap((matches) -> {
                        if (matches && found.isPresent()) {
                            UserAccount user = found.get();
                            return this.throttle.succeeded(user.username())
                                .then(this.sessions.create(user.username()))
                                .map((token) -> signedIn(user, token, secure));
                        }
                        return this.throttle.failed(body.username(), client)
                            .then(Mono.<ResponseEntity<SessionView>>error(wrongCredentials()));
                    }));
        });
    }

    @GetMapping
    SessionView current(Principal principal) {
        SignedInUser user = SignedInUser.of(principal);
        return new SessionView(user.username(), user.role());
    }

    @DeleteMapping
    Mono<ResponseEntity<Void>> signOut(Principal principal, ServerHttpRequest request) {
        boolean secure = this.proxies.secure(request);
        return this.sessions.delete(SignedInUser.of(principal).sessionHash())
            .thenReturn(ResponseEntity.noContent()
                .header(HttpHeaders.SET_COOKIE, cookie(SessionStore.COOKIE, "", true, secure, Duration.ZERO).toString())
                .header(HttpHeaders.SET_COOKIE,
                        cookie(SessionStore.CSRF_COOKIE, "", false, secure, Duration.ZERO).toString())
                .build());
    }

    private ResponseEntity<SessionView> signedIn(UserAccount user, String token, boolean secure) {
        Duration maxAge = this.sessions.maxAge();
        return ResponseEntity.ok()
            .header(HttpHeaders.SET_COOKIE, cookie(SessionStore.COOKIE, token, true, secure, maxAge).toString())
            .header(HttpHeaders.SET_COOKIE,
                    cookie(SessionStore.CSRF_COOKIE, SessionStore.csrfToken(token), false, secure, maxAge).toString())
            .header(HttpHeaders.CACHE_CONTROL, "no-store")
            .body(new SessionView(user.username(), user.role()));
    }

    static ResponseCookie cookie(String name, String value, boolean httpOnly, boolean secure, Duration maxAge) {
        return ResponseCookie.from(name, value)
            .httpOnly(httpOnly)
            .secure(secure)
            .sameSite("Strict")
            .path("/")
            .maxAge(maxAge)
            .build();
    }

    private static ErrorResponseException wrongCredentials() {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.UNAUTHORIZED, WRONG);
        problem.setTitle("Sign-in failed");
        return new ErrorResponseException(HttpStatus.UNAUTHORIZED, problem, null);
    }

    private static ErrorResponseException tooManyAttempts(long seconds) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.TOO_MANY_REQUESTS,
                "Too many failed sign-ins. Try again in " + seconds + " seconds.");
        problem.setTitle("Too many attempts");
        ErrorResponseException error = new ErrorResponseException(HttpStatus.TOO_MANY_REQUESTS, problem, null);
        error.getHeaders().set(HttpHeaders.RETRY_AFTER, Long.toString(seconds));
        return error;
    }

}
