package com.genericapp.items;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.ErrorResponseException;

/**
 * A {@code q} whose percent-encoded bytes are not UTF-8. The framework decodes query
 * parameters leniently (a bad byte becomes U+FFFD), which would search for something the
 * client never sent, so the raw query is checked first.
 */
class QueryNotUtf8Exception extends ErrorResponseException {

    private static final String PARAMETER = "q";

    QueryNotUtf8Exception() {
        super(HttpStatus.BAD_REQUEST, problem(), null);
    }

    /** Throws unless every raw {@code q} of the request decodes as strict UTF-8. */
    static void requireUtf8(ServerHttpRequest request) {
        @Nullable String raw = request.getURI().getRawQuery();
        if (raw == null) {
            return;
        }
        for (String pair : raw.split("&")) {
            int equals = pair.indexOf('=');
            String name = (equals < 0) ? pair : pair.substring(0, equals);
            if (PARAMETER.equals(name) && equals >= 0 && !isUtf8(pair.substring(equals + 1))) {
                throw new QueryNotUtf8Exception();
            }
        }
    }

    private static boolean isUtf8(String encoded) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < encoded.length(); i++) {
            char c = encoded.charAt(i);
            if (c == '%' && i + 2 < encoded.length()) {
                int high = Character.digit(encoded.charAt(i + 1), 16);
                int low = Character.digit(encoded.charAt(i + 2), 16);
                if (high < 0 || low < 0) {
                    return false;
                }
                bytes.write(high * 16 + low);
                i += 2;
            }
            else if (c == '%' || c > 0x7F) {
                // a lone '%' is malformed; a raw non-ASCII character never came as UTF-8
                // bytes
                return false;
            }
            else {
                bytes.write(c);
            }
        }
        try {
            StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes.toByteArray()));
            return true;
        }
        catch (CharacterCodingException ex) {
            return false;
        }
    }

    private static ProblemDetail problem() {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
                "Invalid input: q must be UTF-8 text, percent-encoded.");
        problem.setTitle("Validation failed");
        problem.setProperty("errors", List.of(Map.of("field", PARAMETER, "message", "must be valid UTF-8")));
        return problem;
    }

}
