package io.flinkpersist.persist.consensus;

import com.zaxxer.hikari.HikariDataSource;
import io.flinkpersist.persist.external.Determinacy;
import io.flinkpersist.persist.external.ExternalException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs SQL on a pooled connection and turns every {@link SQLException} into an {@link ExternalException}
 * classified by whether the work may have taken effect.
 *
 * <p>Transactions are opened and ended with explicit BEGIN/COMMIT/ROLLBACK statements on an autocommit
 * connection, which lets each database choose its BEGIN (SQLite needs {@code BEGIN IMMEDIATE}) and keeps
 * the point where the work might commit exact: only the COMMIT statement.
 */
final class JdbcCalls implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JdbcCalls.class);

    /** Work on a connection; its {@link SQLException}s are classified by the caller of the work. */
    @FunctionalInterface
    interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    /** Classifies a failure; see {@link ConsensusSqlErrorClassifier}. */
    @FunctionalInterface
    interface Classifier {
        Determinacy classify(SQLException failure, boolean mayHaveTakenEffect);
    }

    private final HikariDataSource pool;
    private final Classifier classifier;
    private final String beginStatement;
    private final int statementTimeoutSeconds;

    /**
     * @param beginStatement the statement that opens a transaction
     * @param statementTimeoutSeconds the timeout of every statement, or 0 for none
     */
    JdbcCalls(HikariDataSource pool, Classifier classifier, String beginStatement, int statementTimeoutSeconds) {
        this.pool = pool;
        this.classifier = classifier;
        this.beginStatement = beginStatement;
        this.statementTimeoutSeconds = statementTimeoutSeconds;
    }

    /** Runs {@code work} in autocommit mode: each of its statements commits on its own. */
    <T> T autocommit(String operation, Work<T> work) {
        Connection connection = connect(operation);
        try {
            return work.run(connection);
        } catch (SQLException e) {
            throw failure(operation, e, true);
        } finally {
            release(connection);
        }
    }

    /**
     * Runs {@code body} in one transaction and commits iff it returns true, rolling back otherwise.
     *
     * @return whether the transaction committed
     */
    boolean transaction(String operation, Work<Boolean> body) {
        Connection connection = connect(operation);
        boolean began = false;
        boolean committing = false;
        try {
            execute(connection, beginStatement);
            began = true;
            if (!body.run(connection)) {
                rollback(connection);
                return false;
            }
            committing = true;
            execute(connection, "COMMIT");
            return true;
        } catch (SQLException e) {
            if (began) {
                rollback(connection);
            }
            throw failure(operation, e, committing);
        } catch (RuntimeException e) {
            if (began) {
                rollback(connection);
            }
            throw e;
        } finally {
            release(connection);
        }
    }

    /** A prepared statement carrying the configured timeout. */
    PreparedStatement prepare(Connection connection, String sql) throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        applyTimeout(statement);
        return statement;
    }

    @Override
    public void close() {
        pool.close();
    }

    private Connection connect(String operation) {
        if (pool.isClosed()) {
            throw new IllegalStateException(operation + " on a closed consensus");
        }
        try {
            return pool.getConnection();
        } catch (SQLException e) {
            throw failure(operation, e, false);
        }
    }

    private void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            applyTimeout(statement);
            statement.execute(sql);
        }
    }

    private void applyTimeout(Statement statement) throws SQLException {
        if (statementTimeoutSeconds > 0) {
            statement.setQueryTimeout(statementTimeoutSeconds);
        }
    }

    /**
     * Ends the transaction without committing. If even that fails, the connection's state is unknown, so it
     * is evicted rather than handed to the next caller; the database discards the open transaction with it.
     */
    private void rollback(Connection connection) {
        try {
            execute(connection, "ROLLBACK");
        } catch (SQLException e) {
            LOG.debug("Rollback failed, evicting the connection", e);
            pool.evictConnection(connection);
        }
    }

    private void release(Connection connection) {
        try {
            connection.close();
        } catch (SQLException e) {
            LOG.warn("Could not return a connection to the pool", e);
        }
    }

    private ExternalException failure(String operation, SQLException e, boolean mayHaveTakenEffect) {
        Determinacy determinacy = classifier.classify(e, mayHaveTakenEffect);
        String message = operation + " failed (SQLState " + e.getSQLState() + ", code " + e.getErrorCode() + "): "
                + e.getMessage();
        return new ExternalException(determinacy, message, e);
    }
}
