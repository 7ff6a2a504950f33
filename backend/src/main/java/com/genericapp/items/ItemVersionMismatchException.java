package com.genericapp.items;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * The client's If-Match names a version that is no longer current: someone else changed
 * the item.
 */
class ItemVersionMismatchException extends ErrorResponseException {

    ItemVersionMismatchException(long id, long expectedVersion, long currentVersion) {
        super(HttpStatus.PRECONDITION_FAILED, problem(id, expectedVersion, currentVersion), null);
    }

    private static ProblemDetail problem(long id, long expectedVersion, long currentVersion) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.PRECONDITION_FAILED,
                "Item " + id + " was changed by someone else (version " + currentVersion + ", you had version "
                        + expectedVersion + "). Reload it and apply your change again.");
        problem.setTitle("Item changed since you read it");
        problem.setProperty("currentVersion", currentVersion);
        return problem;
    }

}
