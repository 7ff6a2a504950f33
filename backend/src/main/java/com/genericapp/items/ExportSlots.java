package com.genericapp.items;

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
 * everything else. The live event streams are bounded the same way ({@link ItemEvents}).
 */
@Component
class ExportSlots extends Slots {

    ExportSlots(@Value("${items.export.max-concurrent}") int max) {
        super(max, () -> new ExportsBusyException(max));
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
