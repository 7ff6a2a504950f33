package com.genericapp.items;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import reactor.core.publisher.Flux;

/**
 * A bound on how many of one kind of long-lived work run at once on this instance (NDJSON
 * exports, live event streams). Past the bound the work is refused at once, with the
 * error the caller gives (a 503 problem with Retry-After), rather than queued: a refused
 * client tries again later, or on another replica, while the work already running keeps
 * its share of connections and heap.
 */
class Slots {

    private final AtomicInteger running = new AtomicInteger();

    private final int max;

    private final Supplier<? extends RuntimeException> refusal;

    Slots(int max, Supplier<? extends RuntimeException> refusal) {
        this.max = max;
        this.refusal = refusal;
    }

    /** How many run now. */
    int running() {
        return this.running.get();
    }

    /**
     * The work, run only if a slot is free when it is subscribed to; the slot is freed
     * however it ends (completion, error or cancellation). A refused subscription takes
     * no slot.
     */
    <T> Flux<T> run(Supplier<Flux<T>> work) {
        return Flux.defer(() -> {
            if (this.running.incrementAndGet() > this.max) {
                this.running.decrementAndGet();
                return Flux.error(this.refusal.get());
            }
            return work.get().doFinally((signal) -> this.running.decrementAndGet());
        });
    }

}
