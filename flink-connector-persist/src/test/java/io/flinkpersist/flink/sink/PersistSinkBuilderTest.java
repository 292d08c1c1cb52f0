package io.flinkpersist.flink.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flinkpersist.persist.ids.ShardId;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.apache.flink.api.common.serialization.SimpleStringSchema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PersistSinkBuilderTest {
    private static final Path DIR = Path.of("/tmp/persist-builder-test");

    private static PersistSinkBuilder<String> valid() {
        return PersistSink.<String>builder()
                .embedded(DIR)
                .shardName("orders")
                .serializer(PersistRecordSerializer.valueOnly(new SimpleStringSchema()));
    }

    @Test
    void aValidBuilderGivesDefaultsAndANameBasedShard() {
        PersistSinkConfig config = valid().build().config();

        assertThat(config.shardId()).isEqualTo(PersistSinkBuilder.shardIdForName("orders"));
        assertThat(config.sinkId()).isEqualTo("persist-sink:" + config.shardId());
        assertThat(config.codecs().key()).isEqualTo("bytes");
        assertThat(config.commitRetries()).isEqualTo(PersistSinkBuilder.DEFAULT_COMMIT_RETRIES);
        assertThat(config.markerRetention()).isEqualTo(Duration.ofDays(30));
        assertThat(config.allowNoCheckpointing()).isFalse();
        assertThat(config.rollupThreshold()).isEqualTo(128);
        assertThat(config.persistConfig().state().rollupThreshold()).isEqualTo(128);
        assertThat(valid().rollupThreshold(4).build().config().persistConfig().state().rollupThreshold()).isEqualTo(4);
        assertThat(config.compaction()).isTrue();
        assertThat(config.persistConfig().batch().pageChecksums()).isTrue();
        assertThat(valid().pageChecksums(false).build().config().persistConfig().batch().pageChecksums()).isFalse();
        assertThat(config.historyRetention()).isEqualTo(Duration.ofHours(1));
        assertThat(config.persistConfig().compaction().historyRetentionMs()).isEqualTo(3_600_000);
        assertThat(config.compactionMemoryBoundBytes()).isEqualTo(512L * 1024 * 1024);
        assertThat(config.compactionConcurrency()).isEqualTo(2);
        assertThat(config.orphanGrace()).isEqualTo(Duration.ofDays(31));
        // The memory bound follows a larger part target unless it is set.
        PersistSinkConfig large = valid().partTargetSizeBytes(256L * 1024 * 1024).build().config();
        assertThat(large.persistConfig().compaction().memoryBoundBytes()).isEqualTo(1024L * 1024 * 1024);
        assertThat(valid().markerRetention(Duration.ofDays(2)).build().config().orphanGrace()).isEqualTo(Duration.ofDays(3));
    }

    /** One instance per built sink: what tells a failover of one submission from a new submission. */
    @Test
    void everyBuiltSinkIsAnInstanceOfItsOwn() {
        assertThat(valid().build().config().instanceId()).isNotEqualTo(valid().build().config().instanceId());
    }

    @Test
    void aShardNameAlwaysMapsToTheSameShard() {
        assertThat(PersistSinkBuilder.shardIdForName("orders")).isEqualTo(PersistSinkBuilder.shardIdForName("orders"))
                .isNotEqualTo(PersistSinkBuilder.shardIdForName("Orders"));
    }

    @Test
    void theConfigNeverShowsHadoopOptionValuesOrTheConsensusPassword() {
        String text = PersistSink.<String>builder()
                .blobUri("mem://parts")
                .consensusUri("postgres://app:s3cret@db.example/persist")
                .hadoopOptions(Map.of("fs.s3a.secret.key", "AKIAHIDDEN"))
                .shard(ShardId.random())
                .serializer(PersistRecordSerializer.valueOnly(new SimpleStringSchema()))
                .build()
                .config()
                .toString();

        assertThat(text).contains("fs.s3a.secret.key").doesNotContain("AKIAHIDDEN").doesNotContain("s3cret");
    }

    static Stream<Arguments> badOptions() {
        Map<String, String> nullValue = new HashMap<>();
        nullValue.put("fs.s3a.access.key", null);
        return Stream.of(
                bad("embedded", "not both", b -> b.blobUri("mem://x")),
                bad("blobUri", "a blob URI", b -> b.embedded(null).consensusUri("mem://c")),
                bad("consensusUri", "a consensus URI", b -> b.embedded(null).blobUri("mem://b")),
                bad("blobUri", "mem://", b -> b.embedded(null).blobUri("mem://").consensusUri("mem://c")),
                bad("consensusUri", "sqlite:", b -> b.embedded(null).blobUri("mem://b").consensusUri("nosuch://x")),
                bad("hadoopOptions", "non-null values", b -> b.hadoopOptions(nullValue)),
                bad("shard", "not both", b -> b.shard(ShardId.random())),
                bad("shard", "a ShardId", b -> b.shardName(null)),
                bad("shardName", "printable", b -> b.shardName(" ")),
                bad("keyCodec", "printable", b -> b.keyCodec("")),
                bad("valueCodec", "printable", b -> b.valueCodec("bad\ncodec")),
                bad("serializer", "PersistRecordSerializer", b -> b.serializer(null)),
                bad("sinkId", "printable", b -> b.sinkId("x".repeat(257))),
                bad("partTargetSizeBytes", "1 to", b -> b.partTargetSizeBytes(0)),
                bad("maxOutstandingParts", "at least 1", b -> b.maxOutstandingParts(0)),
                bad("inlineThresholdBytes", "0 (never inline) or more", b -> b.inlineThresholdBytes(-1)),
                bad("commitRetries", "0 or more", b -> b.commitRetries(-1)),
                bad("markerRetention", "at least PT1S", b -> b.markerRetention(Duration.ofMillis(999))),
                bad("markerRetention", "at least PT1S", b -> b.markerRetention(null)),
                bad("rollupThreshold", "at least 1 version", b -> b.rollupThreshold(0)),
                bad("historyRetention", "a duration of 0 or more", b -> b.historyRetention(Duration.ofMillis(-1))),
                bad("compactionMemoryBound", "at least 4 times the part target size",
                        b -> b.partTargetSizeBytes(1024).compactionMemoryBound(4095)),
                bad("compactionConcurrency", "1 (one merge at a time) or 2", b -> b.compactionConcurrency(0)),
                bad("compactionConcurrency", "1 (one merge at a time) or 2", b -> b.compactionConcurrency(3)),
                bad("orphanGrace", "longer than the marker retention",
                        b -> b.markerRetention(Duration.ofDays(2)).orphanGrace(Duration.ofDays(2))));
    }

    private static Arguments bad(String option, String allowed, UnaryOperator<PersistSinkBuilder<String>> change) {
        return Arguments.of(option, allowed, change);
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("badOptions")
    void eachBadOptionIsNamedWithWhatItAllows(String option, String allowed,
            UnaryOperator<PersistSinkBuilder<String>> change) {
        assertThatThrownBy(() -> change.apply(valid()).build())
                .isInstanceOfSatisfying(InvalidSinkOptionException.class, e -> {
                    assertThat(e.option()).isEqualTo(option);
                    assertThat(e.problem()).contains(allowed);
                })
                .hasMessageStartingWith("invalid option '" + option + "'")
                .hasMessageContaining(allowed);
    }
}
