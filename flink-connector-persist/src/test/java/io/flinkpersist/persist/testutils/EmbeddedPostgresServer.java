package io.flinkpersist.persist.testutils;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One real PostgreSQL server per test JVM, started on first use and stopped by a shutdown hook, so every
 * test class can share it instead of paying for its own server.
 *
 * <p>Tests isolate themselves with {@link #createDatabase()}: a fresh, empty database per test is cheap
 * and keeps table-wide queries (such as listing every key) independent of other tests.
 */
public final class EmbeddedPostgresServer {
    /** The superuser created by initdb; the server trusts local connections, so no password is needed. */
    public static final String USER = "postgres";

    private static EmbeddedPostgresServer shared;

    private final EmbeddedPostgres postgres;
    private final AtomicInteger databases = new AtomicInteger();

    private EmbeddedPostgresServer(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    /** The server of this JVM, started if this is the first call. */
    public static synchronized EmbeddedPostgresServer shared() {
        if (shared == null) {
            try {
                EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                        // Test data need not survive a crash; skipping fsync makes every commit cheap.
                        .setServerConfig("fsync", "off")
                        .setServerConfig("synchronous_commit", "off")
                        .setServerConfig("full_page_writes", "off")
                        .setRegisterShutdownHook(true)
                        .start();
                shared = new EmbeddedPostgresServer(postgres);
            } catch (IOException e) {
                throw new UncheckedIOException("could not start embedded PostgreSQL", e);
            }
        }
        return shared;
    }

    public int port() {
        return postgres.getPort();
    }

    /** The JDBC URL of an existing database of this server. */
    public String jdbcUrl(String database) {
        return postgres.getJdbcUrl(USER, database);
    }

    /** Creates a new, empty database and returns its JDBC URL. */
    public String createDatabase() {
        String name = "test_" + databases.incrementAndGet();
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
                Statement statement = connection.createStatement()) {
            // The name is generated above, never user input; DDL cannot take a bind parameter.
            statement.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("could not create database " + name, e);
        }
        return jdbcUrl(name);
    }
}
