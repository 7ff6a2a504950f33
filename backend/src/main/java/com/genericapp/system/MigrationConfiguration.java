package com.genericapp.system;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.flyway.autoconfigure.FlywayMigrationStrategy;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Skips the migration during a training run ({@code spring.context.exit=onRefresh}, which
 * is how the JDK AOT cache and CDS archives are recorded at image build time): there is
 * no database then, and the training only needs the application's classes to load, not
 * the schema to change.
 */
@Configuration(proxyBeanMethods = false)
class MigrationConfiguration {

    private static final Logger logger = LoggerFactory.getLogger(MigrationConfiguration.class);

    @Bean
    FlywayMigrationStrategy skipMigrationInTrainingRun(Environment environment) {
        return (flyway) -> {
            if ("onRefresh".equals(environment.getProperty("spring.context.exit"))) {
                logger.info("Training run (spring.context.exit=onRefresh): database migration skipped");
                return;
            }
            flyway.migrate();
        };
    }

}
