package com.genericapp.identity;

import java.net.URI;
import java.security.Principal;
import java.util.List;
import java.util.Map;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * User management, for admins. The last admin can be neither demoted nor deleted (409). A
 * password change signs the user out everywhere but in the session that made it.
 */
@RestController
@RequestMapping("/api/users")
class UserController {

    static final String USERNAME = "^[A-Za-z0-9][A-Za-z0-9._@-]*$";

    private final UserRepository users;

    private final Passwords passwords;

    private final SessionStore sessions;

    UserController(UserRepository users, Passwords passwords, SessionStore sessions) {
        this.users = users;
        this.passwords = passwords;
        this.sessions = sessions;
    }

    record NewUser(@NotNull @Size(min = 1, max = 64) @Pattern(regexp = USERNAME,
            message = "must start with a letter or digit and hold only letters, digits, '.', '_', '@' or '-'") String username,
            @NotNull @Size(min = Passwords.MIN_LENGTH, max = Passwords.MAX_LENGTH) String password,
            @NotNull Role role) {

        @Override
        public String toString() {
            return "NewUser[" + this.username + ", " + this.role + "]";
        }

    }

    /** A change: the role, the password, or both. */
    record UserChange(@Nullable Role role,
            @Nullable @Size(min = Passwords.MIN_LENGTH, max = Passwords.MAX_LENGTH) String password) {

        @Override
        public String toString() {
            return "UserChange[" + this.role + "]";
        }

    }

    @GetMapping
    Flux<UserView> list() {
        return this.users.findAll().map(UserAccount::view);
    }

    @GetMapping("/{username}")
    Mono<UserView> get(@PathVariable String username) {
        return this.users.find(username).map(UserAccount::view).switchIfEmpty(Mono.error(() -> notFound(username)));
    }

    @PostMapping
    Mono<ResponseEntity<UserView>> create(@Valid @RequestBody NewUser body) {
        return this.passwords.hash(body.password())
            .flatMap((hash) -> this.users.insert(body.username(), hash, body.role()))
            .map((user) -> ResponseEntity.created(URI.create("/api/users/" + user.username())).body(user.view()))
            .switchIfEmpty(Mono.error(() -> conflict("User exists",
                    "A user named '" + body.username() + "' already exists.", "username", "is taken")));
    }

    @PutMapping("/{username}")
    Mono<UserView> change(@PathVariable String username, @Valid @RequestBody UserChange body, Principal principal) {
        if (body.role() == null && body.password() == null) {
            return Mono.error(invalid("Send a role, a password, or both."));
        }
        SignedInUser me = SignedInUser.of(principal);
        Mono<String> hash = (body.password() != null) ? this.passwords.hash(body.password()) : Mono.just("");
        return hash.flatMap((newHash) -> this.users.update(username, body.role(), newHash.isEmpty() ? null : newHash,
                me.username().equals(username) ? me.sessionHash() : null))
            .flatMap((outcome) -> switch (outcome) {
                case DONE -> {
                    this.sessions.forget(username);
                    yield this.users.find(username).map(UserAccount::view);
                }
                case NOT_FOUND -> Mono.error(notFound(username));
                case LAST_ADMIN -> Mono.error(lastAdmin(username, "demoted"));
            });
    }

    @DeleteMapping("/{username}")
    Mono<ResponseEntity<Void>> delete(@PathVariable String username) {
        return this.users.delete(username).flatMap((outcome) -> switch (outcome) {
            case DONE -> {
                this.sessions.forget(username);
                yield Mono.just(ResponseEntity.noContent().<Void>build());
            }
            case NOT_FOUND -> Mono.error(notFound(username));
            case LAST_ADMIN -> Mono.error(lastAdmin(username, "deleted"));
        });
    }

    private static ErrorResponseException notFound(String username) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND,
                "There is no user named '" + username + "'.");
        problem.setTitle("User not found");
        return new ErrorResponseException(HttpStatus.NOT_FOUND, problem, null);
    }

    private static ErrorResponseException lastAdmin(String username, String what) {
        return conflict("Last admin",
                "'" + username + "' is the last admin and cannot be " + what + "; make another user admin first.",
                "role", "is the last admin");
    }

    private static ErrorResponseException conflict(String title, String detail, String field, String message) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, detail);
        problem.setTitle(title);
        problem.setProperty("errors", List.of(Map.of("field", field, "message", message)));
        return new ErrorResponseException(HttpStatus.CONFLICT, problem, null);
    }

    private static ErrorResponseException invalid(String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, detail);
        problem.setTitle("Invalid request");
        return new ErrorResponseException(HttpStatus.BAD_REQUEST, problem, null);
    }

}
