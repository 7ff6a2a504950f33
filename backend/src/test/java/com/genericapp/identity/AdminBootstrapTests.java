package com.genericapp.identity;

import java.sql.ResultSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.genericapp.GenericApp;
import com.genericapp.testsupport.TestPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The first admin on a database without users: in the dev mode (no ADMIN_PASSWORD) a
 * random password, printed once and stored only as a hash; never again on the next start.
 * A database of its own, since it needs one without users.
 */
@ExtendWith(OutputCaptureExtension.class)
class AdminBootstrapTests {

    private static final Pattern PRINTED = Pattern
        .compile("First admin created: username 'admin', password '([A-Za-z0-9_-]{24})'");

    @Test
    void theDevModeMakesARandomAdminPasswordAndPrintsItOnce(CapturedOutput output) throws Exception {
        TestPostgres postgres = TestPostgres.startNew();
        try {
            start(postgres).close();
            Matcher printed = PRINTED.matcher(output.getOut());
            assertThat(printed.find()).as("the password is printed").isTrue();
            String password = printed.group(1);
            assertThat(printed.find()).as("printed once").isFalse();
            String hash = single(postgres,
                    "SELECT password_hash FROM users WHERE username = 'admin' AND role = 'admin'");
            assertThat(hash).startsWith("{argon2@SpringSecurity_v5_8}").doesNotContain(password);
            assertThat(new Passwords().matches(password, hash).block()).isTrue();

            int before = output.getOut().length();
            start(postgres).close();
            assertThat(output.getOut().substring(before)).doesNotContain("First admin created");
            assertThat(single(postgres, "SELECT count(*) FROM users")).isEqualTo("1");
        }
        finally {
            postgres.stop();
        }
    }

    private static ConfigurableApplicationContext start(TestPostgres postgres) {
        return new SpringApplication(GenericApp.class).run("--API_PORT=0", "--DB_HOST=" + postgres.host(),
                "--DB_PORT=" + postgres.port(), "--DB_NAME=" + TestPostgres.DATABASE,
                "--DB_USER=" + TestPostgres.APP_USER, "--DB_PASSWORD=" + TestPostgres.APP_PASSWORD);
    }

    private static String single(TestPostgres postgres, String sql) throws Exception {
        try (var connection = postgres.superuser();
                var statement = connection.createStatement();
                ResultSet result = statement.executeQuery(sql)) {
            assertThat(result.next()).isTrue();
            return result.getString(1);
        }
    }

}
