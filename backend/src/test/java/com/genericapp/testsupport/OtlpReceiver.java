package com.genericapp.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import tools.jackson.databind.json.JsonMapper;

/**
 * An OTLP/HTTP trace receiver (protobuf, as the OpenTelemetry exporters send it), the
 * collector's side of {@code POST /v1/traces} decoded with the opentelemetry-proto
 * classes: what the API exports when {@code OTEL_EXPORTER_OTLP_ENDPOINT} names it.
 *
 * <p>
 * In a test it runs in process and keeps every span it received ({@link #spans()}). Run
 * as a program ({@code java -cp … com.genericapp.testsupport.OtlpReceiver ADDRESS PORT})
 * it prints each span as one JSON line on standard output, for the black-box tracing
 * suite (ci/tests/tracing.bats), until it is stopped.
 */
public final class OtlpReceiver implements AutoCloseable {

    /** One span as received: ids in lowercase hex, attributes as strings. */
    public record ReceivedSpan(String traceId, String spanId, String parentSpanId, String name, String kind,
            Map<String, String> attributes, String service) {

        public boolean isRoot() {
            return this.parentSpanId.isEmpty();
        }

    }

    private static final HexFormat HEX = HexFormat.of();

    private final HttpServer server;

    private final List<ReceivedSpan> spans = new CopyOnWriteArrayList<>();

    private OtlpReceiver(HttpServer server) {
        this.server = server;
    }

    /** Listens on an ephemeral port of the loopback address. */
    public static OtlpReceiver start() throws IOException {
        return start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), (span) -> {
        });
    }

    static OtlpReceiver start(InetSocketAddress address, Consumer<ReceivedSpan> each) throws IOException {
        HttpServer server = HttpServer.create(address, 16);
        OtlpReceiver receiver = new OtlpReceiver(server);
        server.createContext("/v1/traces", (exchange) -> receiver.receive(exchange, each));
        server.start();
        return receiver;
    }

    /** The base URL, as {@code OTEL_EXPORTER_OTLP_ENDPOINT} takes it. */
    public String baseUrl() {
        return "http://127.0.0.1:" + this.server.getAddress().getPort();
    }

    /** Every span received so far, in order of arrival. */
    public List<ReceivedSpan> spans() {
        return List.copyOf(this.spans);
    }

    /** The spans of one trace received so far. */
    public List<ReceivedSpan> trace(String traceId) {
        return this.spans.stream().filter((span) -> span.traceId().equals(traceId)).toList();
    }

    private void receive(HttpExchange exchange, Consumer<ReceivedSpan> each) throws IOException {
        try (exchange) {
            if (!"POST".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            ExportTraceServiceRequest request;
            try (InputStream body = body(exchange)) {
                request = ExportTraceServiceRequest.parseFrom(body);
            }
            for (ResourceSpans resource : request.getResourceSpansList()) {
                String service = resource.getResource()
                    .getAttributesList()
                    .stream()
                    .filter((attribute) -> attribute.getKey().equals("service.name"))
                    .map((attribute) -> text(attribute.getValue()))
                    .findFirst()
                    .orElse("");
                for (ScopeSpans scope : resource.getScopeSpansList()) {
                    for (Span span : scope.getSpansList()) {
                        ReceivedSpan received = received(span, service);
                        this.spans.add(received);
                        each.accept(received);
                    }
                }
            }
            byte[] answer = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
            exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, (answer.length == 0) ? -1 : answer.length);
            if (answer.length > 0) {
                exchange.getResponseBody().write(answer);
            }
        }
    }

    private static InputStream body(HttpExchange exchange) throws IOException {
        String encoding = exchange.getRequestHeaders().getFirst("Content-Encoding");
        return "gzip".equalsIgnoreCase(encoding) ? new GZIPInputStream(exchange.getRequestBody())
                : exchange.getRequestBody();
    }

    private static ReceivedSpan received(Span span, String service) {
        Map<String, String> attributes = new LinkedHashMap<>();
        for (KeyValue attribute : span.getAttributesList()) {
            attributes.put(attribute.getKey(), text(attribute.getValue()));
        }
        return new ReceivedSpan(HEX.formatHex(span.getTraceId().toByteArray()),
                HEX.formatHex(span.getSpanId().toByteArray()), HEX.formatHex(span.getParentSpanId().toByteArray()),
                span.getName(), span.getKind().name(), attributes, service);
    }

    private static String text(AnyValue value) {
        return switch (value.getValueCase()) {
            case STRING_VALUE -> value.getStringValue();
            case BOOL_VALUE -> Boolean.toString(value.getBoolValue());
            case INT_VALUE -> Long.toString(value.getIntValue());
            case DOUBLE_VALUE -> Double.toString(value.getDoubleValue());
            case ARRAY_VALUE -> {
                List<String> items = new ArrayList<>();
                value.getArrayValue().getValuesList().forEach((item) -> items.add(text(item)));
                yield String.join(",", items);
            }
            case BYTES_VALUE -> HEX.formatHex(value.getBytesValue().toByteArray());
            default -> value.toString();
        };
    }

    @Override
    public void close() {
        this.server.stop(0);
    }

    /**
     * Standalone: {@code ADDRESS PORT}; one JSON object per span on standard output.
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: OtlpReceiver ADDRESS PORT");
            System.exit(2);
        }
        JsonMapper json = JsonMapper.builder().build();
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        start(new InetSocketAddress(InetAddress.getByName(args[0]), Integer.parseInt(args[1])), (span) -> {
            synchronized (out) {
                out.println(json.writeValueAsString(span));
            }
        });
        System.err.println("otlp-receiver: listening on " + args[0] + ":" + args[1]);
    }

}
