package com.genericapp.items;

import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.stereotype.Component;

/**
 * The domain meters agreed with the monitoring profile's dashboards and alerts
 * (docs/OBSERVABILITY.md): their names are a contract, so they live in one place. Meters
 * are registered once; a request only increments a counter (no lookup, no allocation).
 */
@Component
class ItemMetrics {

    private final Counter created;

    private final Counter updated;

    private final Counter deleted;

    private final Counter exportRows;

    private final Counter changesReceived;

    private final Counter listenerReconnects;

    private final AtomicInteger subscribers = new AtomicInteger();

    ItemMetrics(MeterRegistry registry) {
        // Not "items.created": Prometheus reserves the _created suffix (OpenMetrics'
        // creation
        // timestamp) and its client strips it, which would expose this as items_total.
        this.created = Counter.builder("items.inserted").description("Items created").register(registry);
        this.updated = Counter.builder("items.updated").description("Items updated").register(registry);
        this.deleted = Counter.builder("items.deleted").description("Items deleted").register(registry);
        this.exportRows = Counter.builder("items.export.rows")
            .description("NDJSON export rows written")
            .register(registry);
        this.changesReceived = Counter.builder("items.changes.received")
            .description("Change notifications received from PostgreSQL (NOTIFY)")
            .register(registry);
        this.listenerReconnects = Counter.builder("items.listener.reconnects")
            .description("Times the change listener connected again after losing its connection")
            .register(registry);
        Gauge.builder("items.events.subscribers", this.subscribers, AtomicInteger::get)
            .description("Live server-sent event subscribers on this instance")
            .register(registry);
    }

    void created() {
        this.created.increment();
    }

    void updated() {
        this.updated.increment();
    }

    void deleted() {
        this.deleted.increment();
    }

    void exportRows(int rows) {
        this.exportRows.increment(rows);
    }

    void changeReceived() {
        this.changesReceived.increment();
    }

    void listenerReconnected() {
        this.listenerReconnects.increment();
    }

    void subscribed() {
        this.subscribers.incrementAndGet();
    }

    void unsubscribed() {
        this.subscribers.decrementAndGet();
    }

}
