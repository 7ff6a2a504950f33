package com.genericapp.identity;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import com.genericapp.system.SecretFiles;
import com.genericapp.system.UnsafeConfigurationException;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Reads the first admin's password from {@code ADMIN_PASSWORD_FILE} (a Docker secret),
 * and under the {@code prod} profile refuses to start without one, with the example one
 * of the repository, or with one shorter than {@value Passwords#MIN_LENGTH} characters.
 * The migrate-only run needs none.
 */
class AdminPasswordEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

    /** The dev-only admin password of .env.example and the secrets README. */
    static final String EXAMPLE_PASSWORD = "change-me-admin-dev-only";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        List<String> profiles = Arrays.asList(environment.getActiveProfiles());
        if (profiles.contains("migrate")) {
            return;
        }
        String file = environment.getProperty("ADMIN_PASSWORD_FILE");
        if (file != null && !file.isBlank()) {
            environment.getPropertySources()
                .addFirst(new MapPropertySource("ADMIN_PASSWORD_FILE", Map.of("ADMIN_PASSWORD",
                        SecretFiles.read(Path.of(file), "ADMIN_PASSWORD_FILE", "the first admin's password"))));
        }
        if (!profiles.contains("prod")) {
            return;
        }
        String password = environment.getProperty("ADMIN_PASSWORD", "");
        String action = "Set ADMIN_PASSWORD_FILE to a file holding the first admin's password (compose: the"
                + " admin_password secret, written by postgres/secrets/generate), or ADMIN_PASSWORD; or run"
                + " without the prod profile for development.";
        if (password.isBlank()) {
            throw new UnsafeConfigurationException(
                    "The prod profile is active but no admin password is set (ADMIN_PASSWORD_FILE).", action);
        }
        if (password.equals(EXAMPLE_PASSWORD)) {
            throw new UnsafeConfigurationException("The prod profile is active but the admin password is the"
                    + " example one from the repository (" + EXAMPLE_PASSWORD + ").", action);
        }
        if (password.length() < Passwords.MIN_LENGTH) {
            throw new UnsafeConfigurationException("The prod profile is active but the admin password has fewer than "
                    + Passwords.MIN_LENGTH + " characters.", action);
        }
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }

}
