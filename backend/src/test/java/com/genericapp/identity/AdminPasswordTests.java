package com.genericapp.identity;

import java.nio.file.Files;
import java.nio.file.Path;

import com.genericapp.system.UnsafeConfigurationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.SpringApplication;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The first admin's password from the environment, and what the prod profile refuses. */
class AdminPasswordTests {

    private final AdminPasswordEnvironmentPostProcessor postProcessor = new AdminPasswordEnvironmentPostProcessor();

    @Test
    void theSecretFileWinsOverTheVariableAndItsTrailingNewlineIsNotPartOfIt(@TempDir Path dir) throws Exception {
        Path secret = dir.resolve("admin_password");
        Files.writeString(secret, "from-the-secret-file\n");
        MockEnvironment environment = new MockEnvironment().withProperty("ADMIN_PASSWORD", "from-env")
            .withProperty("ADMIN_PASSWORD_FILE", secret.toString());
        environment.setActiveProfiles("prod");
        this.postProcessor.postProcessEnvironment(environment, new SpringApplication());
        assertThat(environment.getProperty("ADMIN_PASSWORD")).isEqualTo("from-the-secret-file");
    }

    @Test
    void prodRefusesNoPasswordTheExampleOneAndAShortOne() {
        assertRefused(new MockEnvironment(), "no admin password is set");
        assertRefused(new MockEnvironment().withProperty("ADMIN_PASSWORD",
                AdminPasswordEnvironmentPostProcessor.EXAMPLE_PASSWORD), "example");
        assertRefused(new MockEnvironment().withProperty("ADMIN_PASSWORD", "elevenchars"), "fewer than 12");
    }

    @Test
    void aRefusalNeverShowsThePassword() {
        MockEnvironment environment = new MockEnvironment().withProperty("ADMIN_PASSWORD", "short-pw");
        environment.setActiveProfiles("prod");
        assertThatThrownBy(() -> this.postProcessor.postProcessEnvironment(environment, new SpringApplication()))
            .isInstanceOf(UnsafeConfigurationException.class)
            .message()
            .doesNotContain("short-pw");
    }

    @Test
    void anEmptyOrUnreadableFileIsAClearStartupError(@TempDir Path dir) throws Exception {
        Path empty = Files.writeString(dir.resolve("empty"), "\n");
        assertThatThrownBy(() -> this.postProcessor.postProcessEnvironment(
                new MockEnvironment().withProperty("ADMIN_PASSWORD_FILE", empty.toString()), new SpringApplication()))
            .isInstanceOf(UnsafeConfigurationException.class)
            .hasMessageContaining("is empty");
        assertThatThrownBy(() -> this.postProcessor.postProcessEnvironment(
                new MockEnvironment().withProperty("ADMIN_PASSWORD_FILE", dir.resolve("missing").toString()),
                new SpringApplication()))
            .isInstanceOf(UnsafeConfigurationException.class)
            .hasMessageContaining("cannot be read");
    }

    @Test
    void theDevModeAndTheMigrateRunNeedNone() {
        assertThatNoException().isThrownBy(
                () -> this.postProcessor.postProcessEnvironment(new MockEnvironment(), new SpringApplication()));
        MockEnvironment migrate = new MockEnvironment();
        migrate.setActiveProfiles("prod", "migrate");
        assertThatNoException()
            .isThrownBy(() -> this.postProcessor.postProcessEnvironment(migrate, new SpringApplication()));
    }

    private void assertRefused(MockEnvironment environment, String reason) {
        environment.setActiveProfiles("prod");
        assertThatThrownBy(() -> this.postProcessor.postProcessEnvironment(environment, new SpringApplication()))
            .isInstanceOf(UnsafeConfigurationException.class)
            .hasMessageContaining(reason);
    }

}
