package com.genericapp.items;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import reactor.core.publisher.Flux;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;
import org.springframework.web.ErrorResponseException;

/**
 * How many NDJSON exports may run at once on this instance. An export holds a database
 * connection for as long as its client takes to read it, which a slow client can make
 * minutes: without a bound, a few hundred slow readers took every pooled connection and
 * every other call waited, then failed (ci/tests/run faults, "readers"). Past the bound
 * an export is refused at once with a 503 and Retry-After; the rest of the pool stays for
 * everything else.
 */
@Component
class ExportSlots {

    private final AtomicInteger running = new AtomicInteger();

    private final int max;

    ExportSlots(@Value("${items.export.max-concurrent}") int max) {
        this.max = max;
    }

    /** Exports running now. */
    int running() {
        return this.running.get();
    }

    /**
     * The export, run only if a slot is free when it is subscribed to; the slot is freed
     * however it ends.
     */
    <T> Flux<T> run(Supplier<Flux<T>> export) {
        return Flux.defer(() -> {
            if (this.running.incrementAndGet() > this.max) {
                this.running.decrementAndGet();
                return Flux.error(new ExportsBusyException(this.max));
            }
            return export.get().doFinally((signal) -> this.running.decrementAndGet());
        });
    }

    static final class ExportsBusyException extends ErrorResponseException {

        ExportsBusyException(int max) {
            super(HttpStatus.SERVICE_UNAVAILABLE, problem(max), null);
            getHeaders().set(HttpHeaders.RETRY_AFTER, "5");
        }

        private static ProblemDetail problem(int max) {
            ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE,
                    "Too many exports are running (at most " + max + " at once). Try again in a few seconds.");
            problem.setTitle("Exports busy");
            return problem;
        }

    }

}
