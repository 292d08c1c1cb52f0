package io.flinkpersist.persist.consensus;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.flinkpersist.persist.external.Retrier;
import io.flinkpersist.persist.ids.SeqNo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Objects;
import java.util.Optional;

/**
 * {@link Consensus} in one local SQLite file, in the same {@code consensus} table as {@link PostgresConsensus}.
 *
 * <p>A compare-and-set is one {@code BEGIN IMMEDIATE} transaction: it takes SQLite's single write lock up
 * front, reads the latest seqno, compares it with the expectation and inserts. Holding the lock from the
 * start means two writers can never both read and then both insert, and a writer that cannot get the lock
 * fails with SQLITE_BUSY before doing anything, which is retried. The file is in WAL mode, so readers are
 * not blocked by the writer, and {@code synchronous=FULL}, so a committed version survives a power loss.
 */
public final class SqliteConsensus extends JdbcConsensus {
    private static final String CREATE_TABLE = "CREATE TABLE IF NOT EXISTS consensus ("
            + "shard TEXT NOT NULL, sequence_number BIGINT NOT NULL, data BLOB NOT NULL,"
            + " PRIMARY KEY (shard, sequence_number))";
    private static final String LATEST_SEQNO = "SELECT max(sequence_number) FROM consensus WHERE shard = ?";
    private static final String INSERT = "INSERT INTO consensus (shard, sequence_number, data) VALUES (?, ?, ?)";

    /** Opens the SQLite file, creating it, its parent directories and the table if absent. */
    public SqliteConsensus(Path file, SqliteConsensusConfig config) {
        this(file, config, new Retrier(config.retryPolicy()));
    }

    /** With a given retrier, so tests can observe retries without sleeping. */
    SqliteConsensus(Path file, SqliteConsensusConfig config, Retrier retrier) {
        // No statement timeout: the file is local, and the one wait, for the write lock, is bounded by busy_timeout.
        super(new JdbcCalls(pool(file, config), ConsensusSqlErrorClassifier::sqlite, "BEGIN IMMEDIATE", 0),
                retrier,
                "SqliteConsensus{file=" + file.toAbsolutePath() + "}",
                CREATE_TABLE);
    }

    @Override
    protected boolean tryCompareAndSet(String operation, String key, Optional<SeqNo> expected, VersionedData next) {
        return calls.transaction(operation, connection -> {
            Optional<SeqNo> latest;
            try (PreparedStatement select = calls.prepare(connection, LATEST_SEQNO)) {
                select.setString(1, key);
                try (ResultSet rows = select.executeQuery()) {
                    rows.next();
                    long seqNo = rows.getLong(1);
                    latest = rows.wasNull() ? Optional.empty() : Optional.of(SeqNo.of(seqNo));
                }
            }
            if (!latest.equals(expected)) {
                return false;
            }
            try (PreparedStatement insert = calls.prepare(connection, INSERT)) {
                insert.setString(1, key);
                insert.setLong(2, next.seqNo().value());
                insert.setBytes(3, next.data());
                insert.executeUpdate();
            }
            return true;
        });
    }

    private static HikariDataSource pool(Path file, SqliteConsensusConfig config) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(config, "config");
        Path absolute = file.toAbsolutePath();
        try {
            Files.createDirectories(absolute.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("could not create the directory of " + absolute, e);
        }
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName("persist-consensus-sqlite");
        hikari.setJdbcUrl("jdbc:sqlite:" + absolute);
        hikari.setMaximumPoolSize(config.maxPoolSize());
        hikari.setMinimumIdle(1);
        hikari.setAutoCommit(true);
        // sqlite-jdbc applies these pragmas to every connection it opens.
        hikari.addDataSourceProperty("journal_mode", "WAL");
        hikari.addDataSourceProperty("synchronous", "FULL");
        hikari.addDataSourceProperty("busy_timeout", String.valueOf(config.busyTimeout().toMillis()));
        return new HikariDataSource(hikari);
    }
}
