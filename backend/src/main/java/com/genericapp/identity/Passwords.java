package com.genericapp.identity;

import java.util.Map;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;
import org.springframework.security.crypto.bcrypt.BCryptPasswordEncoder;
import org.springframework.security.crypto.password.DelegatingPasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Component;

/**
 * Password hashing: Spring Security's {@link DelegatingPasswordEncoder}, Argon2id for new
 * hashes, bcrypt still accepted (a hash names its algorithm, so it can change later). A
 * hash costs tens of milliseconds of CPU on purpose, so it runs off the event loop.
 */
@Component
public class Passwords {

    /** The shortest password accepted. */
    public static final int MIN_LENGTH = 12;

    /** The longest: hashing cost grows with length, so a bound keeps it bounded. */
    public static final int MAX_LENGTH = 256;

    private static final String ARGON2 = "argon2@SpringSecurity_v5_8";

    private final PasswordEncoder encoder = new DelegatingPasswordEncoder(ARGON2, Map.of(ARGON2,
            Argon2PasswordEncoder.defaultsForSpringSecurity_v5_8(), "bcrypt", new BCryptPasswordEncoder()));

    /**
     * Compared against when the username is unknown, so that a wrong username takes as
     * long as a wrong password.
     */
    private final String decoy = this.encoder.encode("decoy password, never valid");

    public Mono<String> hash(String password) {
        return Mono.fromCallable(() -> this.encoder.encode(password)).subscribeOn(Schedulers.boundedElastic());
    }

    /**
     * Whether {@code password} matches {@code hash}; with no hash, false after the same
     * work.
     */
    public Mono<Boolean> matches(String password, String hash) {
        return Mono
            .fromCallable(() -> this.encoder.matches(password, hash.isEmpty() ? this.decoy : hash) && !hash.isEmpty())
            .subscribeOn(Schedulers.boundedElastic());
    }

    /** Why {@code password} is not acceptable, or null. */
    public static @Nullable String problemWith(String password) {
        if (password.length() < MIN_LENGTH) {
            return "must have at least " + MIN_LENGTH + " characters";
        }
        if (password.length() > MAX_LENGTH) {
            return "must have at most " + MAX_LENGTH + " characters";
        }
        return null;
    }

}
