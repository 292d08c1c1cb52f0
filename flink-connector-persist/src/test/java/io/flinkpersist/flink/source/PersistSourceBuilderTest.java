package io.flinkpersist.flink.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flinkpersist.flink.sink.PersistSinkBuilder;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.api.common.serialization.SimpleStringSchema;
import org.apache.flink.api.connector.source.Boundedness;
import org.junit.jupiter.api.Test;

class PersistSourceBuilderTest {
    private static PersistSourceBuilder<String> valid() {
        return PersistSource.<String>builder()
                .embedded(Path.of("/tmp/persist"))
                .shardName("orders")
                .deserializer(PersistRecordDeserializer.valueOnly(new SimpleStringSchema()));
    }

    @Test
    void aSourceReadsTheShardASinkOfTheSameNameWrites() {
        PersistSource<String> source = valid().valueCodec("utf8").build();
        assertThat(source.config().shardId()).isEqualTo(PersistSinkBuilder.shardIdForName("orders"));
        assertThat(source.config().codecs().toString()).contains("utf8");
        assertThat(source.getBoundedness()).isEqualTo(Boundedness.BOUNDED);
        assertThat(source.config().asOf()).as("the latest when the job first starts").isNull();
    }

    @Test
    void theModesSetBoundednessAndTheAsOfTime() {
        assertThat(valid().snapshotAsOf(7).build().config().asOf()).isEqualTo(7);
        assertThat(valid().changelog().build().getBoundedness()).isEqualTo(Boundedness.CONTINUOUS_UNBOUNDED);
        PersistSource<String> changes = valid().changesAfter(9).build();
        assertThat(changes.getBoundedness()).isEqualTo(Boundedness.CONTINUOUS_UNBOUNDED);
        assertThat(changes.config().mode()).isEqualTo(PersistSourceConfig.Mode.CHANGES_AFTER);
        assertThat(changes.config().asOf()).isEqualTo(9);
        assertThat(valid().build().config().keyRanges(3)).isEqualTo(12);
        assertThat(valid().keyRanges(5).build().config().keyRanges(3)).isEqualTo(5);
    }

    @Test
    void everyBadOptionIsRefusedNamingItAndWhatIsAllowed() {
        assertRefused(valid().deserializer(null), "deserializer", "PersistRecordDeserializer");
        assertRefused(valid().snapshotAsOf(-1), "asOf", "0 or more");
        assertRefused(valid().readerLease(Duration.ofMillis(10)), "readerLease", "at least 1 second");
        assertRefused(valid().keyRanges(-1), "keyRanges", "0 for four per reader");
        assertRefused(valid().keyCodec(""), "keyCodec", "printable characters");
        assertRefused(valid().shard(PersistSinkBuilder.shardIdForName("x")), "shard", "not both");
        assertRefused(valid().blobUri("s3a://b/p"), "embedded", "not both");
        assertRefused(PersistSource.<String>builder().shardName("x"), "blobUri", "a blob URI");
    }

    private static void assertRefused(PersistSourceBuilder<String> builder, String option, String allowed) {
        assertThatThrownBy(builder::build)
                .isInstanceOfSatisfying(InvalidSourceOptionException.class, e -> {
                    assertThat(e.option()).isEqualTo(option);
                    assertThat(e.problem()).contains(allowed);
                });
    }
}
