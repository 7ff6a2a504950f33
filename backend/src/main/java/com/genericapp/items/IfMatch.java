package com.genericapp.items;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * The version an {@code If-Match} header requires. Our ETags are strong and carry the
 * version, so the only meaningful values are {@code "N"} and {@code *} (any current
 * version).
 */
final class IfMatch {

    private static final Pattern STRONG_ETAG = Pattern.compile("\\s*\"(\\d{1,18})\"\\s*");

    /** What the OpenAPI description says of the header, as this class reads it. */
    static final String PATTERN = "^\\s*(\\*|\"[0-9]{1,18}\")\\s*$";

    private IfMatch() {
    }

    /**
     * Returns the required version, or null when any version will do (no header, or
     * {@code *}).
     */
    static @Nullable Long requiredVersion(@Nullable String header) {
        if (header == null || header.isBlank() || header.strip().equals("*")) {
            return null;
        }
        Matcher matcher = STRONG_ETAG.matcher(header);
        if (header.length() > ItemLimits.IF_MATCH_LENGTH || !matcher.matches()) {
            ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
                    "If-Match must be one ETag as returned by the API, such as \"3\", or *.");
            problem.setTitle("Invalid If-Match header");
            throw new ErrorResponseException(HttpStatus.BAD_REQUEST, problem, null);
        }
        return Long.parseLong(matcher.group(1));
    }

}
