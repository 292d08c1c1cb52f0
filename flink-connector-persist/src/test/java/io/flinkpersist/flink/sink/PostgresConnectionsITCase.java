package io.flinkpersist.flink.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkpersist.persist.testutils.EmbeddedPostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.serialization.SimpleStringSchema;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The sink's PostgreSQL connections do not grow with its parallelism: writers need blob only, and the one
 * committer that commits (plus the aggregator, for savepoints and restores) hold the shard's consensus client.
 * Counted in {@code pg_stat_activity} while the job runs.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PostgresConnectionsITCase {
    private static final int MAX_PARALLELISM = 16;

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(MAX_PARALLELISM)
                    .build());

    @TempDir
    Path dir;

    @ParameterizedTest(name = "parallelism {0}")
    @ValueSource(ints = {1, 4, MAX_PARALLELISM})
    void connectionsToTheShardsDatabaseStayFlatWithParallelism(int parallelism) throws Exception {
        String database = EmbeddedPostgresServer.shared().createDatabase();
        String name = database.substring(database.lastIndexOf('/') + 1, database.indexOf('?'));
        PersistSink<String> sink = PersistSink.<String>builder()
                .blobUri(dir.toUri().toString())
                .consensusUri(database)
                .shardName("connections")
                .valueCodec("utf8")
                .serializer(PersistRecordSerializer.valueOnly(new SimpleStringSchema()))
                .build();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(parallelism);
        env.enableCheckpointing(100);
        env.fromSequence(0, 19_999).map(n -> {
            Thread.sleep(0, 200_000);
            return "r" + n;
        }).sinkTo(sink).uid("persist-sink");

        AtomicInteger most = new AtomicInteger();
        AtomicBoolean running = new AtomicBoolean(true);
        Thread sampler = new Thread(() -> sample(name, most, running));
        sampler.start();
        try {
            env.execute("connections at parallelism " + parallelism);
        } finally {
            running.set(false);
            sampler.join();
        }

        // The figure docs/datastream.md quotes; test logs stay at WARN, so it goes to the test's output.
        System.out.println("Most connections to the shard's database at parallelism " + parallelism + ": "
                + most.get());
        assertThat(ShardContents.read(sink.config()).diffsByValue()).hasSize(20_000);
        // One client, the committer's: its busy connection, the idle one HikariCP keeps beside it (minimum idle
        // 1), rarely one more. Writers that each opened a client would need at least parallelism + 1.
        assertThat(most.get()).isBetween(1, 4);
    }

    /** Polls pg_stat_activity from the server's maintenance database, so that it does not count itself. */
    private static void sample(String database, AtomicInteger most, AtomicBoolean running) {
        String url = EmbeddedPostgresServer.shared().jdbcUrl("postgres");
        try (Connection connection = DriverManager.getConnection(url);
                PreparedStatement count = connection.prepareStatement(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = ?")) {
            count.setString(1, database);
            while (running.get()) {
                try (ResultSet row = count.executeQuery()) {
                    row.next();
                    most.accumulateAndGet(row.getInt(1), Math::max);
                }
                Thread.sleep(10);
            }
        } catch (Exception e) {
            throw new IllegalStateException("could not count connections", e);
        }
    }
}
