package io.flinkpersist.persist.consensus;

import io.flinkpersist.persist.external.Retrier;
import io.flinkpersist.persist.ids.SeqNo;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the SQL consensus implementations share: persist's {@code consensus} table and the statements that
 * read and truncate it. Subclasses decide how a compare-and-set is made atomic.
 *
 * <p>Reads and truncate are idempotent, so every failure is retried; a compare-and-set is retried only
 * when it certainly did not take effect. Every statement skips rows with a negative sequence_number: that
 * is where {@link PostgresConsensus} keeps its initialisation sentinel, which is no version.
 */
abstract class JdbcConsensus implements Consensus {
    private static final Logger LOG = LoggerFactory.getLogger(JdbcConsensus.class);

    private static final String HEAD = "SELECT sequence_number, data FROM consensus"
            + " WHERE shard = ? AND sequence_number >= 0 ORDER BY sequence_number DESC LIMIT 1";
    private static final String HEAD_SEQNO =
            "SELECT max(sequence_number) FROM consensus WHERE shard = ? AND sequence_number >= 0";
    private static final String SCAN = "SELECT sequence_number, data FROM consensus"
            + " WHERE shard = ? AND sequence_number >= ? ORDER BY sequence_number ASC LIMIT ?";
    // Deleting only while a version at or above the bound exists is what keeps the head from ever going.
    private static final String TRUNCATE = "DELETE FROM consensus"
            + " WHERE shard = ? AND sequence_number >= 0 AND sequence_number < ?"
            + " AND EXISTS (SELECT 1 FROM consensus WHERE shard = ? AND sequence_number >= ?)";
    private static final String LIST_KEYS =
            "SELECT DISTINCT shard FROM consensus WHERE sequence_number >= 0 ORDER BY shard";

    protected final JdbcCalls calls;
    private final Retrier retrier;
    private final String description;

    /**
     * Creates the table with {@code createTable} (idempotent) and closes {@code calls} if that fails.
     *
     * @param description how {@link #toString()} describes this store; must not contain credentials
     */
    JdbcConsensus(JdbcCalls calls, Retrier retrier, String description, String createTable) {
        this.calls = calls;
        this.retrier = retrier;
        this.description = description;
        try {
            retrier.idempotent("create the consensus table", () -> calls.autocommit("create the consensus table",
                    connection -> {
                        try (PreparedStatement statement = calls.prepare(connection, createTable)) {
                            return statement.execute();
                        }
                    }));
        } catch (RuntimeException e) {
            calls.close();
            throw e;
        }
        LOG.info("Opened {}", description);
    }

    /** One attempt at {@link #compareAndSet}, with its arguments already validated. */
    protected abstract boolean tryCompareAndSet(
            String operation, String key, Optional<SeqNo> expected, VersionedData next);

    @Override
    public Optional<VersionedData> head(String key) {
        Objects.requireNonNull(key, "key");
        return runIdempotent("head of key " + key, HEAD, statement -> {
            statement.setString(1, key);
            List<VersionedData> versions = versions(statement);
            return versions.isEmpty() ? Optional.empty() : Optional.of(versions.get(0));
        });
    }

    @Override
    public CasResult compareAndSet(String key, Optional<SeqNo> expected, VersionedData next) {
        ConsensusArguments.requireSuccessor(key, expected, next);
        String operation = "compareAndSet of key " + key + " from "
                + expected.map(SeqNo::toString).orElse("no versions") + " to " + next.seqNo();
        boolean committed = retrier.nonIdempotent(operation, () -> tryCompareAndSet(operation, key, expected, next));
        return committed ? CasResult.COMMITTED : CasResult.EXPECTATION_MISMATCH;
    }

    @Override
    public List<VersionedData> scan(String key, SeqNo from, int limit) {
        ConsensusArguments.requireScan(key, from, limit);
        return runIdempotent("scan of key " + key + " from " + from, SCAN, statement -> {
            statement.setString(1, key);
            statement.setLong(2, from.value());
            statement.setInt(3, limit);
            return versions(statement);
        });
    }

    @Override
    public long truncate(String key, SeqNo seqNo) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(seqNo, "seqNo");
        long deleted = runIdempotent("truncate of key " + key + " below " + seqNo, TRUNCATE, statement -> {
            statement.setString(1, key);
            statement.setLong(2, seqNo.value());
            statement.setString(3, key);
            statement.setLong(4, seqNo.value());
            return (long) statement.executeUpdate();
        });
        if (deleted == 0) {
            // Nothing deleted: either nothing was below the bound, or the bound is past the head.
            Optional<SeqNo> head = headSeqNo(key);
            if (head.isEmpty() || head.get().compareTo(seqNo) < 0) {
                throw ConsensusArguments.truncatePastHead(key, seqNo, head);
            }
        }
        return deleted;
    }

    @Override
    public List<String> listKeys() {
        return runIdempotent("list keys", LIST_KEYS, statement -> {
            List<String> keys = new ArrayList<>();
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    keys.add(rows.getString(1));
                }
            }
            return keys;
        });
    }

    @Override
    public void close() {
        calls.close();
        LOG.debug("Closed {}", description);
    }

    @Override
    public String toString() {
        return description;
    }

    /** Statement work; its parameters are set by the work itself. */
    @FunctionalInterface
    private interface StatementWork<T> {
        T run(PreparedStatement statement) throws SQLException;
    }

    /** Runs one idempotent statement, retrying every failure. */
    private <T> T runIdempotent(String operation, String sql, StatementWork<T> work) {
        return retrier.idempotent(operation, () -> calls.autocommit(operation, connection -> {
            try (PreparedStatement statement = calls.prepare(connection, sql)) {
                return work.run(statement);
            }
        }));
    }

    private Optional<SeqNo> headSeqNo(String key) {
        return runIdempotent("head seqno of key " + key, HEAD_SEQNO, statement -> {
            statement.setString(1, key);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                long seqNo = rows.getLong(1);
                return rows.wasNull() ? Optional.empty() : Optional.of(SeqNo.of(seqNo));
            }
        });
    }

    private static List<VersionedData> versions(PreparedStatement statement) throws SQLException {
        List<VersionedData> versions = new ArrayList<>();
        try (ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                versions.add(new VersionedData(SeqNo.of(rows.getLong(1)), rows.getBytes(2)));
            }
        }
        return versions;
    }
}
