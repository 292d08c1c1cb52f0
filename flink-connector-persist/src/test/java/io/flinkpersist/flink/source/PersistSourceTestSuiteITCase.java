package io.flinkpersist.flink.source;

import io.flinkpersist.persist.PersistClient;
import io.flinkpersist.persist.batch.BatchBuilder;
import io.flinkpersist.persist.testutils.EmbeddedPostgresServer;
import io.flinkpersist.persist.testutils.S3ProxyServer;
import io.flinkpersist.persist.time.Frontier;
import io.flinkpersist.persist.write.AppendResult;
import io.flinkpersist.persist.write.WriteHandle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.apache.flink.api.common.serialization.SimpleStringSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.testframe.environment.MiniClusterTestEnvironment;
import org.apache.flink.connector.testframe.environment.TestEnvironment;
import org.apache.flink.connector.testframe.external.ExternalContextFactory;
import org.apache.flink.connector.testframe.external.ExternalSystemSplitDataWriter;
import org.apache.flink.connector.testframe.external.source.DataStreamSourceExternalContext;
import org.apache.flink.connector.testframe.external.source.TestingSourceSettings;
import org.apache.flink.connector.testframe.junit.annotations.TestContext;
import org.apache.flink.connector.testframe.junit.annotations.TestEnv;
import org.apache.flink.connector.testframe.junit.annotations.TestSemantics;
import org.apache.flink.connector.testframe.testsuites.SourceTestSuiteBase;
import org.apache.flink.streaming.api.CheckpointingMode;
import org.junit.jupiter.api.Timeout;

/**
 * Flink's connector testing framework against the source, on the embedded defaults and on real PostgreSQL and S3
 * servers: bounded reads of one and several written "splits", savepoint restores at the same, a higher and a lower
 * parallelism, a TaskManager failure and idle readers, exactly once.
 *
 * <p>The framework's splits are batches the test writes to one shard; it expects each one's records in the order it
 * wrote them. A shard is read in key order within a key range, and changes in commit order, so every record's key
 * starts with its split and its position, and the source reads one key range: several ranges would interleave a
 * written split's records across readers, which the framework cannot tell from disorder.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PersistSourceTestSuiteITCase extends SourceTestSuiteBase<String> {
    @TestEnv
    final MiniClusterTestEnvironment flink = new MiniClusterTestEnvironment();

    @TestSemantics
    final CheckpointingMode[] semantics = {CheckpointingMode.EXACTLY_ONCE};

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
    static final class ShardContext implements DataStreamSourceExternalContext<String> {
        private final String name;
        private final Path dir;
        private final PersistSourceBuilder<String> builder;
        private final List<ShardWriter> writers = new ArrayList<>();
        private long generated;

        ShardContext(String name, BiFunction<PersistSourceBuilder<String>, Path, PersistSourceBuilder<String>> location) {
            this.name = name;
            try {
                dir = Files.createTempDirectory("persist-source-suite");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            builder = location.apply(PersistSource.<String>builder(), dir)
                    .shardName("suite-" + UUID.randomUUID())
                    .keyCodec("utf8")
                    .deserializer(PersistRecordDeserializer.keyOnly(new SimpleStringSchema()))
                    .keyRanges(1);
        }

        @Override
        public Source<String, ?, ?> createSource(TestingSourceSettings settings) {
            return (settings.getBoundedness() == Boundedness.BOUNDED ? builder.snapshot() : builder.changelog())
                    .build();
        }

        @Override
        public ExternalSystemSplitDataWriter<String> createSourceSplitDataWriter(TestingSourceSettings settings) {
            ShardWriter writer = new ShardWriter(builder.build().config());
            writers.add(writer);
            return writer;
        }

        @Override
        public List<String> generateTestData(TestingSourceSettings settings, int splitIndex, long seed) {
            Random random = new Random(seed);
            List<String> records = new ArrayList<>();
            int count = 100 + random.nextInt(400);
            for (int i = 0; i < count; i++) {
                // Within a split, key order is the order generated, which is the order written.
                records.add(String.format("%03d-%09d-%s", splitIndex, generated++, Long.toHexString(random.nextLong())));
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
            for (ShardWriter writer : writers) {
                writer.close();
            }
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

    /** Appends each list of records as one batch, committed at the wall-clock time (or just after the upper). */
    static final class ShardWriter implements ExternalSystemSplitDataWriter<String> {
        private final PersistClient client;
        private final WriteHandle writer;

        ShardWriter(PersistSourceConfig config) {
            client = config.openClient();
            writer = client.openWriter(config.shardId(), config.codecs());
        }

        @Override
        public void writeRecords(List<String> records) {
            long lower = writer.fetchRecentUpper().element().orElseThrow();
            long time = Math.max(lower, System.currentTimeMillis());
            BatchBuilder batch = writer.builder(Frontier.of(lower));
            for (String record : records) {
                batch.add(record.getBytes(StandardCharsets.UTF_8), new byte[0], time, 1);
            }
            AppendResult result = writer.compareAndAppend(List.of(batch.finish(Frontier.of(time + 1))),
                    Frontier.of(lower), Frontier.of(time + 1));
            if (!(result instanceof AppendResult.Committed)) {
                throw new IllegalStateException("could not append the test records: " + result);
            }
        }

        @Override
        public void close() {
            writer.close();
            client.close();
        }
    }
}
