package io.flinkpersist.flink.sink;

import io.flinkpersist.persist.PersistClient;
import io.flinkpersist.persist.read.Consolidator;
import io.flinkpersist.persist.read.ReadHandle;
import io.flinkpersist.persist.testutils.EmbeddedPostgresServer;
import io.flinkpersist.persist.testutils.S3ProxyServer;
import io.flinkpersist.persist.time.Frontier;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.apache.flink.api.common.serialization.SimpleStringSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.connector.testframe.environment.MiniClusterTestEnvironment;
import org.apache.flink.connector.testframe.external.ExternalContextFactory;
import org.apache.flink.connector.testframe.external.ExternalSystemDataReader;
import org.apache.flink.connector.testframe.external.sink.DataStreamSinkV2ExternalContext;
import org.apache.flink.connector.testframe.external.sink.TestingSinkSettings;
import org.apache.flink.connector.testframe.junit.annotations.TestContext;
import org.apache.flink.connector.testframe.junit.annotations.TestEnv;
import org.apache.flink.connector.testframe.junit.annotations.TestSemantics;
import org.apache.flink.connector.testframe.testsuites.SinkTestSuiteBase;
import org.apache.flink.core.execution.CheckpointingMode;
import org.junit.jupiter.api.Timeout;

/**
 * Flink's connector testing framework against the sink, on the embedded defaults and on real PostgreSQL and S3
 * servers: a bounded job, savepoint
 * restores at the same, a higher and a lower parallelism, and the writer's numRecordsSend, for exactly-once and
 * at-least-once checkpoints. The shard is read back with {@code ReadHandle.snapshot}.
 */
// The framework's restore tests wait for their records without a deadline of their own.
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PersistSinkTestSuiteITCase extends SinkTestSuiteBase<String> {
    @TestEnv
    final MiniClusterTestEnvironment flink = new MiniClusterTestEnvironment();

    @TestSemantics
    final CheckpointingMode[] semantics = {CheckpointingMode.EXACTLY_ONCE, CheckpointingMode.AT_LEAST_ONCE};

    @TestContext
    final ExternalContextFactory<ShardContext> embedded = testName -> new ShardContext("embedded shard",
            (builder, dir) -> builder.embedded(dir));

    @TestContext
    final ExternalContextFactory<ShardContext> postgresAndS3 = testName -> new ShardContext("PostgreSQL + S3 shard",
            (builder, dir) -> {
                S3ProxyServer s3 = S3ProxyServer.shared();
                return builder.blobUri("s3a://" + s3.createBucket() + "/persist")
                        .consensusUri(EmbeddedPostgresServer.shared().createDatabase())
                        .hadoopOptions(s3.s3aOptions());
            });

    /** One shard per test, in a temporary directory (or bucket and database) of its own. */
    static final class ShardContext implements DataStreamSinkV2ExternalContext<String> {
        private final String name;
        private final Path dir;
        private final PersistSink<String> sink;

        ShardContext(String name, BiFunction<PersistSinkBuilder<String>, Path, PersistSinkBuilder<String>> location) {
            this.name = name;
            try {
                dir = Files.createTempDirectory("persist-sink-suite");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            // Every sink of one test (the framework restores into a second job) writes the same shard. The
            // framework's restore tests run unbounded input without checkpointing and commit only with their
            // stop-with-savepoint (their source and collect sink need the job to take no other checkpoint).
            sink = location.apply(PersistSink.<String>builder(), dir)
                    .allowNoCheckpointing(true)
                    .shardName("suite-" + UUID.randomUUID())
                    .valueCodec("utf8")
                    .serializer(PersistRecordSerializer.valueOnly(new SimpleStringSchema()))
                    .partTargetSizeBytes(4096)
                    .build();
        }

        @Override
        public Sink<String> createSink(TestingSinkSettings settings) {
            return sink;
        }

        @Override
        public ExternalSystemDataReader<String> createSinkDataReader(TestingSinkSettings settings) {
            return new ShardReader(sink.config());
        }

        @Override
        public List<String> generateTestData(TestingSinkSettings settings, long seed) {
            Random random = new Random(seed);
            List<String> records = new ArrayList<>();
            int count = 100 + random.nextInt(400);
            for (int i = 0; i < count; i++) {
                records.add(i + "-" + Long.toHexString(random.nextLong()));
            }
            return records;
        }

        @Override
        public TypeInformation<String> getProducedType() {
            return Types.STRING;
        }

        @Override
        public List<URL> getConnectorJarPaths() {
            return List.of();
        }

        @Override
        public void close() throws IOException {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(file);
                }
            }
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** Each poll returns what the shard's snapshot holds beyond what earlier polls returned. */
    static final class ShardReader implements ExternalSystemDataReader<String> {
        private final PersistClient client;
        private final ReadHandle reader;
        private final Map<String, Long> returned = new HashMap<>();

        ShardReader(PersistSinkConfig config) {
            client = config.openClient();
            reader = client.openReader(config.shardId(), config.codecs());
        }

        @Override
        public List<String> poll(Duration timeout) {
            Frontier upper = reader.fetchRecentUpper();
            List<String> fresh = new ArrayList<>();
            if (upper.isEmpty() || upper.equals(Frontier.MINIMUM)) {
                return fresh;
            }
            Map<String, Long> snapshot = new HashMap<>();
            Consolidator updates = reader.snapshot(upper.element().getAsLong() - 1, timeout);
            while (updates.next()) {
                snapshot.merge(new String(updates.value(), StandardCharsets.UTF_8), updates.diff(), Long::sum);
            }
            snapshot.forEach((value, count) -> {
                long already = returned.getOrDefault(value, 0L);
                for (long i = already; i < count; i++) {
                    fresh.add(value);
                }
                returned.put(value, Math.max(already, count));
            });
            return fresh;
        }

        @Override
        public void close() {
            reader.close();
            client.close();
        }
    }
}
