package com.genericapp.system;

import java.time.Duration;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;

import io.r2dbc.spi.Batch;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionMetadata;
import io.r2dbc.spi.IsolationLevel;
import io.r2dbc.spi.Readable;
import io.r2dbc.spi.Result;
import io.r2dbc.spi.Row;
import io.r2dbc.spi.RowMetadata;
import io.r2dbc.spi.Statement;
import io.r2dbc.spi.TransactionDefinition;
import io.r2dbc.spi.ValidationDepth;
import io.r2dbc.spi.Wrapped;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.util.context.Context;

/**
 * A pooled connection whose statements and results run without the request's thread-local
 * state: the driver's operators that execute a statement and read its results see an
 * empty Reactor context. Nothing in them reads it; what needs the request's context (a
 * transaction's connection, the sampling decision) has looked it up before, when the
 * connection was borrowed.
 *
 * <p>
 * Why: with the context-propagation library present, Reactor's {@code handle} operator
 * puts every thread-local of its subscriber's context in place around each element it
 * handles, and takes them away after. The PostgreSQL driver passes every message from the
 * server (each row among them) through several {@code handle}s, so each row opened and
 * closed the request's observation scope four times: the OpenTelemetry context, the MDC,
 * the scope events. In an NDJSON export that was ~40 % of the API's CPU (async-profiler,
 * docs/PERFORMANCE.md). Nothing in the driver's path reads those thread-locals.
 *
 * <p>
 * Used for requests whose trace is not sampled ({@link SampledQueryTracing}); a sampled
 * request's connection goes through Boot's query observation instead, with its context
 * whole. What is lost: a line the driver itself logs while serving an unsampled request
 * has no trace id in its MDC.
 */
final class UnobservedConnection implements Connection, Wrapped<Connection> {

    private final Connection connection;

    UnobservedConnection(Connection connection) {
        this.connection = connection;
    }

    /**
     * The publisher, subscribed to with an empty context. (The driver then adds its own
     * discard hook to it, so its {@code handle}s still take a snapshot for each message;
     * one that finds nothing to restore: ~6 % of an export's CPU, where the request's
     * observation cost ~40 %.)
     */
    static <T> Flux<T> unobserved(Publisher<T> publisher) {
        // the function form: contextWrite(ContextView) would add the empty one to the
        // request's, which leaves it whole
        return Flux.from(publisher).contextWrite((context) -> Context.empty());
    }

    @Override
    public Connection unwrap() {
        return this.connection;
    }

    @Override
    public Statement createStatement(String sql) {
        return new UnobservedStatement(this.connection.createStatement(sql));
    }

    @Override
    public Batch createBatch() {
        Batch batch = this.connection.createBatch();
        return new Batch() {
            @Override
            public Batch add(String sql) {
                batch.add(sql);
                return this;
            }

            @Override
            public Publisher<? extends Result> execute() {
                return unobserved(batch.execute()).map(UnobservedResult::new);
            }
        };
    }

    @Override
    public Publisher<Void> beginTransaction() {
        return this.connection.beginTransaction();
    }

    @Override
    public Publisher<Void> beginTransaction(TransactionDefinition definition) {
        return this.connection.beginTransaction(definition);
    }

    @Override
    public Publisher<Void> close() {
        return this.connection.close();
    }

    @Override
    public Publisher<Void> commitTransaction() {
        return this.connection.commitTransaction();
    }

    @Override
    public Publisher<Void> createSavepoint(String name) {
        return this.connection.createSavepoint(name);
    }

    @Override
    public boolean isAutoCommit() {
        return this.connection.isAutoCommit();
    }

    @Override
    public ConnectionMetadata getMetadata() {
        return this.connection.getMetadata();
    }

    @Override
    public IsolationLevel getTransactionIsolationLevel() {
        return this.connection.getTransactionIsolationLevel();
    }

    @Override
    public Publisher<Void> releaseSavepoint(String name) {
        return this.connection.releaseSavepoint(name);
    }

    @Override
    public Publisher<Void> rollbackTransaction() {
        return this.connection.rollbackTransaction();
    }

    @Override
    public Publisher<Void> rollbackTransactionToSavepoint(String name) {
        return this.connection.rollbackTransactionToSavepoint(name);
    }

    @Override
    public Publisher<Void> setAutoCommit(boolean autoCommit) {
        return this.connection.setAutoCommit(autoCommit);
    }

    @Override
    public Publisher<Void> setLockWaitTimeout(Duration timeout) {
        return this.connection.setLockWaitTimeout(timeout);
    }

    @Override
    public Publisher<Void> setStatementTimeout(Duration timeout) {
        return this.connection.setStatementTimeout(timeout);
    }

    @Override
    public Publisher<Void> setTransactionIsolationLevel(IsolationLevel isolationLevel) {
        return this.connection.setTransactionIsolationLevel(isolationLevel);
    }

    @Override
    public Publisher<Boolean> validate(ValidationDepth depth) {
        return this.connection.validate(depth);
    }

    private static final class UnobservedStatement implements Statement {

        private final Statement statement;

        UnobservedStatement(Statement statement) {
            this.statement = statement;
        }

        @Override
        public Statement add() {
            this.statement.add();
            return this;
        }

        @Override
        public Statement bind(int index, Object value) {
            this.statement.bind(index, value);
            return this;
        }

        @Override
        public Statement bind(String name, Object value) {
            this.statement.bind(name, value);
            return this;
        }

        @Override
        public Statement bindNull(int index, Class<?> type) {
            this.statement.bindNull(index, type);
            return this;
        }

        @Override
        public Statement bindNull(String name, Class<?> type) {
            this.statement.bindNull(name, type);
            return this;
        }

        @Override
        public Statement returnGeneratedValues(String... columns) {
            this.statement.returnGeneratedValues(columns);
            return this;
        }

        @Override
        public Statement fetchSize(int rows) {
            this.statement.fetchSize(rows);
            return this;
        }

        @Override
        public Publisher<? extends Result> execute() {
            return unobserved(this.statement.execute()).map(UnobservedResult::new);
        }

    }

    private static final class UnobservedResult implements Result {

        private final Result result;

        UnobservedResult(Result result) {
            this.result = result;
        }

        @Override
        public Publisher<Long> getRowsUpdated() {
            return unobserved(this.result.getRowsUpdated());
        }

        @Override
        public <T> Publisher<T> map(BiFunction<Row, RowMetadata, ? extends T> mapping) {
            return unobserved(this.result.map(mapping));
        }

        @Override
        public <T> Publisher<T> map(Function<? super Readable, ? extends T> mapping) {
            return unobserved(this.result.map(mapping));
        }

        @Override
        public Result filter(Predicate<Segment> filter) {
            return new UnobservedResult(this.result.filter(filter));
        }

        @Override
        public <T> Publisher<T> flatMap(Function<Segment, ? extends Publisher<? extends T>> mapping) {
            return unobserved(this.result.flatMap(mapping));
        }

    }

}
