package com.genericapp.system;

import java.time.Duration;

import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ValidationDepth;
import reactor.core.publisher.Mono;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.ReactiveHealthIndicator;
import org.springframework.stereotype.Component;

/**
 * The "db" health component, part of readiness: DOWN within {@link #TIMEOUT} when
 * PostgreSQL does not answer, so an orchestrator stops routing to this instance, and UP
 * again as soon as it answers (no restart: liveness never looks at the database).
 */
@Component("dbHealthIndicator")
class DatabaseHealthIndicator implements ReactiveHealthIndicator {

    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private final ConnectionFactory connectionFactory;

    DatabaseHealthIndicator(ConnectionFactory connectionFactory) {
        this.connectionFactory = connectionFactory;
    }

    @Override
    public Mono<Health> health() {
        return Mono.usingWhen(connectionFactory.create(), DatabaseHealthIndicator::validate, Connection::close)
            .timeout(TIMEOUT)
            .map((valid) -> valid ? Health.up().withDetail("database", "PostgreSQL").build()
                    : Health.down().withDetail("error", "connection not valid").build())
            .onErrorResume((error) -> Mono.just(Health.down()
                .withDetail("error", "unreachable (" + error.getClass().getSimpleName() + ")")
                .build()));
    }

    private static Mono<Boolean> validate(Connection connection) {
        return Mono.from(connection.validate(ValidationDepth.REMOTE));
    }

}
