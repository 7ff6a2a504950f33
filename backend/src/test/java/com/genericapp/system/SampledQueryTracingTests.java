package com.genericapp.system;

import java.lang.reflect.Proxy;
import java.time.Duration;

import com.genericapp.testsupport.PostgresIntegrationTest;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.contextpropagation.ObservationThreadLocalAccessor;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.TraceContext;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.handler.TracingObservationHandler;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Wrapped;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cost side of the query spans: only a sampled request's connection goes through
 * r2dbc-proxy (a JDK proxy that wraps every row and reads every column by reflection); an
 * unsampled request gets the pool's own connection, whose driver does not put the
 * request's observation in place around every row ({@link UnobservedConnection}), and
 * work outside any request gets the pool's own connection as it is.
 */
class SampledQueryTracingTests extends PostgresIntegrationTest {

    @Autowired
    ConnectionFactory connectionFactory;

    @Autowired
    ObservationRegistry observations;

    @Autowired
    Tracer tracer;

    @Test
    void theConnectionFactoryIsThePoolBehindTheGate() {
        assertThat(this.connectionFactory).isInstanceOf(SampledQueryTracing.Gate.class);
        assertThat(((Wrapped<?>) this.connectionFactory).unwrap()).isInstanceOf(ConnectionPool.class);
    }

    @Test
    void outsideAnyRequestTheConnectionIsThePoolsOwn() {
        assertThat(proxied(Mono.<Connection>from(this.connectionFactory.create()))).isFalse();
    }

    @Test
    void anUnsampledRequestGetsThePoolsOwnConnection() {
        Connection connection = within(false).block(Duration.ofSeconds(30));
        try {
            assertThat(Proxy.isProxyClass(connection.getClass())).isFalse();
            assertThat(connection).isInstanceOf(UnobservedConnection.class);
            assertThat(((Wrapped<?>) connection).unwrap()).isNotInstanceOf(UnobservedConnection.class);
        }
        finally {
            Mono.from(connection.close()).block(Duration.ofSeconds(30));
        }
    }

    /**
     * Reactor's {@code handle}, which the driver passes each row through, puts the
     * subscriber's observation in place around each one; through the pool's connection as
     * it is, the request's observation is current while a row is mapped (the control),
     * through the one an unsampled request gets it is not.
     */
    @Test
    void anUnsampledRequestsRowsAreMappedWithoutItsObservationInPlace() {
        assertThat(observedWhileMapping(false)).as("the control: the driver as it is").isTrue();
        assertThat(observedWhileMapping(true)).isFalse();
    }

    /**
     * Whether the request's observation was the current one while the row of a query was
     * mapped, in an unsampled request, through the connection the request gets or through
     * the pool's connection under it.
     */
    private boolean observedWhileMapping(boolean asTheRequestGetsIt) {
        Request request = request(false);
        return Mono.usingWhen(Mono.<Connection>from(this.connectionFactory.create()), (connection) -> {
            Connection target = asTheRequestGetsIt ? connection : ((UnobservedConnection) connection).unwrap();
            return Flux.from(target.createStatement("SELECT 1").execute())
                .flatMap((result) -> result
                    .map((row, metadata) -> this.observations.getCurrentObservation() == request.observation()))
                .single();
        }, Connection::close)
            .contextWrite((reactor) -> reactor.put(ObservationThreadLocalAccessor.KEY, request.observation()))
            .doFinally((signal) -> request.span().end())
            .block(Duration.ofSeconds(30));
    }

    @Test
    void aSampledRequestGetsTheTracingProxy() {
        assertThat(proxied(within(true))).isTrue();
    }

    /**
     * A connection borrowed in the Reactor context of a request that is (not) sampled.
     */
    private Mono<Connection> within(boolean sampled) {
        Request request = request(sampled);
        return Mono.<Connection>from(this.connectionFactory.create())
            .contextWrite((reactor) -> reactor.put(ObservationThreadLocalAccessor.KEY, request.observation()))
            .doFinally((signal) -> request.span().end());
    }

    /** A request's observation, with a span that is (not) sampled. */
    private Request request(boolean sampled) {
        TraceContext parent = this.tracer.traceContextBuilder()
            .traceId("4bf92f3577b34da6a3ce929d0e0e4736")
            .spanId("00f067aa0ba902b7")
            .sampled(sampled)
            .build();
        Span span = this.tracer.spanBuilder().setParent(parent).name("request").start();
        Observation.Context context = new Observation.Context();
        TracingObservationHandler.TracingContext tracing = new TracingObservationHandler.TracingContext();
        tracing.setSpan(span);
        context.put(TracingObservationHandler.TracingContext.class, tracing);
        Observation observation = Observation.createNotStarted("request", () -> context, this.observations);
        assertThat(span.context().sampled()).isEqualTo(sampled);
        return new Request(observation, span);
    }

    private record Request(Observation observation, Span span) {
    }

    private static boolean proxied(Mono<Connection> borrowed) {
        Connection connection = borrowed.block(Duration.ofSeconds(30));
        try {
            return Proxy.isProxyClass(connection.getClass());
        }
        finally {
            Mono.from(connection.close()).block(Duration.ofSeconds(30));
        }
    }

}
