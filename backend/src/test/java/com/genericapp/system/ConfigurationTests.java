package com.genericapp.system;

import java.nio.file.Files;
import java.nio.file.Path;

import com.genericapp.GenericApp;
import com.genericapp.testsupport.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Configuration from the environment, as compose and the seed name it. */
@ExtendWith(OutputCaptureExtension.class)
class ConfigurationTests {

    private final DatabasePasswordEnvironmentPostProcessor postProcessor = new DatabasePasswordEnvironmentPostProcessor();

    @Test
    void passwordFileWinsOverThePasswordVariable(@TempDir Path dir) throws Exception {
        Path secret = dir.resolve("db_password");
        Files.writeString(secret, "from-the-secret-file\n");
        MockEnvironment environment = new MockEnvironment().withProperty("DB_PASSWORD", "from-env")
            .withProperty("DB_PASSWORD_FILE", secret.toString());
        postProcessor.postProcessEnvironment(environment, new SpringApplication());
        assertThat(environment.getProperty("DB_PASSWORD")).isEqualTo("from-the-secret-file");
    }

    @Test
    void unreadablePasswordFileIsAClearStartupError(@TempDir Path dir) {
        MockEnvironment environment = new MockEnvironment().withProperty("DB_PASSWORD_FILE",
                dir.resolve("missing").toString());
        assertThatThrownBy(() -> postProcessor.postProcessEnvironment(environment, new SpringApplication()))
            .isInstanceOf(UnsafeConfigurationException.class)
            .hasMessageContaining("cannot be read");
    }

    @Test
    void productionProfileRefusesTheExamplePassword() {
        MockEnvironment environment = new MockEnvironment();
        environment.setActiveProfiles("prod");
        assertThatThrownBy(() -> postProcessor.postProcessEnvironment(environment, new SpringApplication()))
            .isInstanceOf(UnsafeConfigurationException.class)
            .hasMessageContaining("example");
        MockEnvironment explicit = new MockEnvironment().withProperty("DB_PASSWORD", "change-me-dev-only");
        explicit.setActiveProfiles("prod");
        assertThatThrownBy(() -> postProcessor.postProcessEnvironment(explicit, new SpringApplication()))
            .isInstanceOf(UnsafeConfigurationException.class);
    }

    @Test
    void productionProfileAcceptsARealPassword() {
        MockEnvironment environment = new MockEnvironment().withProperty("DB_PASSWORD", "s3cr3t-from-a-vault");
        environment.setActiveProfiles("prod");
        postProcessor.postProcessEnvironment(environment, new SpringApplication());
        assertThat(environment.getProperty("DB_PASSWORD")).isEqualTo("s3cr3t-from-a-vault");
    }

    @Test
    void refusedConfigurationIsReportedWithAnActionNotAStackTrace() {
        var analysis = new UnsafeConfigurationFailureAnalyzer()
            .analyze(new IllegalStateException(new UnsafeConfigurationException("bad", "fix it")));
        assertThat(analysis.getDescription()).isEqualTo("bad");
        assertThat(analysis.getAction()).isEqualTo("fix it");
    }

    @Test
    void migrateOnlyModeMigratesAFreshDatabaseWithoutAWebServerAndWithoutDemoData(CapturedOutput output)
            throws Exception {
        TestPostgres postgres = TestPostgres.startNew();
        try {
            int exit = GenericApp.migrate("--DB_HOST=" + postgres.host(), "--DB_PORT=" + postgres.port(),
                    "--DB_NAME=" + TestPostgres.DATABASE, "--DB_USER=" + TestPostgres.APP_USER,
                    "--DB_PASSWORD=" + TestPostgres.APP_PASSWORD, "--DEMO_DATA=false");
            assertThat(exit).as("exit code of the migrate-only run").isZero();
            try (var connection = postgres.superuser();
                    var statement = connection.createStatement();
                    var result = statement
                        .executeQuery("SELECT (SELECT count(*) FROM flyway_schema_history WHERE success),"
                                + " (SELECT count(*) FROM items), (SELECT count(*) FROM users)")) {
                result.next();
                assertThat(result.getInt(1)).as("migrations applied").isGreaterThanOrEqualTo(3);
                assertThat(result.getInt(2)).as("DEMO_DATA=false").isZero();
                // the first admin is the api's to make, with its secret: the migrate job
                // has none
                assertThat(result.getInt(3)).as("no user made by the migrate-only run").isZero();
                assertThat(output.getOut()).doesNotContain("First admin created");
            }
        }
        finally {
            postgres.stop();
        }
    }

}
