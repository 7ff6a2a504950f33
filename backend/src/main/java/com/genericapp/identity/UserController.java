package com.genericapp.identity;

import java.net.URI;
import java.security.Principal;
import java.util.List;
import java.util.Map;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
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

    private static final java.util.regex.Pattern USERNAME_PATTERN = java.util.regex.Pattern.compile(USERNAME);

    static final String USERNAME_RULE = "must start with a letter or digit and hold only letters, digits, '.', '_', '@' or '-'";

    private final UserRepository users;

    private final Passwords passwords;

    private final SessionStore sessions;

    UserController(UserRepository users, Passwords passwords, SessionStore sessions) {
        this.users = users;
        this.passwords = passwords;
        this.sessions = sessions;
    }

    @Schema(description = "A new user")
    record NewUser(
            @Schema(example = "editor") @NotNull @Size(min = 1, max = 64) @Pattern(regexp = USERNAME,
                    message = USERNAME_RULE) String username,
            @Schema(format = "password", description = "12 to 256 characters; stored only as an Argon2id hash",
                    example = "correct horse battery") @NotNull @Size(min = Passwords.MIN_LENGTH,
                            max = Passwords.MAX_LENGTH) String password,
            @NotNull Role role) {

        @Override
        public String toString() {
            return "NewUser[" + this.username + ", " + this.role + "]";
        }

    }

    /** A change: the role, the password, or both. */
    @Schema(description = "A change of role, of password, or both (at least one)")
    record UserChange(@Nullable Role role,
            @Schema(format = "password", description = "12 to 256 characters; the user's other sessions end",
                    example = "correct horse battery") @Nullable @Size(min = Passwords.MIN_LENGTH,
                            max = Passwords.MAX_LENGTH) String password) {

        @Override
        public String toString() {
            return "UserChange[" + this.role + "]";
        }

    }

    @Operation(operationId = "listUsers", summary = "Every user, by username (admin)",
            description = "All of them at once: there are at most " + UserRepository.MAX_USERS + ".")
    @ApiResponse(responseCode = "200", description = "The users (at most " + UserRepository.MAX_USERS + ")",
            content = @Content(mediaType = "application/json",
                    array = @ArraySchema(maxItems = UserRepository.MAX_USERS,
                            schema = @Schema(implementation = UserView.class))))
    @GetMapping
    Flux<UserView> list() {
        return this.users.findAll().map(UserAccount::view);
    }

    @Operation(operationId = "getUser", summary = "One user (admin)",
            description = "404 when there is none; 400 for a username no user can have.")
    @GetMapping("/{username}")
    Mono<UserView> get(@Parameter(description = "The username", schema = @Schema(type = "string", maxLength = 64,
            pattern = USERNAME, example = "editor")) @PathVariable String username) {
        requireValidUsername(username);
        return this.users.find(username).map(UserAccount::view).switchIfEmpty(Mono.error(() -> notFound(username)));
    }

    @Operation(operationId = "createUser", summary = "Add a user (admin)",
            description = "409 when the username is taken, or when there are already " + UserRepository.MAX_USERS
                    + " users.")
    @PostMapping
    Mono<ResponseEntity<UserView>> create(@Valid @RequestBody NewUser body) {
        return this.passwords.hash(body.password())
            .flatMap((hash) -> this.users.insert(body.username(), hash, body.role()))
            .map((user) -> ResponseEntity.created(URI.create("/api/users/" + user.username())).body(user.view()))
            .switchIfEmpty(Mono.defer(() -> this.users.find(body.username())
                .flatMap((taken) -> Mono.<ResponseEntity<UserView>>error(conflict("User exists",
                        "A user named '" + body.username() + "' already exists.", "username", "is taken")))
                .switchIfEmpty(Mono.error(() -> conflict("Too many users",
                        "There are already " + UserRepository.MAX_USERS + " users; remove one first.", "username",
                        "is one user too many")))));
    }

    @Operation(operationId = "changeUser", summary = "Change a user's role or password (admin)",
            description = "409 when it would demote the last admin.")
    @PutMapping("/{username}")
    Mono<UserView> change(
            @Parameter(description = "The username",
                    schema = @Schema(type = "string", maxLength = 64, pattern = USERNAME,
                            example = "editor")) @PathVariable String username,
            @Valid @RequestBody UserChange body, Principal principal) {
        requireValidUsername(username);
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

    @Operation(operationId = "deleteUser", summary = "Remove a user (admin); their items stay",
            description = "409 for the last admin.")
    @DeleteMapping("/{username}")
    Mono<ResponseEntity<Void>> delete(@Parameter(description = "The username", schema = @Schema(type = "string",
            maxLength = 64, pattern = USERNAME, example = "editor")) @PathVariable String username) {
        requireValidUsername(username);
        return this.users.delete(username).flatMap((outcome) -> switch (outcome) {
            case DONE -> {
                this.sessions.forget(username);
                yield Mono.just(ResponseEntity.noContent().<Void>build());
            }
            case NOT_FOUND -> Mono.error(notFound(username));
            case LAST_ADMIN -> Mono.error(lastAdmin(username, "deleted"));
        });
    }

    /**
     * A name in the path follows the same rule as a new user's. Checked here rather than
     * with constraints on the parameter: those turn the body's validation into method
     * validation, whose errors no longer name the body's fields.
     */
    private static void requireValidUsername(String username) {
        String problem = (username.length() > 64) ? "must be at most 64 characters"
                : USERNAME_PATTERN.matcher(username).matches() ? null : USERNAME_RULE;
        if (problem != null) {
            ErrorResponseException error = invalid("Invalid input: username " + problem + ".");
            error.getBody().setProperty("errors", List.of(Map.of("field", "username", "message", problem)));
            throw error;
        }
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
