package com.genericapp.items;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

class ItemNotFoundException extends ErrorResponseException {

    ItemNotFoundException(long id) {
        super(HttpStatus.NOT_FOUND, problem(id), null);
    }

    private static ProblemDetail problem(long id) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND,
                "Item " + id + " does not exist.");
        problem.setTitle("Item not found");
        return problem;
    }

}
