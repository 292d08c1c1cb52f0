package io.flinkpersist.persist.consensus;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkpersist.persist.external.Determinacy;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

class ConsensusSqlErrorClassifierTest {
    @ParameterizedTest(name = "SQLState {0} -> {1}")
    @CsvSource({
        "40001, DETERMINATE", // serialization failure: rolled back
        "40P01, DETERMINATE", // deadlock: rolled back
        "53300, DETERMINATE", // too many connections: never ran
        "57P03, DETERMINATE", // cannot connect now: never ran
        "57014, INDETERMINATE", // statement timeout: the cancel may have raced the commit
        "08006, INDETERMINATE", // connection lost mid-statement
        "08001, INDETERMINATE",
        "23505, INDETERMINATE",
        "XX000, INDETERMINATE",
    })
    void postgresStatesOfAStatementThatMayHaveTakenEffect(String sqlState, Determinacy expected) {
        assertThat(ConsensusSqlErrorClassifier.postgres(new SQLException("failed", sqlState), true))
                .isEqualTo(expected);
    }

    @Test
    void aPostgresFailureWithoutStateMayHaveTakenEffect() {
        assertThat(ConsensusSqlErrorClassifier.postgres(new SQLException("I/O error"), true))
                .isEqualTo(Determinacy.INDETERMINATE);
    }

    @ParameterizedTest
    @CsvSource(value = {"08001", "08006", "57014", "NULL"}, nullValues = "NULL")
    void aPostgresFailureBeforeAnythingCouldCommitIsDeterminate(String sqlState) {
        SQLException poolTimeout = new SQLTransientConnectionException(
                "persist-consensus-postgres - Connection is not available, request timed out after 250ms", sqlState);

        assertThat(ConsensusSqlErrorClassifier.postgres(poolTimeout, false)).isEqualTo(Determinacy.DETERMINATE);
    }

    @ParameterizedTest
    @EnumSource(names = {"SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_BUSY_SNAPSHOT", "SQLITE_BUSY_TIMEOUT",
        "SQLITE_LOCKED_SHAREDCACHE"})
    void sqliteLockConflictsAreDeterminate(SQLiteErrorCode code) {
        assertThat(ConsensusSqlErrorClassifier.sqlite(new SQLiteException("locked", code), true))
                .isEqualTo(Determinacy.DETERMINATE);
    }

    @ParameterizedTest
    @EnumSource(names = {"SQLITE_IOERR", "SQLITE_FULL", "SQLITE_CORRUPT", "SQLITE_ERROR"})
    void otherSqliteFailuresMayHaveTakenEffect(SQLiteErrorCode code) {
        assertThat(ConsensusSqlErrorClassifier.sqlite(new SQLiteException("failed", code), true))
                .isEqualTo(Determinacy.INDETERMINATE);
        assertThat(ConsensusSqlErrorClassifier.sqlite(new SQLiteException("failed", code), false))
                .isEqualTo(Determinacy.DETERMINATE);
    }
}
