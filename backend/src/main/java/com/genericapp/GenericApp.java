package com.genericapp;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The items API. Started with {@code MIGRATE_ONLY=true} it only migrates the schema and
 * exits, which is how the compose stack runs migrations once, as the schema owner, before
 * any API replica starts (replicas migrating together would race).
 */
@SpringBootApplication
public class GenericApp {

    public static void main(String[] args) {
        if (Boolean.parseBoolean(System.getenv("MIGRATE_ONLY"))) {
            System.exit(migrate(args));
        }
        new SpringApplication(GenericApp.class).run(args);
    }

    /**
     * The migrate-only run: no web server, the {@code migrate} profile, and the exit code
     * of the context (0 once every migration is applied). What {@code MIGRATE_ONLY=true}
     * runs, and what the tests run.
     */
    public static int migrate(String... args) {
        SpringApplication application = new SpringApplication(GenericApp.class);
        application.setWebApplicationType(WebApplicationType.NONE);
        application.setAdditionalProfiles("migrate");
        ConfigurableApplicationContext context = application.run(args);
        return SpringApplication.exit(context);
    }

}
