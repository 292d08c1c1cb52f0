package io.flinkpersist.persist.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.flinkpersist.persist.external.Determinacy;
import io.flinkpersist.persist.external.ExternalException;
import io.flinkpersist.persist.external.Retrier;
import io.flinkpersist.persist.external.RetryPolicy;
import io.flinkpersist.persist.ids.SeqNo;
import io.flinkpersist.persist.testutils.EmbeddedPostgresServer;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PostgresConsensusITCase extends ConsensusContractTest {
    private static final EmbeddedPostgresServer SERVER = EmbeddedPostgresServer.shared();
    private static final String USER = EmbeddedPostgresServer.USER;
    /** Enough connections that all racers of the contract tests really run at once. */
    private static final PostgresConsensusConfig CONFIG = PostgresConsensusConfig.DEFAULT.withMaxPoolSize(16);
    private static final String PASSWORD = "pw-that-must-never-leak";

    private final AtomicInteger sleeps = new AtomicInteger();
    private String jdbcUrl;

    @Override
    protected Consensus newConsensus() {
        jdbcUrl = SERVER.createDatabase();
        return new PostgresConsensus(jdbcUrl, USER, null, CONFIG);
    }

    @Test
    void theInitialisationSentinelIsNeverAVersion() throws SQLException {
        consensus.compareAndSet("k", Optional.empty(), version(1, "v1"));
        consensus.compareAndSet("k", Optional.of(SeqNo.of(1)), version(2, "v2"));

        assertThat(consensus.truncate("k", SeqNo.of(2))).isEqualTo(1);

        assertThat(storedSeqNos("k")).containsExactly(-1L, 2L);
        assertThat(consensus.head("k")).contains(version(2, "v2"));
        assertThat(consensus.scan("k", SeqNo.MINIMUM, 10)).containsExactly(version(2, "v2"));
        assertThat(consensus.listKeys()).containsExactly("k");
    }

    @Test
    void aTimedOutCompareAndSetIsIndeterminateAndNotRetried() throws SQLException {
        consensus.compareAndSet("k", Optional.empty(), version(1, "v1"));
        try (Consensus impatient = impatientConsensus(3);
                Connection blocker = DriverManager.getConnection(jdbcUrl, USER, null)) {
            // An uncommitted v2 makes the compare-and-set wait on the primary key until it times out.
            blocker.setAutoCommit(false);
            insert(blocker, "k", 2, "blocker");

            ExternalException failure = catchThrowableOfType(ExternalException.class,
                    () -> impatient.compareAndSet("k", Optional.of(SeqNo.of(1)), version(2, "mine")));

            assertThat(failure.determinacy()).isEqualTo(Determinacy.INDETERMINATE);
            assertThat(failure).hasRootCauseInstanceOf(SQLException.class);
            assertThat(((SQLException) failure.getCause()).getSQLState()).isEqualTo("57014");
            assertThat(sleeps).hasValue(0);
            blocker.rollback();
        }
        // The caller resolves the indeterminate result by reading: here the write did not happen.
        assertThat(consensus.head("k")).contains(version(1, "v1"));
        assertThat(consensus.compareAndSet("k", Optional.of(SeqNo.of(1)), version(2, "mine")))
                .isEqualTo(CasResult.COMMITTED);
    }

    @Test
    void aTimedOutInitialisationRolledBackSoItIsDeterminateAndRetried() throws SQLException {
        try (Consensus impatient = impatientConsensus(2);
                Connection blocker = DriverManager.getConnection(jdbcUrl, USER, null)) {
            // An uncommitted sentinel makes the initialisation wait; it times out before its COMMIT.
            blocker.setAutoCommit(false);
            insert(blocker, "k", -1, "");

            ExternalException failure = catchThrowableOfType(ExternalException.class,
                    () -> impatient.compareAndSet("k", Optional.empty(), version(1, "mine")));

            assertThat(failure.determinacy()).isEqualTo(Determinacy.DETERMINATE);
            assertThat(sleeps).hasValue(1);
            blocker.rollback();
        }
        assertThat(consensus.head("k")).isEmpty();
        assertThat(storedSeqNos("k")).isEmpty();
    }

    @Test
    void anUnreachableServerFailsDeterminatelyAfterRetriesWithoutLeakingThePassword() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        PostgresConsensusConfig config = CONFIG.withConnectionTimeout(Duration.ofMillis(250))
                .withRetryPolicy(new RetryPolicy(3, Duration.ofMillis(1), 1.0, Duration.ofMillis(1)));

        ExternalException failure = catchThrowableOfType(ExternalException.class, () -> new PostgresConsensus(
                "jdbc:postgresql://127.0.0.1:" + closedPort + "/db?password=" + PASSWORD, USER, PASSWORD, config,
                new Retrier(config.retryPolicy(), d -> sleeps.incrementAndGet())));

        assertThat(failure.determinacy()).isEqualTo(Determinacy.DETERMINATE);
        assertThat(sleeps).hasValue(2);
        assertThat(everythingSaidAbout(failure)).doesNotContain(PASSWORD);
    }

    @Test
    void toStringShowsTheLocationButNeverThePassword() {
        String urlWithPassword = jdbcUrl + "&password=" + PASSWORD;
        try (Consensus withPassword = new PostgresConsensus(urlWithPassword, USER, PASSWORD, CONFIG)) {
            assertThat(withPassword.toString())
                    .contains(jdbcUrl, "user=" + USER, "password=***")
                    .doesNotContain(PASSWORD);
        }
    }

    @Test
    void rejectsUrlsOfOtherDatabasesWithoutEchoingThePassword() {
        assertThatThrownBy(() -> new PostgresConsensus("jdbc:mysql://host/db?password=" + PASSWORD, USER, null, CONFIG))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("jdbc:postgresql:")
                .hasMessageNotContaining(PASSWORD);
    }

    /** A second store on this test's database, with a 1 s statement timeout and a retrier that counts sleeps. */
    private Consensus impatientConsensus(int maxAttempts) {
        PostgresConsensusConfig config = CONFIG.withStatementTimeout(Duration.ofSeconds(1))
                .withRetryPolicy(new RetryPolicy(maxAttempts, Duration.ofMillis(1), 1.0, Duration.ofMillis(1)));
        return new PostgresConsensus(jdbcUrl, USER, null, config,
                new Retrier(config.retryPolicy(), d -> sleeps.incrementAndGet()));
    }

    private static void insert(Connection connection, String key, long seqNo, String data) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO consensus VALUES (?, ?, ?)")) {
            insert.setString(1, key);
            insert.setLong(2, seqNo);
            insert.setBytes(3, bytes(data));
            insert.executeUpdate();
        }
    }

    /** Every sequence_number stored for the key, sentinel included, bypassing the class under test. */
    private List<Long> storedSeqNos(String key) throws SQLException {
        try (Connection connection = DriverManager.getConnection(jdbcUrl, USER, null);
                PreparedStatement select = connection.prepareStatement(
                        "SELECT sequence_number FROM consensus WHERE shard = ? ORDER BY sequence_number")) {
            select.setString(1, key);
            List<Long> seqNos = new ArrayList<>();
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    seqNos.add(rows.getLong(1));
                }
            }
            return seqNos;
        }
    }

    /** The messages and descriptions of a throwable and all its causes and suppressed throwables. */
    private static String everythingSaidAbout(Throwable throwable) {
        StringBuilder said = new StringBuilder();
        for (Throwable t = throwable; t != null; t = t.getCause()) {
            said.append(t).append('\n');
            for (Throwable suppressed : t.getSuppressed()) {
                said.append(everythingSaidAbout(suppressed));
            }
        }
        return said.toString();
    }
}
