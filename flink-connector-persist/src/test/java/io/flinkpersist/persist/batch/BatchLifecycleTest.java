package io.flinkpersist.persist.batch;

import static io.flinkpersist.persist.batch.BatchFixture.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.flinkpersist.persist.blob.MemBlob;
import io.flinkpersist.persist.proto.stats.ProtoStructStats;
import io.flinkpersist.persist.testutils.ForwardingBlob;
import io.flinkpersist.persist.time.Frontier;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.Test;

class BatchLifecycleTest {
    /** A blob whose uploads take a while, recording how many run at once. */
    private static final class SlowBlob extends ForwardingBlob {
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger maxInFlight = new AtomicInteger();

        SlowBlob() {
            super(new MemBlob());
        }

        @Override
        public void set(String key, byte[] value) {
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                inFlight.decrementAndGet();
            }
            delegate.set(key, value);
        }
    }

    @Test
    void inFlightUploadsNeverExceedTheLimitAndStallsAreCounted() {
        SlowBlob blob = new SlowBlob();
        BatchBuilderConfig config = BatchBuilderConfig.builder()
                .blobTargetSizeBytes(0).maxOutstandingParts(3).inlineWritesSingleMaxBytes(0).build();
        // The executor has 8 threads: only the builder's limit can keep uploads to 3.
        try (BatchFixture f = new BatchFixture(config, blob)) {
            BatchBuilder builder = f.builder(0);
            for (int i = 0; i < 20; i++) {
                builder.add(bytes("k" + i), bytes("v"), 1, 1);
                assertThat(builder.writingParts()).isLessThanOrEqualTo(3);
            }
            HollowBatch batch = builder.finish(Frontier.of(2)).intoHollowBatch();
            assertThat(blob.maxInFlight.get()).isBetween(2, 3);
            // 17 parts needed room; a wait counts as a stall only if that upload had not finished yet.
            assertThat(f.metrics.stalls()).isBetween(1L, 17L);
            assertThat(batch.parts()).hasSize(20);
            // Parts keep the order in which they were cut, whatever order the uploads finished in.
            assertThat(f.readBack(batch)).extracting(BatchFixture.Update::key)
                    .containsExactly(java.util.stream.IntStream.range(0, 20).mapToObj(i -> "k" + i).toArray(String[]::new));
        }
    }

    @Test
    void deleteRemovesTheBlobPartsOnceAndForAll() {
        BatchBuilderConfig config = BatchBuilderConfig.builder().blobTargetSizeBytes(0).inlineWritesSingleMaxBytes(0).build();
        try (BatchFixture f = new BatchFixture(config)) {
            BatchBuilder builder = f.builder(0);
            builder.add(bytes("a"), bytes("v"), 1, 1);
            builder.add(bytes("b"), bytes("v"), 1, 1);
            Batch batch = builder.finish(Frontier.of(2));
            assertThat(f.blob.toString()).isEqualTo("MemBlob{2 keys}");
            batch.delete();
            assertThat(f.blob.toString()).isEqualTo("MemBlob{0 keys}");
            batch.delete();
            assertThat(batch.isDangling()).isFalse();
            assertThat(f.metrics.deletedParts()).isEqualTo(4);
        }
        try (BatchFixture f = new BatchFixture(config.toBuilder().batchDeleteEnabled(false).build())) {
            BatchBuilder builder = f.builder(0);
            builder.add(bytes("a"), bytes("v"), 1, 1);
            builder.finish(Frontier.of(2)).delete();
            assertThat(f.blob.toString()).isEqualTo("MemBlob{1 keys}");
        }
    }

    @Test
    void anUnconsumedBatchWarnsOnceNamingItsDanglingKeys() {
        List<String> warnings = new ArrayList<>();
        Logger logger = (Logger) LogManager.getLogger(Batch.class);
        AbstractAppender capture = new AbstractAppender("capture", null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                if (event.getLevel() == Level.WARN) {
                    warnings.add(event.getMessage().getFormattedMessage());
                }
            }
        };
        capture.start();
        logger.addAppender(capture);
        try (BatchFixture f = new BatchFixture(BatchBuilderConfig.builder().inlineWritesSingleMaxBytes(0).build())) {
            BatchBuilder builder = f.builder(0);
            builder.add(bytes("a"), bytes("v"), 1, 1);
            Batch dangling = builder.finish(Frontier.of(2));
            String key = dangling.hollowBatch().parts().get(0).printableName();
            assertThat(dangling.isDangling()).isTrue();
            dangling.close();
            dangling.close();
            assertThat(warnings).singleElement().asString()
                    .contains("un-consumed batch of shard " + f.shard).contains(key);

            BatchBuilder consumedBuilder = f.builder(0);
            consumedBuilder.add(bytes("b"), bytes("v"), 1, 1);
            Batch consumed = consumedBuilder.finish(Frontier.of(2));
            consumed.toTransmittable();
            consumed.close();
            assertThat(warnings).hasSize(1);
        } finally {
            logger.removeAppender(capture);
        }
    }

    @Test
    void statsBoundEachColumnAndAreTrimmedToTheBudget() throws Exception {
        BatchBuilderConfig config = BatchBuilderConfig.builder().inlineWritesSingleMaxBytes(0).keyLowerMaxBytes(4).build();
        try (BatchFixture f = new BatchFixture(config)) {
            BatchBuilder builder = f.builder(0);
            builder.add(bytes("banana"), bytes("x"), 3, 2);
            builder.add(bytes("apple"), bytes("z"), 5, -1);
            BatchPart part = builder.finish(Frontier.of(6)).intoHollowBatch().parts().get(0);
            assertThat(part.keyLower()).isEqualTo(bytes("appl"));
            ProtoStructStats stats = ProtoStructStats.parseFrom(part.proto().getKeyStats());
            assertThat(stats.getLen()).isEqualTo(2);
            assertThat(stats.getColsOrThrow("k").getBytes().getPrimitive().getLowerBytes().toStringUtf8()).isEqualTo("appl");
            assertThat(stats.getColsOrThrow("k").getBytes().getPrimitive().getUpperBytes().toStringUtf8()).isEqualTo("banb");
            assertThat(stats.getColsOrThrow("v").getBytes().getPrimitive().getLowerBytes().toStringUtf8()).isEqualTo("x");
            assertThat(stats.getColsOrThrow("v").getBytes().getPrimitive().getUpperBytes().toStringUtf8()).isEqualTo("z");
            assertThat(stats.getColsOrThrow("t").getPrimitive().getLowerI64()).isEqualTo(3);
            assertThat(stats.getColsOrThrow("t").getPrimitive().getUpperI64()).isEqualTo(5);
            assertThat(stats.getColsOrThrow("d").getPrimitive().getLowerI64()).isEqualTo(-1);
            assertThat(stats.getColsOrThrow("d").getPrimitive().getUpperI64()).isEqualTo(2);
        }
        BatchBuilderConfig tight = BatchBuilderConfig.builder().inlineWritesSingleMaxBytes(0).statsBudgetBytes(20)
                .untrimmableColumns(new UntrimmableColumns(List.of("T"), List.of(), List.of())).build();
        try (BatchFixture f = new BatchFixture(tight)) {
            BatchBuilder builder = f.builder(0);
            builder.add(bytes("key-".repeat(10)), bytes("value-".repeat(10)), 3, 1);
            BatchPart part = builder.finish(Frontier.of(6)).intoHollowBatch().parts().get(0);
            ProtoStructStats stats = ProtoStructStats.parseFrom(part.proto().getKeyStats());
            assertThat(stats.getColsMap()).containsKey("t").doesNotContainKeys("k", "v");
            assertThat(f.metrics.statsTrimmedParts()).isEqualTo(1);
            assertThat(f.metrics.statsTrimmedBytes()).isPositive();
        }
    }

    @Test
    void untrimmableColumnRulesMatchCaseInsensitively() {
        UntrimmableColumns untrimmable = new UntrimmableColumns(List.of("abc", "def"), List.of("123", "234"), List.of("xyz"));
        assertThat(untrimmable.shouldRetain("abc")).isTrue();
        assertThat(untrimmable.shouldRetain("ABC")).isTrue();
        assertThat(untrimmable.shouldRetain("aBc")).isTrue();
        assertThat(untrimmable.shouldRetain("abcd")).isFalse();
        assertThat(untrimmable.shouldRetain("deF")).isTrue();
        assertThat(untrimmable.shouldRetain("defg")).isFalse();
        assertThat(untrimmable.shouldRetain("123")).isTrue();
        assertThat(untrimmable.shouldRetain("123-4")).isTrue();
        assertThat(untrimmable.shouldRetain("1234")).isTrue();
        assertThat(untrimmable.shouldRetain("234")).isTrue();
        assertThat(untrimmable.shouldRetain("345")).isFalse();
        assertThat(untrimmable.shouldRetain("ijk_xyZ")).isTrue();
        assertThat(untrimmable.shouldRetain("ww-XYZ")).isTrue();
        assertThat(untrimmable.shouldRetain("xya")).isFalse();
    }

    @Test
    void byteBoundsNeverCrossTheValue() {
        assertThat(ByteBounds.truncateUpper(new byte[] {1, 2, 3}, 2)).containsExactly(1, 3);
        assertThat(ByteBounds.truncateUpper(new byte[] {1, (byte) 0xff, 3}, 2)).containsExactly(2);
        assertThat(ByteBounds.truncateUpper(new byte[] {(byte) 0xff, (byte) 0xff, 3}, 2)).isNull();
        assertThat(ByteBounds.truncateUpper(new byte[] {1}, 2)).containsExactly(1);
        assertThat(ByteBounds.truncateLower(new byte[] {1, 2, 3}, 2)).containsExactly(1, 2);
    }

    @Test
    void invalidConfigValuesAreNamed() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> BatchBuilderConfig.builder().maxOutstandingParts(0))
                .hasMessage("max outstanding parts must be at least 1, was 0");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> BatchBuilderConfig.builder().blobTargetSizeBytes(-1))
                .hasMessageContaining("blob target size must be in [0, 2147483647] bytes").hasMessageEndingWith("was -1");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> BatchBuilderConfig.builder().inlineWritesSingleMaxBytes(-5))
                .hasMessage("inline write threshold must not be negative, was -5");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> BatchBuilderConfig.builder().statsBudgetBytes(-1))
                .hasMessage("stats budget must not be negative, was -1");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> new UntrimmableColumns(List.of(""), List.of(), List.of()))
                .hasMessageContaining("must not contain an empty rule");
        BatchBuilderConfig defaults = BatchBuilderConfig.defaults();
        assertThat(defaults.blobTargetSizeBytes()).isEqualTo(128L * 1024 * 1024);
        assertThat(defaults.maxOutstandingParts()).isEqualTo(2);
        assertThat(defaults.inlineWritesSingleMaxBytes()).isEqualTo(4096);
    }
}
