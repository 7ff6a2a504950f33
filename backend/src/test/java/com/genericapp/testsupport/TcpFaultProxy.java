package com.genericapp.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy in front of the test database that a test can make misbehave the way
 * networks do:
 * <ul>
 * <li>{@link #cut()}: every open connection is closed at once (a restart, a reset);</li>
 * <li>{@link #refuse(boolean)}: new connections are accepted and closed at once;</li>
 * <li>{@link #freeze(boolean)}: connections, old and new, stay open but nothing is
 * forwarded in either direction (a partition, a hung server): bytes wait, as TCP would
 * keep them, and flow again when the freeze ends. A side that closes its socket is still
 * noticed.</li>
 * </ul>
 * It listens below the ephemeral range ({@link TestPorts}), so nothing else can take its
 * port.
 */
public final class TcpFaultProxy implements AutoCloseable {

    private final ServerSocket server;

    private final InetSocketAddress target;

    private final Set<Link> links = ConcurrentHashMap.newKeySet();

    private final AtomicInteger accepted = new AtomicInteger();

    private final Object gate = new Object();

    private volatile boolean frozen;

    private volatile boolean refusing;

    private volatile boolean closed;

    private TcpFaultProxy(String targetHost, int targetPort) throws IOException {
        this.target = new InetSocketAddress(targetHost, targetPort);
        this.server = new ServerSocket();
        this.server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), TestPorts.freeNonEphemeral()));
        daemon("fault-proxy-accept-" + port(), this::acceptLoop);
    }

    public static TcpFaultProxy to(String host, int port) {
        try {
            return new TcpFaultProxy(host, port);
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Could not start the fault proxy", ex);
        }
    }

    public int port() {
        return this.server.getLocalPort();
    }

    /** Connections accepted since the proxy started. */
    public int accepted() {
        return this.accepted.get();
    }

    /**
     * Connections open now whose client side has been open for longer than {@code age}.
     */
    public long openOlderThan(Duration age) {
        long before = System.nanoTime() - age.toNanos();
        return this.links.stream().filter((link) -> link.openedAt - before < 0).count();
    }

    public int open() {
        return this.links.size();
    }

    public void cut() {
        List.copyOf(this.links).forEach(Link::close);
    }

    public void refuse(boolean refuse) {
        this.refusing = refuse;
    }

    public void freeze(boolean freeze) {
        synchronized (this.gate) {
            this.frozen = freeze;
            this.gate.notifyAll();
        }
    }

    @Override
    public void close() {
        this.closed = true;
        freeze(false);
        try {
            this.server.close();
        }
        catch (IOException ex) {
            // closing anyway
        }
        cut();
    }

    private void acceptLoop() {
        while (!this.closed) {
            try {
                Socket client = this.server.accept();
                this.accepted.incrementAndGet();
                if (this.refusing) {
                    client.close();
                    continue;
                }
                Socket upstream = new Socket();
                try {
                    upstream.connect(this.target, 2_000);
                }
                catch (IOException ex) {
                    client.close();
                    upstream.close();
                    continue;
                }
                Link link = new Link(client, upstream);
                this.links.add(link);
                link.start();
            }
            catch (IOException ex) {
                if (!this.closed) {
                    // a failed accept: go on accepting
                    continue;
                }
            }
        }
    }

    private static void daemon(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
    }

    private void awaitThaw() throws InterruptedException {
        synchronized (this.gate) {
            while (this.frozen && !this.closed) {
                this.gate.wait();
            }
        }
    }

    private final class Link {

        final Socket client;

        final Socket upstream;

        final long openedAt = System.nanoTime();

        Link(Socket client, Socket upstream) {
            this.client = client;
            this.upstream = upstream;
        }

        void start() {
            pump(this.client, this.upstream, "up");
            pump(this.upstream, this.client, "down");
        }

        /**
         * A reader that never stops reading, so a side that closes is noticed even while
         * frozen, and a writer that passes the bytes on only while not frozen.
         */
        private void pump(Socket from, Socket to, String direction) {
            BlockingQueue<byte[]> pending = new LinkedBlockingQueue<>();
            daemon("fault-proxy-read-" + direction + "-" + port(), () -> {
                byte[] buffer = new byte[16 * 1024];
                try (InputStream in = from.getInputStream()) {
                    for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                        pending.add(Arrays.copyOf(buffer, read));
                    }
                }
                catch (IOException ex) {
                    // the link was cut
                }
                finally {
                    close();
                }
            });
            daemon("fault-proxy-write-" + direction + "-" + port(), () -> {
                try (OutputStream out = to.getOutputStream()) {
                    while (!this.closed) {
                        byte[] bytes = pending.poll(100, TimeUnit.MILLISECONDS);
                        if (bytes != null) {
                            awaitThaw();
                            out.write(bytes);
                            out.flush();
                        }
                    }
                }
                catch (IOException | InterruptedException ex) {
                    // the link was cut
                }
                finally {
                    close();
                }
            });
        }

        private volatile boolean closed;

        void close() {
            this.closed = true;
            TcpFaultProxy.this.links.remove(this);
            closeQuietly(this.client);
            closeQuietly(this.upstream);
        }

        private static void closeQuietly(Socket socket) {
            try {
                socket.close();
            }
            catch (IOException ex) {
                // already closed
            }
        }

    }

}
