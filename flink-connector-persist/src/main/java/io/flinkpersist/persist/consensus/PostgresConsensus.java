package io.flinkpersist.persist.consensus;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.flinkpersist.persist.external.Retrier;
import io.flinkpersist.persist.ids.SeqNo;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@link Consensus} in persist's PostgreSQL table
 * {@code consensus(shard, sequence_number, data, PRIMARY KEY (shard, sequence_number))}, under READ COMMITTED.
 *
 * <p>The primary key decides every race. A compare-and-set from {@code E} is one autocommit statement that
 * locks row {@code E} (FOR KEY SHARE) and inserts {@code E+1} if it got the lock: versions are contiguous and
 * truncation never removes the head, so {@code E} exists and {@code E+1} does not exactly when {@code E} is
 * the head, and of several racers the unique index lets one insert {@code E+1}. The lock keeps a concurrent
 * truncation from removing {@code E} and {@code E+1} in between. Initialising a key (no expected version) has no row to test, so
 * every initialiser first inserts a sentinel row {@code (shard, -1)}: a second one blocks on the first's
 * uncommitted sentinel and finds it taken once the first commits. The sentinel is never a version and is
 * never truncated.
 *
 * <p>The password is handed to the connection pool only: it never appears in {@link #toString()}, logs or
 * exception messages.
 */
public final class PostgresConsensus extends JdbcConsensus {
    private static final String CREATE_TABLE = "CREATE TABLE IF NOT EXISTS consensus ("
            + "shard text NOT NULL, sequence_number bigint NOT NULL, data bytea NOT NULL,"
            + " PRIMARY KEY (shard, sequence_number))";
    // The expected row is locked FOR KEY SHARE, not merely tested with EXISTS: a concurrent truncation could
    // otherwise delete both it and its successor between the test (on this statement's snapshot) and the
    // insert, and the insert would re-create a version below the head. The lock makes the truncation wait,
    // or makes this statement see the row gone.
    private static final String INSERT_AFTER_EXPECTED = "WITH expected AS (SELECT sequence_number FROM consensus"
            + " WHERE shard = ? AND sequence_number = ? FOR KEY SHARE)"
            + " INSERT INTO consensus (shard, sequence_number, data) SELECT ?, ?, ? FROM expected"
            + " ON CONFLICT DO NOTHING";
    private static final String INSERT_SENTINEL = "INSERT INTO consensus (shard, sequence_number, data)"
            + " VALUES (?, -1, '') ON CONFLICT DO NOTHING";
    private static final String INSERT_FIRST = "INSERT INTO consensus (shard, sequence_number, data)"
            + " VALUES (?, ?, ?) ON CONFLICT DO NOTHING";
    private static final String COUNT_VERSIONS =
            "SELECT count(*) FROM consensus WHERE shard = ? AND sequence_number >= 0";

    private static final Pattern PASSWORD_PARAMETER = Pattern.compile("(?i)(password=)[^&]*");

    /**
     * Opens the database at {@code jdbcUrl} and creates the table if it is absent.
     *
     * @param jdbcUrl a {@code jdbc:postgresql:} URL
     * @param user the user, or null to take it from the URL
     * @param password the password, or null to take it from the URL (or need none)
     */
    public PostgresConsensus(String jdbcUrl, String user, String password, PostgresConsensusConfig config) {
        this(jdbcUrl, user, password, config, new Retrier(config.retryPolicy()));
    }

    /** With a given retrier, so tests can observe retries without sleeping. */
    PostgresConsensus(String jdbcUrl, String user, String password, PostgresConsensusConfig config, Retrier retrier) {
        super(new JdbcCalls(pool(jdbcUrl, user, password, config), ConsensusSqlErrorClassifier::postgres,
                        "BEGIN ISOLATION LEVEL READ COMMITTED", config.statementTimeoutSeconds()),
                retrier,
                "PostgresConsensus{url=" + redacted(jdbcUrl) + (user == null ? "" : ", user=" + user) + "}",
                CREATE_TABLE);
    }

    @Override
    protected boolean tryCompareAndSet(String operation, String key, Optional<SeqNo> expected, VersionedData next) {
        return expected.isPresent()
                ? insertAfter(operation, key, expected.get(), next)
                : initialise(operation, key, next);
    }

    private boolean insertAfter(String operation, String key, SeqNo expected, VersionedData next) {
        return calls.autocommit(operation, connection -> {
            try (PreparedStatement insert = calls.prepare(connection, INSERT_AFTER_EXPECTED)) {
                insert.setString(1, key);
                insert.setLong(2, expected.value());
                insert.setString(3, key);
                insert.setLong(4, next.seqNo().value());
                insert.setBytes(5, next.data());
                return insert.executeUpdate() == 1;
            }
        });
    }

    /**
     * Commits iff this transaction inserted both the sentinel and the first version and the key then has no
     * other version. Requiring our own sentinel, not merely a single version, keeps initialisers serialised
     * even if a sentinel were ever left without versions.
     */
    private boolean initialise(String operation, String key, VersionedData first) {
        return calls.transaction(operation, connection -> {
            boolean sentinelInserted;
            try (PreparedStatement insert = calls.prepare(connection, INSERT_SENTINEL)) {
                insert.setString(1, key);
                sentinelInserted = insert.executeUpdate() == 1;
            }
            if (!sentinelInserted) {
                return false;
            }
            try (PreparedStatement insert = calls.prepare(connection, INSERT_FIRST)) {
                insert.setString(1, key);
                insert.setLong(2, first.seqNo().value());
                insert.setBytes(3, first.data());
                if (insert.executeUpdate() != 1) {
                    return false;
                }
            }
            // Versions written before sentinels existed (or by hand) would not have blocked on our sentinel.
            try (PreparedStatement count = calls.prepare(connection, COUNT_VERSIONS)) {
                count.setString(1, key);
                try (ResultSet rows = count.executeQuery()) {
                    rows.next();
                    return rows.getLong(1) == 1;
                }
            }
        });
    }

    private static HikariDataSource pool(String jdbcUrl, String user, String password, PostgresConsensusConfig config) {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        Objects.requireNonNull(config, "config");
        if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("expected a jdbc:postgresql: URL, was " + redacted(jdbcUrl));
        }
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName("persist-consensus-postgres");
        hikari.setJdbcUrl(jdbcUrl);
        if (user != null) {
            hikari.setUsername(user);
        }
        if (password != null) {
            hikari.setPassword(password);
        }
        hikari.setMaximumPoolSize(config.maxPoolSize());
        hikari.setMinimumIdle(1);
        hikari.setConnectionTimeout(config.connectionTimeout().toMillis());
        // Connect lazily: an unreachable database then fails the first call with a classified error
        // instead of failing this constructor with the pool's own exception.
        hikari.setInitializationFailTimeout(-1);
        hikari.setAutoCommit(true);
        hikari.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
        // As strings: the driver ignores driver properties of any other type.
        long connectTimeoutSeconds = Math.max(1, config.connectionTimeout().toSeconds());
        hikari.addDataSourceProperty("connectTimeout", String.valueOf(connectTimeoutSeconds));
        // A backstop for a silent network: a statement timeout is a cancel request, which needs a working one.
        hikari.addDataSourceProperty("socketTimeout", String.valueOf(config.statementTimeoutSeconds() + 30));
        hikari.addDataSourceProperty("tcpKeepAlive", "true");
        return new HikariDataSource(hikari);
    }

    private static String redacted(String jdbcUrl) {
        return PASSWORD_PARAMETER.matcher(jdbcUrl).replaceAll("$1***");
    }
}
