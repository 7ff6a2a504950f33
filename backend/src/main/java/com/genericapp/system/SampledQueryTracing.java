package com.genericapp.system;

import io.micrometer.tracing.TraceContext;
import io.opentelemetry.sdk.trace.SpanLimits;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.proxy.ProxyConnectionFactory;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.ConnectionFactoryMetadata;
import io.r2dbc.spi.Wrapped;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.micrometer.tracing.opentelemetry.autoconfigure.SdkTracerProviderBuilderCustomizer;
import org.springframework.boot.r2dbc.autoconfigure.ProxyConnectionFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * A span per SQL query, child of the request's span, for sampled requests only.
 *
 * <p>
 * The spans themselves are Spring Boot's: r2dbc-proxy with the observation listener that
 * {@code R2dbcObservationAutoConfiguration} configures (parameter values never included:
 * {@code management.observations.r2dbc.include-parameter-values} stays false). What
 * differs is where the proxy sits. Boot puts it under the pool, on every connection, and
 * r2dbc-proxy then wraps every row in a JDK proxy and goes through reflection and its
 * listeners for every column read: a cost every query would pay, traced or not, and most
 * of all the NDJSON export, which reads millions of rows on one event loop. So
 * {@code R2dbcProxyAutoConfiguration} is excluded (application.yaml) and the pool is put
 * behind {@link Gate}: a connection handed to a sampled request goes through Boot's
 * proxy, every other one is the pool's own connection, seen through
 * {@link UnobservedConnection} so that the driver's operators do not put the request's
 * observation in place around every row. An unsampled request pays one look-up in its
 * Reactor context per connection it borrows.
 */
@Configuration(proxyBeanMethods = false)
class SampledQueryTracing {

    /**
     * Span attribute values (the SQL text among them) are cut at this many characters:
     * our statements are built from constants and are far shorter, so this only bounds
     * what a future dynamic statement could put in a span.
     */
    static final int MAX_ATTRIBUTE_LENGTH = 2048;

    @Bean
    SdkTracerProviderBuilderCustomizer boundedSpanAttributes() {
        return (builder) -> builder
            .setSpanLimits(SpanLimits.builder().setMaxAttributeValueLength(MAX_ATTRIBUTE_LENGTH).build());
    }

    @Bean
    static BeanPostProcessor sampledQueryTracingGate(ObjectProvider<ProxyConnectionFactoryCustomizer> customizers) {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String beanName) {
                if (bean instanceof ConnectionPool pool && customizers.orderedStream().findAny().isPresent()) {
                    ProxyConnectionFactory.Builder traced = ProxyConnectionFactory.builder(pool);
                    customizers.orderedStream().forEach((customizer) -> customizer.customize(traced));
                    return new Gate(pool, traced.build());
                }
                return bean;
            }
        };
    }

    /**
     * The pool, seen through r2dbc-proxy only by sampled requests. It is the
     * {@code connectionFactory} bean itself (so the transaction manager, the
     * DatabaseClient and the pool's meters all see one factory) and unwraps to the pool.
     */
    static final class Gate implements ConnectionFactory, Wrapped<ConnectionFactory>, Disposable {

        private final ConnectionPool pool;

        private final ConnectionFactory traced;

        Gate(ConnectionPool pool, ConnectionFactory traced) {
            this.pool = pool;
            this.traced = traced;
        }

        @Override
        public Publisher<? extends Connection> create() {
            return Mono.deferContextual((context) -> sampled(TraceIds.current(context))
                    ? Mono.from(this.traced.create()) : this.pool.create().map(UnobservedConnection::new));
        }

        private static boolean sampled(@Nullable TraceContext trace) {
            return trace != null && Boolean.TRUE.equals(trace.sampled());
        }

        @Override
        public ConnectionFactoryMetadata getMetadata() {
            return this.pool.getMetadata();
        }

        @Override
        public ConnectionFactory unwrap() {
            return this.pool;
        }

        /** The pool bean's destroy method ({@code dispose}). */
        @Override
        public void dispose() {
            this.pool.dispose();
        }

        @Override
        public boolean isDisposed() {
            return this.pool.isDisposed();
        }

    }

}
