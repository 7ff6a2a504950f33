package com.genericapp.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.testcontainers.postgresql.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * PostgreSQL in a container (Testcontainers), for machines with a Docker engine that can
 * pull images, such as GitHub's runners. Stopping is a {@code docker pause}: the
 * container keeps its mapped port, and the API sees a database that stopped answering.
 */
final class ContainerTestPostgres implements TestPostgres {

    /**
     * {@code TEST_POSTGRES_IMAGE} when set, else the image the compose stack runs by
     * default, read from compose.yaml's {@code ${POSTGRES_IMAGE:-…}} so that the two
     * cannot drift apart.
     */
    static final String IMAGE = System.getProperty("TEST_POSTGRES_IMAGE",
            System.getenv().getOrDefault("TEST_POSTGRES_IMAGE", composeImage()));

    private static String composeImage() {
        Path compose = Path.of("..", "compose.yaml");
        try {
            Matcher image = Pattern.compile("\\$\\{POSTGRES_IMAGE:-([^}]+)}").matcher(Files.readString(compose));
            if (image.find()) {
                return image.group(1);
            }
            throw new IllegalStateException("no ${POSTGRES_IMAGE:-…} in " + compose.toAbsolutePath());
        }
        catch (IOException ex) {
            throw new UncheckedIOException("cannot read " + compose.toAbsolutePath() + " for the default image", ex);
        }
    }

    private final PostgreSQLContainer container;

    private ContainerTestPostgres(PostgreSQLContainer container) {
        this.container = container;
    }

    static ContainerTestPostgres launch() {
        PostgreSQLContainer container = new PostgreSQLContainer(DockerImageName.parse(IMAGE)).withDatabaseName(DATABASE)
            .withUsername(APP_USER)
            .withPassword(APP_PASSWORD);
        container.start();
        return new ContainerTestPostgres(container);
    }

    @Override
    public String host() {
        return container.getHost();
    }

    @Override
    public int port() {
        return container.getMappedPort(PostgreSQLContainer.POSTGRESQL_PORT);
    }

    @Override
    public String describe() {
        return "Testcontainers PostgreSQL (" + IMAGE + ") at " + host() + ":" + port();
    }

    @Override
    public void stop() {
        container.getDockerClient().pauseContainerCmd(container.getContainerId()).exec();
    }

    @Override
    public void start() {
        container.getDockerClient().unpauseContainerCmd(container.getContainerId()).exec();
    }

    @Override
    public Connection superuser() throws SQLException {
        // the container's POSTGRES_USER is its superuser
        return TestPostgres.connect(host(), port(), DATABASE, APP_USER, APP_PASSWORD);
    }

}
