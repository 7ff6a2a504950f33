package com.genericapp.items;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import io.r2dbc.postgresql.api.PostgresqlConnection;
import io.r2dbc.postgresql.api.PostgresqlResult;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.Wrapped;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.util.retry.Retry;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.SmartLifecycle;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.stereotype.Component;
import org.springframework.web.ErrorResponseException;

/**
 * Item changes as server-sent events, for every subscriber of this instance.
 *
 * <p>
 * The source is PostgreSQL {@code LISTEN items_changed} (a trigger NOTIFYs every
 * committed change, see the V2 migration), so each API instance sees the changes made
 * through every other instance. One dedicated connection per instance listens, outside
 * the pool, and is reopened with back-off whenever it drops (database restart, network
 * cut). Each notification is turned into an event once, then multicast: the cost of a
 * change does not grow with the number of subscribers.
 *
 * <p>
 * A connection that has gone half-open delivers nothing and reports no error, so the
 * listener probes it every {@link #PROBE_INTERVAL} and starts over when a probe does not
 * answer in {@link #PROBE_TIMEOUT}. Changes committed while no connection listened are
 * never notified: after every reconnection each open stream gets a {@code resync} event,
 * and the UI reloads. No subscriber misses a change silently.
 */
@Component
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE)
class ItemEvents implements SmartLifecycle {

    static final String CHANNEL = "items_changed";

    private static final Duration HEARTBEAT = Duration.ofSeconds(15);

    /**
     * Events a slow subscriber may fall behind by before it misses some (it then
     * reloads).
     */
    private static final int SUBSCRIBER_BUFFER = 256;

    private static final int NOTIFICATION_BUFFER = 10_000;

    /**
     * Probe cadence and bound: a dead listener is noticed within their sum, under 10 s.
     */
    static final Duration PROBE_INTERVAL = Duration.ofSeconds(4);

    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(3);

    /**
     * Bound on opening the listener's connection (the socket itself is bounded by the
     * start-up deadline).
     */
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

    static final String RESYNC = "resync";

    /**
     * Emitted (and filtered out) when a connection listens: no trigger payload is empty.
     */
    private static final String LISTENING = "";

    private static final Logger logger = LoggerFactory.getLogger(ItemEvents.class);

    private final ConnectionFactory connectionFactory;

    private final ItemRepository items;

    private final JsonMapper json;

    private final ItemMetrics metrics;

    private static final ServerSentEvent<Object> CONNECTED = ServerSentEvent.builder()
        .comment("connected")
        .retry(Duration.ofSeconds(3))
        .build();

    private static final ServerSentEvent<Object> HEARTBEAT_COMMENT = ServerSentEvent.builder()
        .comment("heartbeat")
        .build();

    /**
     * Events whose data is the JSON text already: the SSE writer then writes it as it is,
     * where an object would be serialized again for every open stream.
     */
    private final Sinks.Many<ServerSentEvent<Object>> changes = Sinks.many().multicast().directBestEffort();

    /**
     * One heartbeat for every open stream, from one timer: a timer per stream was a
     * scheduled task and its operators on the heap for each of thousands of streams. A
     * stream that is not reading (its client is slow) misses a heartbeat, nothing more.
     */
    private final Sinks.Many<ServerSentEvent<Object>> heartbeats = Sinks.many().multicast().directBestEffort();

    private volatile @Nullable Disposable beating;

    /**
     * Completes every open stream on shutdown, so graceful shutdown need not wait for
     * them (clients reconnect).
     */
    private volatile Sinks.Empty<Void> closing = Sinks.empty();

    private volatile @Nullable Disposable listening;

    /**
     * Whether a listener has been connected before: the next connection is then a
     * reconnection.
     */
    private volatile boolean listenedBefore;

    /**
     * Open streams, against the most this instance accepts. Each holds an exchange, its
     * observation and its buffers on the heap (about 32 KB, measured with 1,000 streams);
     * without a bound the JVM ran out of memory at about 3,000 on the image's 128 MB
     * heap, and stopped accepting connections altogether (docs/PERFORMANCE.md, figure 7).
     * Past the bound a stream is refused at once with a 503: the browser's EventSource
     * tries again later, and other replicas take it.
     */
    private final Slots live;

    ItemEvents(ConnectionFactory connectionFactory, ItemRepository items, JsonMapper json, ItemMetrics metrics,
            @Value("${items.events.max-subscribers}") int maxSubscribers) {
        this.connectionFactory = connectionFactory;
        this.metrics = metrics;
        this.items = items;
        this.json = json;
        this.live = new Slots(maxSubscribers, () -> new SubscribersBusyException(maxSubscribers));
    }

    /**
     * Changes from now on, with a heartbeat comment so that proxies and clients see a
     * live stream.
     */
    Flux<ServerSentEvent<Object>> stream() {
        return this.live
            .run(() -> Flux.merge(changes.asFlux().onBackpressureBuffer(SUBSCRIBER_BUFFER), heartbeats.asFlux())
                .startWith(CONNECTED)
                .takeUntilOther(closing.asMono())
                .doOnSubscribe((subscription) -> this.metrics.subscribed())
                .doFinally((signal) -> this.metrics.unsubscribed()));
    }

    /** Open streams on this instance. */
    int subscribers() {
        return this.live.running();
    }

    static final class SubscribersBusyException extends ErrorResponseException {

        SubscribersBusyException(int max) {
            super(HttpStatus.SERVICE_UNAVAILABLE, problem(max), null);
            getHeaders().set(HttpHeaders.RETRY_AFTER, "10");
        }

        private static ProblemDetail problem(int max) {
            ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE,
                    "Too many live event streams are open on this server (at most " + max
                            + "). Try again in a few seconds.");
            problem.setTitle("Event streams busy");
            return problem;
        }

    }

    @Override
    public void start() {
        closing = Sinks.empty();
        listenedBefore = false;
        listening = notifications().concatMap(this::toEvent).subscribe(changes::tryEmitNext);
        beating = Flux.interval(HEARTBEAT, HEARTBEAT)
            .onBackpressureDrop()
            .subscribe((tick) -> heartbeats.tryEmitNext(HEARTBEAT_COMMENT));
    }

    @Override
    public void stop() {
        // runs before the web server's graceful shutdown (a higher lifecycle phase stops
        // first)
        closing.tryEmitEmpty();
        Disposable subscription = listening;
        if (subscription != null) {
            subscription.dispose();
        }
        listening = null;
        Disposable timer = beating;
        if (timer != null) {
            timer.dispose();
        }
        beating = null;
    }

    @Override
    public boolean isRunning() {
        return listening != null;
    }

    /**
     * Notification payloads, across reconnections, for as long as the application runs.
     */
    private Flux<String> notifications() {
        return Flux
            .usingWhen(Mono.from(unpooled().create()).timeout(CONNECT_TIMEOUT), this::listen,
                    (connection) -> connection.close())
            .doOnError((error) -> logger.warn("Change listener lost its database connection ({}); reconnecting",
                    error.getMessage()))
            // the connection may also end without an error (server shutdown): start over
            // then too
            .repeatWhen((completed) -> completed.delayElements(Duration.ofSeconds(1)))
            // the back-off starts over once a connection listens again (the marker
            // below),
            // so a listener that reconnected after many flaps is not slow the next time
            .retryWhen(Retry.backoff(Long.MAX_VALUE, Duration.ofMillis(500))
                .maxBackoff(Duration.ofSeconds(2))
                .transientErrors(true))
            .filter((payload) -> !LISTENING.equals(payload));
    }

    private Flux<String> listen(io.r2dbc.spi.Connection connection) {
        PostgresqlConnection postgres = (PostgresqlConnection) connection;
        return postgres.createStatement("LISTEN " + CHANNEL)
            .execute()
            .flatMap(PostgresqlResult::getRowsUpdated)
            .doOnComplete(this::listeningAgain)
            .thenMany(Flux.just(LISTENING))
            // notifications arrive as fast as writers commit: buffer bursts rather than
            // fail and reconnect
            .concatWith(postgres.getNotifications()
                .onBackpressureBuffer(NOTIFICATION_BUFFER)
                .mapNotNull((notification) -> notification.getParameter())
                .doOnNext((payload) -> this.metrics.changeReceived())
                // a closed connection ends the notifications: reconnect as after an error
                .concatWith(Mono.error(() -> new IllegalStateException("the connection was closed")))
                .mergeWith(probes(postgres)));
    }

    /**
     * Emits nothing; fails when the connection stops answering, which makes the listener
     * reconnect.
     */
    private Flux<String> probes(PostgresqlConnection connection) {
        return Flux.interval(PROBE_INTERVAL)
            .onBackpressureDrop()
            .concatMap((tick) -> connection.createStatement("SELECT 1")
                .execute()
                .flatMap(PostgresqlResult::getRowsUpdated)
                .then()
                .timeout(PROBE_TIMEOUT,
                        Mono.error(() -> new IllegalStateException(
                                "the database did not answer a probe within " + PROBE_TIMEOUT.toMillis() + " ms"))),
                    1)
            .thenMany(Flux.<String>empty());
    }

    private void listeningAgain() {
        logger.info("Listening for item changes on channel {}", CHANNEL);
        if (listenedBefore) {
            this.metrics.listenerReconnected();
            // whatever was committed while nobody listened was never notified: tell every
            // stream
            changes.tryEmitNext(event(RESYNC, Map.of("reason",
                    "The live connection to the database was interrupted; reload to see changes made meanwhile.")));
        }
        listenedBefore = true;
    }

    private Mono<ServerSentEvent<Object>> toEvent(String payload) {
        JsonNode change = json.readTree(payload);
        String op = change.path("op").asString();
        long id = change.path("id").asLong();
        if ("deleted".equals(op)) {
            return Mono.just(event(op, Map.of("id", id)));
        }
        JsonNode item = change.path("item");
        if (item.isObject()) {
            return Mono.just(event(op, toItem(item)));
        }
        // too large for a notification: read it back (a later change, if any, has its own
        // event)
        return items.findById(id).map((found) -> event(op, found)).onErrorResume((error) -> {
            logger.warn("Could not load changed item {}: {}", id, error.getMessage());
            return Mono.empty();
        });
    }

    /**
     * An event whose data is {@code data} as JSON, serialized here once (the
     * application's JSON settings, as every response), not once per stream. JSON text has
     * no line break, so it stays one {@code data:} line.
     */
    private ServerSentEvent<Object> event(String name, Object data) {
        return ServerSentEvent.builder().event(name).data((Object) json.writeValueAsString(data)).build();
    }

    /** The item as the trigger wrote it (V7 migration): timestamps in UTC, ISO-8601. */
    private static Item toItem(JsonNode item) {
        JsonNode description = item.path("description");
        return new Item(item.path("id").asLong(), item.path("name").asString(),
                description.isNull() || description.isMissingNode() ? null : description.asString(),
                item.path("version").asLong(), Instant.parse(item.path("createdAt").asString()),
                Instant.parse(item.path("updatedAt").asString()), text(item.path("createdBy")),
                text(item.path("updatedBy")));
    }

    private static @Nullable String text(JsonNode node) {
        return (node.isNull() || node.isMissingNode()) ? null : node.asString();
    }

    /**
     * LISTEN needs a connection of its own for the life of the application, not one
     * borrowed from the pool.
     */
    @SuppressWarnings("unchecked")
    private ConnectionFactory unpooled() {
        ConnectionFactory factory = connectionFactory;
        while (factory instanceof Wrapped<?> wrapped && wrapped.unwrap() instanceof ConnectionFactory inner) {
            factory = inner;
        }
        return factory;
    }

}
