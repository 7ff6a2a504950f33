package com.genericapp.system;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.r2dbc.spi.R2dbcException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

import org.springframework.beans.TypeMismatchException;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.MessageSourceResolvable;
import org.springframework.core.MethodParameter;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.validation.FieldError;
import org.springframework.util.unit.DataSize;
import org.springframework.web.ErrorResponse;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.bind.support.WebExchangeBindException;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.reactive.result.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebInputException;

/**
 * Every error as RFC 9457 {@code application/problem+json}. Spring's base class already
 * covers the framework's errors (404 route, 405, 406, 413, 415, …); this adds the
 * {@code errors} array for validation, plain-language details for unreadable bodies and
 * parameters, 503 while the database is unreachable, and a 500 that never shows a stack
 * trace, a class name or SQL.
 */
@RestControllerAdvice
class ApiExceptionHandler extends ResponseEntityExceptionHandler {

    private static final Logger logger = LoggerFactory.getLogger(ApiExceptionHandler.class);

    private static final URI ABOUT_BLANK = URI.create("about:blank");

    /**
     * Said on a 413; the limit is read from where it is set
     * ({@code spring.http.codecs.max-in-memory-size}).
     */
    private final String tooLarge;

    ApiExceptionHandler(@Value("${spring.http.codecs.max-in-memory-size}") DataSize maxBody) {
        this.tooLarge = "The request body is too large (at most " + readable(maxBody) + ").";
    }

    static String readable(DataSize size) {
        long bytes = size.toBytes();
        if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0) {
            return size.toMegabytes() + " MiB";
        }
        return (bytes >= 1024 && bytes % 1024 == 0) ? size.toKilobytes() + " KiB" : bytes + " bytes";
    }

    /**
     * RFC 9457 members every problem carries, whoever built it: a type, a detail a person
     * can read, and the trace id the request was served under ({@link TraceIds}).
     */
    ProblemDetail complete(ProblemDetail problem, ServerWebExchange exchange) {
        String traceId = TraceIds.of(exchange);
        if (traceId != null) {
            problem.setProperty(TraceIds.PROBLEM_PROPERTY, traceId);
        }
        if (problem.getType() == null) {
            problem.setType(ABOUT_BLANK);
        }
        if (problem.getDetail() == null) {
            HttpStatus status = HttpStatus.resolve(problem.getStatus());
            problem.setDetail(switch ((status != null) ? status : HttpStatus.BAD_REQUEST) {
                case CONTENT_TOO_LARGE -> this.tooLarge;
                default -> (problem.getTitle() != null) ? problem.getTitle() + "." : "The request failed.";
            });
        }
        return problem;
    }

    @Override
    protected Mono<ResponseEntity<Object>> handleExceptionInternal(Exception ex, @Nullable Object body,
            @Nullable HttpHeaders headers, HttpStatusCode status, ServerWebExchange exchange) {
        if (body instanceof ProblemDetail problem) {
            complete(problem, exchange);
        }
        else if (body == null && ex instanceof ErrorResponse response) {
            complete(response.getBody(), exchange);
        }
        return super.handleExceptionInternal(ex, body, headers, status, exchange).map(ApiExceptionHandler::asProblem);
    }

    /**
     * A problem is application/problem+json whatever the request accepts: an event stream
     * refused past its limit would otherwise be written as an event, since the SSE writer
     * accepts any body for text/event-stream. The stream's own Content-Type, set before
     * its body failed, goes too.
     */
    private static ResponseEntity<Object> asProblem(ResponseEntity<Object> entity) {
        if (!(entity.getBody() instanceof ProblemDetail)) {
            return entity;
        }
        HttpHeaders headers = new HttpHeaders();
        headers.addAll(entity.getHeaders());
        headers.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        return new ResponseEntity<>(entity.getBody(), headers, entity.getStatusCode());
    }

    @Override
    protected Mono<ResponseEntity<Object>> handleWebExchangeBindException(WebExchangeBindException ex,
            HttpHeaders headers, HttpStatusCode status, ServerWebExchange exchange) {
        List<Map<String, String>> errors = new ArrayList<>();
        for (FieldError error : ex.getFieldErrors()) {
            errors.add(fieldError(error.getField(), error.getDefaultMessage()));
        }
        return validationProblem(errors, exchange);
    }

    @Override
    protected Mono<ResponseEntity<Object>> handleHandlerMethodValidationException(HandlerMethodValidationException ex,
            HttpHeaders headers, HttpStatusCode status, ServerWebExchange exchange) {
        List<Map<String, String>> errors = new ArrayList<>();
        ex.getParameterValidationResults().forEach((result) -> {
            String field = parameterName(result.getMethodParameter());
            for (MessageSourceResolvable error : result.getResolvableErrors()) {
                errors.add(fieldError(field, error.getDefaultMessage()));
            }
        });
        return validationProblem(errors, exchange);
    }

    @Override
    protected Mono<ResponseEntity<Object>> handleServerWebInputException(ServerWebInputException ex,
            HttpHeaders headers, HttpStatusCode status, ServerWebExchange exchange) {
        ProblemDetail problem = ProblemDetail.forStatus(HttpStatus.BAD_REQUEST);
        MethodParameter parameter = ex.getMethodParameter();
        TypeMismatchException mismatch = findCause(ex, TypeMismatchException.class);
        JacksonException json = findCause(ex, JacksonException.class);
        if (mismatch != null && parameter != null) {
            String name = parameterName(parameter);
            problem.setTitle("Invalid parameter");
            problem.setDetail("Parameter '" + name + "' must be a whole number.");
            problem.setProperty("errors", List.of(fieldError(name, "must be a whole number")));
        }
        else if (json instanceof UnrecognizedPropertyException unknown) {
            // The accepted fields come from the body's own type, so no feature's names
            // live here.
            problem.setTitle("Unknown field");
            problem.setDetail("Field '" + unknown.getPropertyName() + "' is not accepted here; the fields are "
                    + knownFields(unknown) + ".");
            problem.setProperty("errors", List.of(fieldError(unknown.getPropertyName(), "is not a known field")));
        }
        else if (json instanceof MismatchedInputException wrongType && !jsonPath(wrongType).isEmpty()) {
            String field = jsonPath(wrongType);
            String expected = expectedType(wrongType.getTargetType());
            problem.setTitle("Wrong type");
            problem.setDetail("Field '" + field + "' has the wrong type: it " + expected + ".");
            problem.setProperty("errors", List.of(fieldError(field, expected)));
        }
        else if (json instanceof StreamReadException && duplicateField(json) != null) {
            String field = duplicateField(json);
            problem.setTitle("Duplicate field");
            problem.setDetail("Field '" + field + "' appears more than once; send each field once.");
            problem.setProperty("errors", List.of(fieldError(field, "appears more than once")));
        }
        else if (json instanceof StreamReadException || json != null) {
            problem.setTitle("Malformed JSON");
            problem.setDetail("The request body is not a valid JSON object.");
        }
        else if (parameter != null) {
            problem.setTitle("Invalid request");
            problem.setDetail("Required value '" + parameterName(parameter) + "' is missing or invalid.");
        }
        else {
            problem.setTitle("Invalid request");
            problem.setDetail("The request body is missing or cannot be read as JSON.");
        }
        return Mono.just(ResponseEntity.badRequest().headers(headers).body(complete(problem, exchange)));
    }

    /**
     * The database is unreachable, overloaded or restarting: the client may simply try
     * again.
     */
    @ExceptionHandler({ DataAccessResourceFailureException.class, TransientDataAccessException.class,
            QueryTimeoutException.class, R2dbcException.class, TimeoutException.class })
    ResponseEntity<ProblemDetail> databaseUnavailable(Exception ex, ServerWebExchange exchange) {
        RequestLogContext.log(exchange, () -> logger.warn("Database unavailable: {}", ex.getMessage()));
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE,
                "The database is unavailable right now. Try again in a few seconds.");
        problem.setTitle("Service unavailable");
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
            .header(HttpHeaders.RETRY_AFTER, "5")
            .body(complete(problem, exchange));
    }

    /**
     * A database rule refused the data; validation should have caught it, so say little
     * and log it.
     */
    @ExceptionHandler(DataIntegrityViolationException.class)
    ResponseEntity<ProblemDetail> integrityViolation(DataIntegrityViolationException ex, ServerWebExchange exchange) {
        RequestLogContext.log(exchange,
                () -> logger.warn("Database constraint refused a write: {}", ex.getMostSpecificCause().getMessage()));
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
                "The data breaks a rule of the database (for example a blank or too long text).");
        problem.setTitle("Invalid data");
        return ResponseEntity.badRequest().body(complete(problem, exchange));
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> unexpected(Exception ex, ServerWebExchange exchange) {
        RequestLogContext.log(exchange, () -> logger.error("Unexpected error", ex));
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.INTERNAL_SERVER_ERROR,
                "Something went wrong on our side. The error has been logged.");
        problem.setTitle("Internal error");
        return ResponseEntity.internalServerError().body(complete(problem, exchange));
    }

    private Mono<ResponseEntity<Object>> validationProblem(List<Map<String, String>> errors,
            ServerWebExchange exchange) {
        ProblemDetail problem = ProblemDetail.forStatus(HttpStatus.BAD_REQUEST);
        problem.setTitle("Validation failed");
        problem.setDetail(errors.stream()
            .map((e) -> e.get("field") + " " + e.get("message"))
            .reduce((a, b) -> a + "; " + b)
            .map((text) -> "Invalid input: " + text + ".")
            .orElse("Invalid input."));
        problem.setProperty("errors", errors);
        return Mono.just(ResponseEntity.badRequest().body(complete(problem, exchange)));
    }

    private static Map<String, String> fieldError(String field, @Nullable String message) {
        return Map.of("field", field, "message", (message != null) ? message : "is invalid");
    }

    private static String parameterName(MethodParameter parameter) {
        String name = parameter.getParameterName();
        return (name != null) ? name : "parameter " + parameter.getParameterIndex();
    }

    /**
     * Jackson's words for a repeated key (StreamReadFeature.STRICT_DUPLICATE_DETECTION).
     */
    private static final Pattern DUPLICATE = Pattern.compile("^Duplicate Object property \"([^\"]{1,100})\"");

    /** The repeated key, when the body was refused for one; {@code null} otherwise. */
    private static @Nullable String duplicateField(JacksonException ex) {
        Matcher matcher = DUPLICATE.matcher(String.valueOf(ex.getOriginalMessage()));
        return matcher.find() ? matcher.group(1) : null;
    }

    private static String knownFields(UnrecognizedPropertyException ex) {
        Collection<Object> known = ex.getKnownPropertyIds();
        if (known == null || known.isEmpty()) {
            return "documented in the API description";
        }
        return known.stream().map(String::valueOf).sorted().collect(Collectors.joining(", "));
    }

    /**
     * What a JSON value must be to bind to {@code type}, in the words of JSON rather than
     * Java.
     */
    private static String expectedType(@Nullable Class<?> type) {
        if (type == null) {
            return "has another type";
        }
        if (CharSequence.class.isAssignableFrom(type) || type == char.class || type == Character.class) {
            return "must be a string";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "must be true or false";
        }
        if (type == int.class || type == long.class || type == short.class || type == Integer.class
                || type == Long.class || type == Short.class || type == java.math.BigInteger.class) {
            return "must be a whole number";
        }
        if (type.isPrimitive() || Number.class.isAssignableFrom(type)) {
            return "must be a number";
        }
        if (type.isEnum()) {
            // an enum's toString is its JSON name (items and identity keep them equal)
            return "must be one of " + java.util.Arrays.stream(type.getEnumConstants())
                .map(String::valueOf)
                .collect(Collectors.joining(", "));
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "must be an array";
        }
        return "must be an object";
    }

    private static String jsonPath(JacksonException ex) {
        StringBuilder path = new StringBuilder();
        for (JacksonException.Reference reference : ex.getPath()) {
            String property = reference.getPropertyName();
            if (property != null) {
                path.append((path.length() > 0) ? "." : "").append(property);
            }
        }
        return path.toString();
    }

    private static <T extends Throwable> @Nullable T findCause(Throwable ex, Class<T> type) {
        for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
            if (type.isInstance(cause)) {
                return type.cast(cause);
            }
        }
        return null;
    }

}
