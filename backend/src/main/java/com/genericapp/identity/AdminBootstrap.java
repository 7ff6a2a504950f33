package com.genericapp.identity;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.context.annotation.Profile;
import org.springframework.stereotype.Component;

/**
 * On a database without users, creates the first admin: {@code ADMIN_USERNAME} (default
 * {@code admin}) with the password of {@code ADMIN_PASSWORD_FILE} or
 * {@code ADMIN_PASSWORD}. Without a password (the dev mode: the prod profile refuses to
 * start without one) it makes a random one and prints it once, to the console only. Tried
 * once during start-up; while the database is unreachable, retried in the background.
 */
@Component
// the migrate-only run (compose's migrate job, as the schema owner) makes no user: the
// api,
// which has the admin secret, does
@Profile("!migrate")
class AdminBootstrap implements ApplicationRunner, DisposableBean {

    private static final Logger logger = LoggerFactory.getLogger(AdminBootstrap.class);

    private final UserRepository users;

    private final Passwords passwords;

    private final String username;

    private final String password;

    private volatile Disposable retrying = () -> {
    };

    AdminBootstrap(UserRepository users, Passwords passwords, @Value("${identity.admin.username}") String username,
            @Value("${identity.admin.password}") String password) {
        this.users = users;
        this.passwords = passwords;
        this.username = username;
        this.password = password;
    }

    @Override
    public void run(ApplicationArguments args) {
        try {
            bootstrap().block(Duration.ofSeconds(10));
        }
        catch (RuntimeException ex) {
            logger.warn("Could not check for a first admin yet ({}); retrying in the background", ex.toString());
            this.retrying = bootstrap()
                .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofSeconds(1)).maxBackoff(Duration.ofSeconds(15)))
                .subscribe((ignored) -> {
                }, (error) -> logger.error("First admin not created: {}", error.toString()));
        }
    }

    private Mono<Void> bootstrap() {
        return this.users.isEmpty().filter(Boolean::booleanValue).flatMap((empty) -> {
            boolean generated = this.password.isBlank();
            String chosen = generated ? randomPassword() : this.password;
            return this.passwords.hash(chosen)
                .flatMap((hash) -> this.users.insertFirst(this.username, hash, Role.ADMIN))
                .doOnNext((user) -> announce(user, generated ? chosen : null));
        }).then();
    }

    private static void announce(UserAccount user, @Nullable String generatedPassword) {
        logger.info("Created the first admin, '{}'", user.username());
        if (generatedPassword != null) {
            // printed once, on the console, never logged: the dev mode's only way to sign
            // in
            System.out.printf(
                    "%n  First admin created: username '%s', password '%s'%n"
                            + "  (generated because ADMIN_PASSWORD is not set; shown only this once)%n%n",
                    user.username(), generatedPassword);
        }
    }

    private static String randomPassword() {
        byte[] bytes = new byte[18];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    @Override
    public void destroy() {
        this.retrying.dispose();
    }

}
