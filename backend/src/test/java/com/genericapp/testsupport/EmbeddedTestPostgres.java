package com.genericapp.testsupport;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.zonky.test.db.postgres.embedded.DefaultPostgresBinaryResolver;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/**
 * PostgreSQL from the binaries that {@code io.zonky.test.postgres} publishes on Maven
 * Central, so a machine needs neither Docker nor an installed PostgreSQL.
 *
 * <p>
 * zonky's own launcher runs initdb as the current user, and PostgreSQL refuses to run as
 * root, which is what CI containers often are. So this launcher takes only zonky's
 * binaries and, when running as root, starts the server as the unprivileged
 * {@code nobody} user through {@code setpriv}. The server listens on 127.0.0.1 only, with
 * durability switched off (tests do not survive a power cut; they should be fast).
 */
final class EmbeddedTestPostgres implements TestPostgres {

    private static final int NOBODY = 65534;

    private final Path binaries;

    private final Path dataDirectory;

    private final int port;

    private EmbeddedTestPostgres(Path binaries, Path dataDirectory, int port) {
        this.binaries = binaries;
        this.dataDirectory = dataDirectory;
        this.port = port;
    }

    static EmbeddedTestPostgres launch() {
        try {
            Path binaries = extractBinaries();
            Path base = Files.createTempDirectory("generic-app-pg-data");
            Path data = base.resolve("data");
            Files.createDirectories(data);
            Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
            if (runningAsRoot()) {
                run(List.of("chown", "-R", NOBODY + ":" + NOBODY, base.toString()), false);
            }
            EmbeddedTestPostgres postgres = new EmbeddedTestPostgres(binaries, data, TestPorts.freeNonEphemeral());
            postgres.run(List.of(binaries.resolve("bin/initdb").toString(), "-A", "trust", "-U", "postgres", "-D",
                    data.toString(), "-E", "UTF-8", "--locale=C.UTF-8"));
            postgres.start();
            postgres.createApplicationDatabase();
            return postgres;
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Could not start the embedded PostgreSQL", ex);
        }
    }

    @Override
    public void start() {
        run(List.of(binaries.resolve("bin/pg_ctl").toString(), "-D", dataDirectory.toString(), "-l",
                dataDirectory.resolveSibling("postgres.log").toString(), "-w", "-t", "60", "-o",
                "-p " + port + " -h 127.0.0.1 -c unix_socket_directories='' -F -c synchronous_commit=off"
                        + " -c full_page_writes=off -c max_connections=200",
                "start"));
        // pg_ctl -w waits for the server to report ready; prove it listens where the
        // tests will look
        TestPorts.requireListening(port, "PostgreSQL");
    }

    @Override
    public void stop() {
        run(List.of(binaries.resolve("bin/pg_ctl").toString(), "-D", dataDirectory.toString(), "-m", "fast", "-w", "-t",
                "60", "stop"));
    }

    @Override
    public String host() {
        return "127.0.0.1";
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public String describe() {
        return "embedded PostgreSQL (binaries from io.zonky.test.postgres) at 127.0.0.1:" + port
                + (runningAsRoot() ? ", run as user nobody because this JVM runs as root" : "");
    }

    @Override
    public Connection superuser() throws SQLException {
        return TestPostgres.connect(host(), port, DATABASE, "postgres", "");
    }

    private void createApplicationDatabase() {
        // the application role owns its database, as the schema owner does in compose
        try (Connection connection = TestPostgres.connect(host(), port, "postgres", "postgres", "");
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE ROLE " + APP_USER + " LOGIN PASSWORD '" + APP_PASSWORD + "'");
            statement.execute("CREATE DATABASE " + DATABASE + " OWNER " + APP_USER);
        }
        catch (SQLException ex) {
            throw new IllegalStateException("Could not create the test database", ex);
        }
    }

    private void run(List<String> command) {
        run(command, runningAsRoot());
    }

    private static void run(List<String> command, boolean asNobody) {
        List<String> full = new ArrayList<>();
        if (asNobody) {
            full.addAll(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups", "--"));
        }
        full.addAll(command);
        try {
            Process process = new ProcessBuilder(full).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes());
            if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("Command failed: " + String.join(" ", full) + "\n" + output);
            }
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Could not run " + full.get(0), ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while running " + full.get(0), ex);
        }
    }

    /**
     * Extracts the binaries once per archive content into the temp directory, readable by
     * every user.
     */
    private static synchronized Path extractBinaries() throws IOException {
        byte[] archive;
        try (InputStream in = DefaultPostgresBinaryResolver.INSTANCE.getPgBinary("Linux", "x86_64")) {
            archive = in.readAllBytes();
        }
        Path root = Path.of(System.getProperty("java.io.tmpdir"), "generic-app-pg-binaries");
        Files.createDirectories(root);
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path target = root.resolve(sha256(archive).substring(0, 16));
        if (Files.exists(target.resolve(".extracted"))) {
            return target;
        }
        Path partial = Files.createTempDirectory(root, "extracting");
        try (TarArchiveInputStream tar = new TarArchiveInputStream(
                new XZCompressorInputStream(new ByteArrayInputStream(archive)))) {
            for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                Path path = partial.resolve(entry.getName()).normalize();
                if (!path.startsWith(partial)) {
                    throw new IOException("Archive entry outside the target: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(path);
                }
                else if (entry.isSymbolicLink()) {
                    Files.createDirectories(path.getParent());
                    Files.createSymbolicLink(path, Path.of(entry.getLinkName()));
                }
                else {
                    Files.createDirectories(path.getParent());
                    Files.copy(tar, path);
                    boolean executable = (entry.getMode() & 0100) != 0;
                    Files.setPosixFilePermissions(path,
                            PosixFilePermissions.fromString(executable ? "rwxr-xr-x" : "rw-r--r--"));
                }
            }
        }
        run(List.of("chmod", "-R", "a+rX", partial.toString()), false);
        Files.createFile(partial.resolve(".extracted"));
        try {
            Files.move(partial, target);
        }
        catch (IOException ex) {
            // another JVM extracted the same archive meanwhile: use theirs
            if (!Files.exists(target.resolve(".extracted"))) {
                throw ex;
            }
        }
        return target;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        }
        catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static boolean runningAsRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

}
