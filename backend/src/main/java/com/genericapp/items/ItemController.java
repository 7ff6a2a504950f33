package com.genericapp.items;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.List;
import java.util.Map;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.PositiveOrZero;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.http.server.reactive.ServerHttpResponse;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

@RestController
@RequestMapping("/api/items")
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.REACTIVE) // not in
                                                                               // MIGRATE_ONLY
                                                                               // runs
class ItemController {

    /**
     * Rows per write of an NDJSON export. WebFlux flushes a streaming media type after
     * every element (spring-framework#33224): one element per row meant one write and one
     * flush per row, the export's bottleneck. Whole lines, batched, are written as plain
     * bytes instead.
     */
    private static final int EXPORT_ROWS_PER_WRITE = 256;

    private final ItemRepository items;

    private final ItemEvents events;

    private final ExportSlots exports;

    private final ItemMetrics metrics;

    /**
     * Items as NDJSON lines, from the application's JSON mapper (the one the HTTP codecs
     * use), so streamed lines match the JSON responses. No flush per value: a batch is
     * one buffer.
     */
    private final ObjectWriter lineWriter;

    ItemController(ItemRepository items, ItemEvents events, ExportSlots exports, ItemMetrics metrics, JsonMapper json) {
        this.items = items;
        this.metrics = metrics;
        this.events = events;
        this.exports = exports;
        this.lineWriter = json.writerFor(Item.class)
            .withRootValueSeparator("\n")
            .without(SerializationFeature.FLUSH_AFTER_WRITE_VALUE);
    }

    @Operation(operationId = "listItems", summary = "One page of items, in id order",
            description = "At most `limit` items with an id above `after`. When more exist, the `Link` header names"
                    + " the next page. (`Accept: application/x-ndjson` on this path is the same as GET"
                    + " /api/items/export, kept for existing clients.)")
    @ApiResponse(responseCode = "200", description = "The page, in id order", headers = @Header(name = HttpHeaders.LINK,
            description = "`<…>; rel=\"next\"` when more items exist",
            schema = @Schema(type = "string", maxLength = ItemLimits.LINK_LENGTH, pattern = "^<[^>]+>; rel=\"next\"$",
                    example = "</api/items?after=50&limit=50>; rel=\"next\"")),
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                    array = @io.swagger.v3.oas.annotations.media.ArraySchema(maxItems = ItemLimits.PAGE_MAX,
                            schema = @Schema(implementation = Item.class))))
    @GetMapping(produces = MediaType.APPLICATION_JSON_VALUE)
    Mono<ResponseEntity<List<Item>>> list(
            @ItemParameters.Query @RequestParam(required = false) @Text(
                    max = ItemLimits.QUERY_LENGTH) @Nullable String q,
            @Parameter(description = "Items per page",
                    example = "50") @RequestParam(defaultValue = "50") @Min(1) @Max(ItemLimits.PAGE_MAX) int limit,
            @ItemParameters.After @RequestParam(defaultValue = "0") @PositiveOrZero long after,
            ServerHttpRequest request) {
        QueryNotUtf8Exception.requireUtf8(request);
        String query = normalize(q);
        // One row more than asked tells whether a next page exists without a count(*).
        return items.findPage(query, after, limit + 1).map((page) -> {
            if (page.size() <= limit) {
                return ResponseEntity.ok(page);
            }
            List<Item> shown = page.subList(0, limit);
            String next = nextPageLink(query, shown.get(limit - 1).id(), limit);
            return ResponseEntity.ok().header(HttpHeaders.LINK, "<" + next + ">; rel=\"next\"").body(shown);
        });
    }

    /**
     * The whole result set, one JSON object per line, produced only as fast as the client
     * reads.
     */
    @Operation(hidden = true) // documented as GET /api/items/export, which it is
    @GetMapping(produces = MediaType.APPLICATION_NDJSON_VALUE)
    Flux<DataBuffer> stream(@RequestParam(required = false) @Text(max = ItemLimits.QUERY_LENGTH) @Nullable String q,
            @RequestParam(defaultValue = "0") @PositiveOrZero long after, ServerHttpRequest request,
            ServerHttpResponse response) {
        return export(q, after, request, response);
    }

    @Operation(operationId = "exportItems", summary = "Every matching item, streamed as NDJSON",
            description = "One Item JSON object per line (application/x-ndjson), in id order, produced only as fast"
                    + " as the client reads, with no page limit. At most " + "`DB_EXPORTS_MAX` (8) exports run at once"
                    + " per API instance: past that, 503 with Retry-After. For example:\n\n"
                    + "```\n{\"id\":1,\"name\":\"Ship it\",\"description\":null,\"version\":0,…}\n"
                    + "{\"id\":2,\"name\":\"Review\",\"description\":\"Before Friday\",\"version\":3,…}\n```")
    @ApiResponse(responseCode = "200", description = "The items, one JSON object per line",
            content = @Content(mediaType = MediaType.APPLICATION_NDJSON_VALUE,
                    schema = @Schema(implementation = Item.class, description = "Each line is one Item")))
    @GetMapping(path = "/export", produces = MediaType.APPLICATION_NDJSON_VALUE)
    Flux<DataBuffer> export(
            @ItemParameters.Query @RequestParam(required = false) @Text(
                    max = ItemLimits.QUERY_LENGTH) @Nullable String q,
            @ItemParameters.After @RequestParam(defaultValue = "0") @PositiveOrZero long after,
            ServerHttpRequest request, ServerHttpResponse response) {
        QueryNotUtf8Exception.requireUtf8(request);
        disableProxyBuffering(response);
        DataBufferFactory buffers = response.bufferFactory();
        return exports.run(() -> items.streamAll(normalize(q), after)
            .buffer(EXPORT_ROWS_PER_WRITE)
            .map((rows) -> ndjson(rows, buffers)));
    }

    @Operation(operationId = "streamItemEvents", summary = "Live changes, as server-sent events",
            description = "`created` and `updated` carry the item, `deleted` carries `{\"id\":N}`; `resync` means"
                    + " changes may have been missed (the API's database listener reconnected): reload. Heartbeat"
                    + " comments keep the connection open. At most `SSE_MAX_SUBSCRIBERS` (2,000) streams per API"
                    + " instance: past that, 503 with Retry-After. For example:\n\n"
                    + "```\nevent: updated\ndata: {\"id\":2,\"name\":\"Review\",\"version\":4,…}\n\n"
                    + "event: deleted\ndata: {\"id\":2}\n```")
    @ApiResponse(responseCode = "200", description = "The event stream; it does not end on its own",
            content = @Content(mediaType = MediaType.TEXT_EVENT_STREAM_VALUE,
                    schema = @Schema(ref = "#/components/schemas/ItemEvent")))
    @GetMapping(path = "/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    Flux<ServerSentEvent<Object>> events(ServerHttpResponse response) {
        disableProxyBuffering(response);
        return events.stream();
    }

    @Operation(operationId = "getItem", summary = "One item, with its version as ETag",
            description = "The ETag (`\"<version>\"`) is what If-Match sends back to change or delete it.")
    @GetMapping("/{id}")
    Mono<ResponseEntity<Item>> get(@Parameter(description = "The item's id", schema = @Schema(type = "integer",
            format = "int64", minimum = "1", maximum = "9223372036854775807", example = "6")) @PathVariable long id) {
        requireValidId(id);
        return items.findById(id)
            .switchIfEmpty(Mono.error(() -> new ItemNotFoundException(id)))
            .map((item) -> ResponseEntity.ok().eTag(item.etag()).body(item));
    }

    @Operation(operationId = "createItem", summary = "Create an item (editor)",
            description = "201 with Location and the ETag. Names and descriptions lose surrounding whitespace;"
                    + " text is stored exactly as sent, or refused with a 400 that names the field and why.")
    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    Mono<ResponseEntity<Item>> create(@Valid @RequestBody ItemRequest request, Principal user) {
        return items.insert(request.requiredName(), request.description(), user.getName())
            .doOnNext((item) -> this.metrics.created())
            .map((item) -> ResponseEntity.created(URI.create("/api/items/" + item.id())).eTag(item.etag()).body(item));
    }

    @Operation(operationId = "replaceItem", summary = "Replace an item's name and description (editor)",
            description = "With If-Match, only if the item still has that version: 412 with currentVersion"
                    + " otherwise. The answer carries the new ETag.")
    @PutMapping(path = "/{id}", consumes = MediaType.APPLICATION_JSON_VALUE)
    Mono<ResponseEntity<Item>> replace(
            @Parameter(description = "The item's id",
                    schema = @Schema(type = "integer", format = "int64", minimum = "1", maximum = "9223372036854775807",
                            example = "6")) @PathVariable long id,
            @Valid @RequestBody ItemRequest request,
            @Parameter(description = "Only if the item still has this version (an ETag the API returned), or *",
                    schema = @Schema(type = "string", maxLength = ItemLimits.IF_MATCH_LENGTH, pattern = IfMatch.PATTERN,
                            example = "\"3\"")) @RequestHeader(name = HttpHeaders.IF_MATCH,
                                    required = false) @Nullable String ifMatch,
            Principal user) {
        requireValidId(id);
        Long requiredVersion = IfMatch.requiredVersion(ifMatch);
        return items.update(id, request.requiredName(), request.description(), requiredVersion, user.getName())
            .switchIfEmpty(Mono.defer(() -> explainMissedWrite(id, requiredVersion)))
            .doOnNext((item) -> this.metrics.updated())
            .map((item) -> ResponseEntity.ok().eTag(item.etag()).body(item));
    }

    @Operation(operationId = "deleteItem", summary = "Delete an item (editor)",
            description = "204; with If-Match, only if the item still has that version (412 otherwise).")
    @DeleteMapping("/{id}")
    Mono<ResponseEntity<Void>> delete(
            @Parameter(description = "The item's id",
                    schema = @Schema(type = "integer", format = "int64", minimum = "1", maximum = "9223372036854775807",
                            example = "6")) @PathVariable long id,
            @Parameter(description = "Only if the item still has this version (an ETag the API returned), or *",
                    schema = @Schema(type = "string", maxLength = ItemLimits.IF_MATCH_LENGTH, pattern = IfMatch.PATTERN,
                            example = "\"3\"")) @RequestHeader(name = HttpHeaders.IF_MATCH,
                                    required = false) @Nullable String ifMatch) {
        requireValidId(id);
        Long requiredVersion = IfMatch.requiredVersion(ifMatch);
        return items.delete(id, requiredVersion)
            .switchIfEmpty(Mono.defer(() -> explainMissedWrite(id, requiredVersion)))
            .doOnNext((deleted) -> this.metrics.deleted())
            .map((deleted) -> ResponseEntity.noContent().build());
    }

    /**
     * A conditional write touched no row: either the item is gone (404) or its version
     * moved on (412).
     */
    private <T> Mono<T> explainMissedWrite(long id, @Nullable Long requiredVersion) {
        return items.findById(id)
            .switchIfEmpty(Mono.error(() -> new ItemNotFoundException(id)))
            .flatMap((current) -> Mono.error(new ItemVersionMismatchException(id,
                    (requiredVersion != null) ? requiredVersion : -1, current.version())));
    }

    /**
     * One JSON object per line, as Spring's NDJSON encoder writes them. One generator
     * writes the whole batch straight into the buffer: no byte array and no generator per
     * row.
     */
    private DataBuffer ndjson(List<Item> rows, DataBufferFactory buffers) {
        DataBuffer buffer = buffers.allocateBuffer(rows.size() * 160);
        try (JsonGenerator lines = lineWriter.createGenerator(buffer.asOutputStream())) {
            for (Item item : rows) {
                lineWriter.writeValue(lines, item);
            }
            lines.writeRaw('\n');
        }
        catch (RuntimeException ex) {
            DataBufferUtils.release(buffer);
            throw ex;
        }
        this.metrics.exportRows(rows.size());
        return buffer;
    }

    /**
     * Ids start at 1. Checked here rather than with {@code @Min} on the parameter: a
     * constraint there turns the body's validation into method validation, whose errors
     * no longer name the body's fields.
     */
    private static void requireValidId(long id) {
        if (id < 1) {
            ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
                    "Invalid input: id must be at least 1.");
            problem.setTitle("Validation failed");
            problem.setProperty("errors", List.of(Map.of("field", "id", "message", "must be at least 1")));
            throw new ErrorResponseException(HttpStatus.BAD_REQUEST, problem, null);
        }
    }

    private static @Nullable String normalize(@Nullable String q) {
        // an absent or blank query signifies no filter
        return (q == null || q.isBlank()) ? null : q.strip();
    }

    private static String nextPageLink(@Nullable String query, long lastId, int limit) {
        String link = "/api/items?after=" + lastId + "&limit=" + limit;
        // %20 rather than URLEncoder's '+': the link is a URI, not a form body.
        return (query != null) ? link + "&q=" + URLEncoder.encode(query, StandardCharsets.UTF_8).replace("+", "%20")
                : link;
    }

    /**
     * Nginx (and other proxies that honour it) must pass streamed rows and events on at
     * once.
     */
    private static void disableProxyBuffering(ServerHttpResponse response) {
        response.getHeaders().set("X-Accel-Buffering", "no");
    }

}
