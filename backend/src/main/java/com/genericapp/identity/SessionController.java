package com.genericapp.identity;

import java.security.Principal;
import java.time.Duration;
import java.util.Optional;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
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
    @Schema(description = "A username and its password")
    record SignIn(
            @Schema(description = "Any text of 1 to 64 characters: an unknown one fails as a wrong password does",
                    example = "admin") @NotNull @Size(min = 1, max = 64) String username,
            @Schema(format = "password", description = "Never echoed or logged",
                    example = "correct horse battery") @NotNull @Size(min = 1,
                            max = Passwords.MAX_LENGTH) String password) {

        @Override
        public String toString() {
            return "SignIn[" + this.username + "]";
        }

    }

    /** Who is signed in. */
    @Schema(description = "Who is signed in")
    record SessionView(@Schema(maxLength = 64, pattern = UserController.USERNAME, example = "admin") String username,
            Role role) {
    }

    @Operation(operationId = "signIn", summary = "Sign in: sets the SESSION and XSRF-TOKEN cookies",
            description = "Open to anyone (it is how a session starts). Repeated failures for a username or from a"
                    + " client are refused with 429 and Retry-After, by the API and by Nginx.")
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

    @Operation(operationId = "getSession", summary = "Who is signed in",
            description = "The session's user and role; 401 when the session ended (idle 30 minutes, at most 12 hours).")
    @GetMapping
    SessionView current(Principal principal) {
        SignedInUser user = SignedInUser.of(principal);
        return new SessionView(user.username(), user.role());
    }

    @Operation(operationId = "signOut", summary = "Sign out: the session ends on the server",
            description = "204 and both cookies cleared; a copy of the cookie no longer works anywhere.")
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
