package io.flinkpersist.persist.batch;

import static io.flinkpersist.persist.batch.BatchFixture.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flinkpersist.persist.ids.BuildVersion;
import io.flinkpersist.persist.InvalidUsageException;
import io.flinkpersist.persist.batch.BatchFixture.Update;
import io.flinkpersist.persist.batch.part.ColumnarRecords;
import io.flinkpersist.persist.ids.BlobKey;
import io.flinkpersist.persist.ids.WriterKey;
import io.flinkpersist.persist.proto.state.ProtoRunOrder;
import io.flinkpersist.persist.time.Description;
import io.flinkpersist.persist.time.Frontier;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchBuilderTest {
    private static final BatchBuilderConfig EVERY_UPDATE_A_BLOB_PART = BatchBuilderConfig.builder()
            .blobTargetSizeBytes(0)
            .maxOutstandingParts(2)
            .inlineWritesSingleMaxBytes(0)
            .build();

    private static void add(BatchBuilder builder, Update u) {
        builder.add(bytes(u.key()), bytes(u.value()), u.time(), u.diff());
    }

    @Test
    void flushingPipelinesAtMostMaxOutstandingPartsAndReadsBack() {
        List<Update> data = List.of(Update.of("1", "one", 1, 1), Update.of("2", "two", 2, 1), Update.of("3", "three", 3, 1));
        try (BatchFixture f = new BatchFixture(EVERY_UPDATE_A_BLOB_PART)) {
            BatchBuilder builder = f.builder(0);
            assertThat(builder.writingParts()).isZero();
            assertThat(builder.finishedParts()).isZero();

            // Target size 0: every update is forced out as its own part.
            assertThat(builder.add(bytes("1"), bytes("one"), 1, 1)).isEqualTo(Added.RECORD_AND_PARTS);
            assertThat(builder.writingParts()).isEqualTo(1);
            assertThat(builder.finishedParts()).isZero();

            // Max outstanding 2: a second part may be in flight too.
            add(builder, data.get(1));
            assertThat(builder.writingParts()).isEqualTo(2);
            assertThat(builder.finishedParts()).isZero();

            // A third one waits for the first.
            add(builder, data.get(2));
            assertThat(builder.writingParts()).isEqualTo(2);
            assertThat(builder.finishedParts()).isEqualTo(1);

            Batch batch = builder.finish(Frontier.of(4));
            HollowBatch hollow = batch.intoHollowBatch();
            assertThat(hollow.parts()).hasSize(3).noneMatch(BatchPart::isInline);
            assertThat(hollow.len()).isEqualTo(3);
            assertThat(hollow.desc()).isEqualTo(Description.of(Frontier.MINIMUM, Frontier.of(4)));
            assertThat(f.readBack(hollow)).containsExactlyElementsOf(data);
            assertThat(f.metrics.parts()).isEqualTo(3);
        }
    }

    @Test
    void partKeysBelongToThisShardAndWriterKey() {
        try (BatchFixture f = new BatchFixture(EVERY_UPDATE_A_BLOB_PART)) {
            BatchBuilder builder = f.builder(0);
            for (int i = 1; i <= 3; i++) {
                builder.add(bytes("k" + i), bytes("v"), i, 1);
            }
            HollowBatch batch = builder.finish(Frontier.of(4)).intoHollowBatch();
            assertThat(batch.parts()).hasSize(3);
            for (BatchPart part : batch.parts()) {
                BlobKey key = BlobKey.parseIds(part.blobKey(f.shard));
                assertThat(key).isInstanceOf(BlobKey.BatchPart.class);
                assertThat(key.shardId()).isEqualTo(f.shard);
                assertThat(((BlobKey.BatchPart) key).partialKey().writerKey()).isEqualTo(WriterKey.current());
                assertThat(f.blob.get(part.blobKey(f.shard))).isPresent();
            }
        }
    }

    @Test
    void rewriteTsExampleThroughATransmittableRoundTrip() {
        try (BatchFixture f = new BatchFixture(BatchBuilderConfig.defaults())) {
            BatchBuilder builder = f.builder(0);
            builder.add(bytes("foo"), bytes(""), 0, 1);
            byte[] transmittable = builder.finish(Frontier.of(1)).toTransmittable();

            Batch batch = Batch.fromTransmittable(transmittable, f.writer, BuildVersion.current());
            batch.rewriteTs(Frontier.of(2), Frontier.of(3));
            HollowBatch hollow = batch.intoHollowBatch();
            HollowBatch.validateTruncateBatch(hollow, Description.of(Frontier.MINIMUM, Frontier.of(3)), true);
            assertThat(hollow.desc()).isEqualTo(Description.of(Frontier.MINIMUM, Frontier.of(3)));
            assertThat(f.readBack(hollow)).containsExactly(Update.of("foo", "", 2, 1));
        }
    }

    @Test
    void consolidationSortsSumsAndDropsZeros() {
        BatchBuilderConfig config = BatchBuilderConfig.builder().inlineWritesSingleMaxBytes(0).build();
        try (BatchFixture f = new BatchFixture(config)) {
            BatchBuilder builder = f.builder(0);
            builder.add(bytes("b"), bytes("x"), 1, 2);
            builder.add(bytes("a"), bytes("x"), 1, 1);
            builder.add(bytes("b"), bytes("x"), 1, -2);
            builder.add(bytes("a"), bytes("x"), 1, 4);
            builder.add(bytes("a"), bytes("x"), 0, 1);
            builder.add(bytes("c"), bytes("x"), 1, 0);
            HollowBatch batch = builder.finish(Frontier.of(2)).intoHollowBatch();
            assertThat(f.readBack(batch)).containsExactly(Update.of("a", "x", 0, 1), Update.of("a", "x", 1, 5));
            assertThat(batch.len()).isEqualTo(2);
            assertThat(batch.parts()).singleElement().satisfies(p -> {
                assertThat(p.diffsSum()).hasValue(6);
                assertThat(p.keyLower()).isEqualTo(bytes("a"));
            });
        }
    }

    /** Sorted, consolidated updates as a merge yields them: one run, part by part, exactly as added. */
    @Test
    void updatesAddedInOrderMakeOneSortedRunWithoutASort() {
        ColumnarRecords merged = records(Update.of("a", "x", 0, 1), Update.of("a", "x", 1, 5),
                Update.of("a", "y", 1, -1), Update.of("b", "", 0, 2), Update.of("c", "z", 3, 1));
        BatchBuilderConfig config = BatchBuilderConfig.builder().blobTargetSizeBytes(40).inlineWritesSingleMaxBytes(0)
                .build();
        try (BatchFixture f = new BatchFixture(config)) {
            BatchBuilder builder = f.builder(0);
            for (int i = 0; i < merged.len(); i++) {
                builder.addInOrder(merged, i, merged.diff(i));
            }
            assertThat(builder.heldBytes()).isPositive();
            HollowBatch batch = builder.finish(Frontier.of(4)).intoHollowBatch();
            assertThat(batch.parts()).as("cut at the target as add cuts").hasSizeGreaterThan(1);
            assertThat(batch.runCount()).isEqualTo(1);
            assertThat(batch.runOrder(0)).isEqualTo(ProtoRunOrder.CODEC);
            assertThat(batch.len()).isEqualTo(5);
            assertThat(f.readBack(batch)).containsExactly(Update.of("a", "x", 0, 1), Update.of("a", "x", 1, 5),
                    Update.of("a", "y", 1, -1), Update.of("b", "", 0, 2), Update.of("c", "z", 3, 1));
            assertThat(batch.parts().get(0).keyLower()).isEqualTo(bytes("a"));
        }
    }

    /** Nothing out of order gets into a part recorded as sorted: within a part, across a cut, or mixed with add. */
    @Test
    void anUpdateAddedInOrderThatDoesNotSortAfterTheLastIsRefused() {
        ColumnarRecords updates = records(Update.of("a", "x", 1, 1), Update.of("b", "x", 1, 1),
                Update.of("b", "x", 1, 1), Update.of("a", "y", 1, 1));
        try (BatchFixture f = new BatchFixture(BatchBuilderConfig.builder().inlineWritesSingleMaxBytes(0).build())) {
            BatchBuilder builder = f.builder(0);
            builder.addInOrder(updates, 0, 1);
            builder.addInOrder(updates, 1, 1);
            assertThatThrownBy(() -> builder.addInOrder(updates, 2, 1)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("sorts at or before");
            assertThatThrownBy(() -> builder.add(bytes("c"), bytes("x"), 1, 1))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("in order");
        }
        BatchBuilderConfig everyUpdateAPart = BatchBuilderConfig.builder().blobTargetSizeBytes(0)
                .inlineWritesSingleMaxBytes(0).build();
        try (BatchFixture f = new BatchFixture(everyUpdateAPart)) {
            BatchBuilder builder = f.builder(0);
            builder.addInOrder(updates, 1, 1);
            assertThat(builder.writingParts() + builder.finishedParts()).as("a part was cut").isEqualTo(1);
            assertThatThrownBy(() -> builder.addInOrder(updates, 3, 1)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("sorts at or before");
        }
        try (BatchFixture f = new BatchFixture(BatchBuilderConfig.builder().inlineWritesSingleMaxBytes(0).build())) {
            BatchBuilder builder = f.builder(0);
            builder.add(bytes("z"), bytes("x"), 1, 1);
            assertThatThrownBy(() -> builder.addInOrder(updates, 0, 1)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("out of order");
        }
        try (BatchFixture f = new BatchFixture(BatchBuilderConfig.builder().consolidate(false).build())) {
            assertThatThrownBy(() -> f.builder(0).addInOrder(updates, 0, 1)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("consolidating");
        }
    }

    private static ColumnarRecords records(Update... updates) {
        ColumnarRecords.Builder records = ColumnarRecords.builder();
        for (Update u : updates) {
            records.push(bytes(u.key()), bytes(u.value()), u.time(), u.diff());
        }
        return records.build();
    }

    @Test
    void anEmptyBatchHasNoParts() {
        try (BatchFixture f = new BatchFixture(BatchBuilderConfig.defaults())) {
            BatchBuilder builder = f.builder(5);
            builder.add(bytes("a"), bytes("x"), 6, 1);
            builder.add(bytes("a"), bytes("x"), 6, -1);
            HollowBatch batch = builder.finish(Frontier.of(10)).intoHollowBatch();
            assertThat(batch.parts()).isEmpty();
            assertThat(batch.len()).isZero();
            assertThat(batch.desc()).isEqualTo(Description.of(Frontier.of(5), Frontier.of(10)));
            assertThat(f.blob.toString()).isEqualTo("MemBlob{0 keys}");
        }
    }

    @Test
    void consolidatedPartsExtendARunWhileSortedAndStartANewOneOtherwise() {
        BatchBuilderConfig config = BatchBuilderConfig.builder().blobTargetSizeBytes(0).inlineWritesSingleMaxBytes(0).build();
        try (BatchFixture f = new BatchFixture(config)) {
            BatchBuilder builder = f.builder(0);
            for (String key : List.of("a", "b", "c", "b", "d", "a")) {
                builder.add(bytes(key), bytes("v"), 1, 1);
            }
            // Parts a b c | b d | a: new runs start at part 3 and part 5, each recorded as sorted.
            HollowBatch batch = builder.finish(Frontier.of(2)).intoHollowBatch();
            assertThat(batch.runSplits()).containsExactly(3L, 5L);
            assertThat(batch.runCount()).isEqualTo(3);
            assertThat(batch.runOrder(2)).isEqualTo(ProtoRunOrder.CODEC);
            assertThat(batch.partsKnownSorted()).isTrue();
        }
        BatchBuilderConfig unconsolidated = config.toBuilder().consolidate(false).build();
        try (BatchFixture f = new BatchFixture(unconsolidated)) {
            BatchBuilder builder = f.builder(0);
            for (String key : List.of("a", "b", "c")) {
                builder.add(bytes(key), bytes("v"), 1, 1);
            }
            HollowBatch batch = builder.finish(Frontier.of(2)).intoHollowBatch();
            assertThat(batch.runSplits()).containsExactly(1L, 2L);
            assertThat(batch.runOrder(0)).isEqualTo(ProtoRunOrder.UNORDERED);
            assertThat(batch.partsKnownSorted()).isFalse();
        }
    }

    @Test
    void smallPartsStayInlineAndFlushToBlobKeepsTheirOrder() {
        BatchBuilderConfig config = BatchBuilderConfig.builder().blobTargetSizeBytes(40).inlineWritesSingleMaxBytes(100).build();
        try (BatchFixture f = new BatchFixture(config)) {
            BatchBuilder builder = f.builder(0);
            builder.add(bytes("a"), bytes("1"), 1, 1);
            builder.add(bytes("b"), bytes("2"), 1, 1);
            builder.add(bytes("big-key-of-many-bytes-that-is-not-inline-".repeat(3)), bytes("3"), 1, 1);
            builder.add(bytes("c"), bytes("4"), 1, 1);
            Batch batch = builder.finish(Frontier.of(2));
            List<Update> before = f.readBack(batch.hollowBatch());
            assertThat(batch.hollowBatch().parts()).extracting(BatchPart::isInline).containsExactly(true, false, true);
            assertThat(f.metrics.inlineParts()).isEqualTo(2);
            assertThat(f.blob.toString()).isEqualTo("MemBlob{1 keys}");

            batch.flushToBlob();
            HollowBatch flushed = batch.intoHollowBatch();
            assertThat(flushed.parts()).noneMatch(BatchPart::isInline);
            assertThat(f.readBack(flushed)).isEqualTo(before);
            assertThat(f.blob.toString()).isEqualTo("MemBlob{3 keys}");
        }
    }

    @Test
    void updatesMustLieInTheBatchInterval() {
        try (BatchFixture f = new BatchFixture(BatchBuilderConfig.defaults())) {
            BatchBuilder builder = f.builder(10);
            assertThatThrownBy(() -> builder.add(bytes("k"), bytes("v"), 9, 1))
                    .isInstanceOf(InvalidUsageException.UpdateNotBeyondLower.class)
                    .hasMessage("timestamp 9 is not beyond the batch lower [10]");
            builder.add(bytes("k"), bytes("v"), 20, 1);
            assertThatThrownBy(() -> builder.finish(Frontier.of(9)))
                    .isInstanceOf(InvalidUsageException.InvalidBounds.class)
                    .hasMessage("upper [9] is less than lower [10]");
            assertThatThrownBy(() -> builder.finish(Frontier.of(20)))
                    .isInstanceOf(InvalidUsageException.UpdateBeyondUpper.class)
                    .hasMessage("timestamp 20 is not less than the batch upper [20]");
            assertThat(builder.finish(Frontier.of(21)).intoHollowBatch().len()).isEqualTo(1);
            assertThatThrownBy(() -> builder.add(bytes("k"), bytes("v"), 20, 1))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("already finished");
        }
    }

    @Test
    void anAbandonedBuilderDeletesWhatItUploaded() {
        try (BatchFixture f = new BatchFixture(EVERY_UPDATE_A_BLOB_PART)) {
            try (BatchBuilder builder = f.builder(0)) {
                for (int i = 0; i < 5; i++) {
                    builder.add(bytes("k" + i), bytes("v"), 1, 1);
                }
            }
            assertThat(f.metrics.parts()).isEqualTo(5);
            assertThat(f.blob.toString()).isEqualTo("MemBlob{0 keys}");
        }
    }

    @Test
    void metricsCountWhatWasWritten() {
        BatchBuilderConfig config = BatchBuilderConfig.builder().inlineWritesSingleMaxBytes(0).build();
        try (BatchFixture f = new BatchFixture(config)) {
            BatchBuilder builder = f.builder(0);
            builder.add(bytes("key"), bytes("value"), 1, 1);
            HollowBatch batch = builder.finish(Frontier.of(2)).intoHollowBatch();
            assertThat(f.metrics.parts()).isEqualTo(1);
            assertThat(f.metrics.goodbytes()).isEqualTo(3 + 5 + 16);
            assertThat(f.metrics.bytes()).isEqualTo(batch.parts().get(0).encodedSizeBytes()).isPositive();
            assertThat(f.metrics.snapshot()).containsEntry("parts", 1L).containsKey("uploadNanos");
        }
    }
}
