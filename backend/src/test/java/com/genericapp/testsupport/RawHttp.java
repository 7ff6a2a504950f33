package com.genericapp.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, for what a client library will not do on purpose:
 * pipelining, sending the next request before the previous exchange has ended, raw bytes.
 * Each read is bounded by the socket's read timeout, so a server that stops reading shows
 * up as a {@link SocketTimeoutException} rather than a hang.
 */
public final class RawHttp implements AutoCloseable {

    private final Socket socket;

    private final InputStream in;

    /** Header lines added to every request head sent (a session's cookies), or "". */
    private final String extraHeaders;

    private RawHttp(Socket socket, String extraHeaders) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.extraHeaders = extraHeaders;
    }

    /** A connection whose requests act as the test editor ({@link TestSessions}). */
    public static RawHttp connect(int port, Duration readTimeout) throws IOException {
        return connect(port, readTimeout, TestSessions.editor(port).headerLines());
    }

    /** A connection whose requests carry no session. */
    public static RawHttp connectAnonymous(int port, Duration readTimeout) throws IOException {
        return connect(port, readTimeout, "");
    }

    private static RawHttp connect(int port, Duration readTimeout, String extraHeaders) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setSoTimeout((int) readTimeout.toMillis());
        socket.setTcpNoDelay(true);
        return new RawHttp(socket, extraHeaders);
    }

    /** A bodyless request, as the bytes of one request head. */
    public static String get(String path, String accept) {
        return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: " + accept + "\r\n\r\n";
    }

    public static String post(String path, String json) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length + "\r\n\r\n" + json;
    }

    /**
     * Writes all the requests in one write, so they reach the server together
     * (pipelined).
     */
    public void send(String... requests) throws IOException {
        StringBuilder bytes = new StringBuilder();
        for (String request : requests) {
            // the extra lines go right after the request line of each request head
            int endOfRequestLine = request.indexOf("\r\n") + 2;
            if (endOfRequestLine < 2) {
                bytes.append(request);
                continue;
            }
            bytes.append(request, 0, endOfRequestLine)
                .append(this.extraHeaders)
                .append(request.substring(endOfRequestLine));
        }
        socket.getOutputStream().write(bytes.toString().getBytes(StandardCharsets.UTF_8));
        socket.getOutputStream().flush();
    }

    /**
     * The status line and headers of the next response, for a stream whose body does not
     * end.
     */
    public String readHead() throws IOException {
        StringBuilder head = new StringBuilder();
        for (String line = line(); !line.isEmpty(); line = line()) {
            head.append(line).append('\n');
        }
        return head.toString();
    }

    /**
     * The next response on the connection: status, headers (lower-case names) and body.
     */
    public Response read() throws IOException {
        String statusLine = line();
        Map<String, String> headers = new LinkedHashMap<>();
        for (String header = line(); !header.isEmpty(); header = line()) {
            int colon = header.indexOf(':');
            headers.put(header.substring(0, colon).trim().toLowerCase(Locale.ROOT), header.substring(colon + 1).trim());
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            for (int size = Integer.parseInt(line().trim(), 16); size > 0; size = Integer.parseInt(line().trim(), 16)) {
                body.write(in.readNBytes(size));
                line();
            }
            line();
        }
        else if (headers.containsKey("content-length")) {
            body.write(in.readNBytes(Integer.parseInt(headers.get("content-length"))));
        }
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        return new Response(status, headers, body.toString(StandardCharsets.UTF_8));
    }

    private String line() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("connection closed by the server");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    public record Response(int status, Map<String, String> headers, String body) {
    }

}
