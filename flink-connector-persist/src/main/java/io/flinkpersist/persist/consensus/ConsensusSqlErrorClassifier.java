package io.flinkpersist.persist.consensus;

import io.flinkpersist.persist.external.Determinacy;
import java.sql.SQLException;
import java.util.Set;

/**
 * Decides whether a failed SQL call certainly did not take effect ({@link Determinacy#DETERMINATE}) or might
 * have ({@link Determinacy#INDETERMINATE}).
 *
 * <p>Every call states whether it {@code mayHaveTakenEffect}: that is false while a connection is being
 * obtained (nothing was sent) and inside an explicit transaction before its COMMIT (the database discards
 * a transaction that is never committed), and true for an autocommit statement or a COMMIT in flight. Only
 * then do error codes matter, and only those that prove a rollback count as determinate: anything else,
 * timeouts and lost connections in particular, might have committed.
 */
final class ConsensusSqlErrorClassifier {
    /**
     * PostgreSQL SQLStates after which the statement certainly did not take effect: serialization failure and
     * deadlock (the transaction was rolled back), too many connections and cannot-connect-now (it never ran).
     */
    private static final Set<String> POSTGRES_DETERMINATE_STATES = Set.of("40001", "40P01", "53300", "57P03");

    /** SQLite's busy and locked codes: the statement could not get its lock and changed nothing. */
    private static final int SQLITE_BUSY = 5;
    private static final int SQLITE_LOCKED = 6;

    private ConsensusSqlErrorClassifier() {}

    static Determinacy postgres(SQLException failure, boolean mayHaveTakenEffect) {
        if (!mayHaveTakenEffect) {
            return Determinacy.DETERMINATE;
        }
        String state = failure.getSQLState();
        return state != null && POSTGRES_DETERMINATE_STATES.contains(state)
                ? Determinacy.DETERMINATE
                : Determinacy.INDETERMINATE;
    }

    static Determinacy sqlite(SQLException failure, boolean mayHaveTakenEffect) {
        if (!mayHaveTakenEffect) {
            return Determinacy.DETERMINATE;
        }
        // Extended result codes (SQLITE_BUSY_SNAPSHOT = 517, ...) carry the primary code in their low byte.
        int primaryCode = failure.getErrorCode() & 0xFF;
        return primaryCode == SQLITE_BUSY || primaryCode == SQLITE_LOCKED
                ? Determinacy.DETERMINATE
                : Determinacy.INDETERMINATE;
    }
}
