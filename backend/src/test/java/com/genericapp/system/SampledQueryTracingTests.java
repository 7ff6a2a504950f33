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
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cost side of the query spans: only a sampled request's connection goes through
 * r2dbc-proxy (a JDK proxy that wraps every row and reads every column by reflection); an
 * unsampled request, and work outside any request, gets the pool's own connection.
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
        assertThat(proxied(within(false))).isFalse();
    }

    @Test
    void aSampledRequestGetsTheTracingProxy() {
        assertThat(proxied(within(true))).isTrue();
    }

    /**
     * A connection borrowed in the Reactor context of a request that is (not) sampled.
     */
    private Mono<Connection> within(boolean sampled) {
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
        Observation request = Observation.createNotStarted("request", () -> context, this.observations);
        assertThat(span.context().sampled()).isEqualTo(sampled);
        return Mono.<Connection>from(this.connectionFactory.create())
            .contextWrite((reactor) -> reactor.put(ObservationThreadLocalAccessor.KEY, request))
            .doFinally((signal) -> span.end());
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
