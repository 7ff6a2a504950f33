package com.genericapp.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for servers that tests stop and start again (a database, a proxy), chosen below
 * the kernel's ephemeral range. A port inside that range can be taken at any moment by an
 * outgoing connection, and on loopback a client that connects to a port nobody listens on
 * can even connect to itself (TCP simultaneous open): the API's pool once held
 * 127.0.0.1:P → 127.0.0.1:P on the database's port after a restart, and PostgreSQL could
 * not bind it again. Below the range, only a listener can take a port.
 */
public final class TestPorts {

    private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");

    /** Lowest port handed out: above the well-known and most registered service ports. */
    private static final int LOWEST = 20_000;

    private TestPorts() {
    }

    /** A port on 127.0.0.1 that is free now and outside the ephemeral range. */
    public static int freeNonEphemeral() {
        int highest = ephemeralStart() - 1;
        if (highest <= LOWEST) {
            throw new IllegalStateException("The ephemeral port range starts at " + (highest + 1) + ": no port between "
                    + LOWEST + " and it is safe for a test server");
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = random.nextInt(LOWEST, highest + 1);
            if (isFree(port)) {
                return port;
            }
        }
        throw new IllegalStateException("No free port between " + LOWEST + " and " + highest + " after 200 tries");
    }

    /** The first ephemeral port (32768 where the kernel does not say). */
    static int ephemeralStart() {
        try {
            // readString trusts the size procfs reports and returns a truncated text:
            // read lines
            String[] range = Files.readAllLines(EPHEMERAL_RANGE).get(0).trim().split("\\s+");
            return Integer.parseInt(range[0]);
        }
        catch (IOException | RuntimeException ex) {
            return 32_768;
        }
    }

    private static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        }
        catch (IOException ex) {
            return false;
        }
    }

    /** Fails unless something accepts TCP connections on 127.0.0.1:{@code port}. */
    public static void requireListening(int port, String what) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2_000);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(what + " does not accept connections on 127.0.0.1:" + port, ex);
        }
    }

}
