package com.genericapp.system;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Reads the database password from {@code DB_PASSWORD_FILE} (how Docker secrets deliver
 * it: a file under /run/secrets, never an environment variable that
 * {@code docker inspect} would show), and refuses, under the {@code prod} profile, the
 * example password that ships with the repository.
 */
class DatabasePasswordEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

    /** The dev-only password of .env.example, the dev mode and the tests. */
    static final String EXAMPLE_PASSWORD = "change-me-dev-only";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        String passwordFile = environment.getProperty("DB_PASSWORD_FILE");
        if (passwordFile != null && !passwordFile.isBlank()) {
            environment.getPropertySources()
                .addFirst(new MapPropertySource("DB_PASSWORD_FILE", Map.of("DB_PASSWORD",
                        SecretFiles.read(Path.of(passwordFile), "DB_PASSWORD_FILE", "the database password"))));
        }
        boolean production = Arrays.asList(environment.getActiveProfiles()).contains("prod");
        String password = environment.getProperty("DB_PASSWORD", EXAMPLE_PASSWORD);
        if (production && password.equals(EXAMPLE_PASSWORD)) {
            throw new UnsafeConfigurationException(
                    "The prod profile is active but the database password is the" + " example one from the repository ("
                            + EXAMPLE_PASSWORD + ").",
                    "Set DB_PASSWORD_FILE to a file holding a real password (compose: a secret under"
                            + " /run/secrets), or DB_PASSWORD; or run without the prod profile for development.");
        }
    }

    @Override
    public int getOrder() {
        // after the environment variables and config files are in place
        return Ordered.LOWEST_PRECEDENCE;
    }

}
