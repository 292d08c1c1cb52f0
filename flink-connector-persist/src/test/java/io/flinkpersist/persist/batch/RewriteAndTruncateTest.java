package io.flinkpersist.persist.batch;

import static io.flinkpersist.persist.batch.BatchFixture.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flinkpersist.persist.ids.BuildVersion;
import io.flinkpersist.persist.InvalidUsageException;
import io.flinkpersist.persist.batch.BatchFixture.Update;
import io.flinkpersist.persist.ids.ShardId;
import io.flinkpersist.persist.proto.batch.ProtoBatch;
import io.flinkpersist.persist.time.Description;
import io.flinkpersist.persist.time.Frontier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Each rewrite_ts and truncate rule, passing and failing. */
class RewriteAndTruncateTest {
    private final BatchFixture f = new BatchFixture(BatchBuilderConfig.builder().blobTargetSizeBytes(0).build());

    @AfterEach
    void close() {
        f.close();
    }

    /** A batch [lower, upper) holding one update per given time. */
    private Batch batch(long lower, long upper, long... times) {
        BatchBuilder builder = f.builder(lower);
        for (long t : times) {
            builder.add(bytes("k" + t), bytes("v"), t, 1);
        }
        return builder.finish(Frontier.of(upper));
    }

    private static Description desc(long lower, long upper) {
        return Description.of(Frontier.of(lower), Frontier.of(upper));
    }

    @Test
    void rewriteMovesTheUpperAndMarksEveryPart() {
        Batch batch = batch(0, 5, 1, 3);
        batch.rewriteTs(Frontier.of(7), Frontier.of(8));
        HollowBatch hollow = batch.intoHollowBatch();
        assertThat(hollow.desc()).isEqualTo(desc(0, 8));
        assertThat(hollow.parts()).hasSize(2).allSatisfy(p -> assertThat(p.tsRewrite()).hasValue(Frontier.of(7)));
        assertThat(hollow.hasRewrite()).isTrue();
        assertThat(f.readBack(hollow)).containsExactly(Update.of("k1", "v", 7, 1), Update.of("k3", "v", 7, 1));
    }

    @Test
    void rewriteFrontierMustBeBelowTheNewUpper() {
        Batch batch = batch(0, 5, 1);
        assertThatThrownBy(() -> batch.rewriteTs(Frontier.of(8), Frontier.of(8)))
                .isInstanceOf(InvalidUsageException.InvalidRewrite.class)
                .hasMessage("invalid rewrite: rewrite frontier [8] is not less than rewrite upper [8]");
        assertThatThrownBy(() -> batch.rewriteTs(Frontier.EMPTY, Frontier.EMPTY))
                .isInstanceOf(InvalidUsageException.InvalidRewrite.class);
        assertThatCode(() -> batch.rewriteTs(Frontier.of(7), Frontier.of(8))).doesNotThrowAnyException();
        batch.delete();
    }

    @Test
    void rewriteUpperMustNotBeBelowTheBatchUpper() {
        Batch batch = batch(0, 5, 1);
        assertThatThrownBy(() -> batch.rewriteTs(Frontier.of(2), Frontier.of(4)))
                .hasMessage("invalid rewrite: rewrite upper [4] is less than batch upper [5]");
        assertThatCode(() -> batch.rewriteTs(Frontier.of(2), Frontier.of(5))).doesNotThrowAnyException();
        batch.delete();
    }

    @Test
    void rewriteFrontierMustNotBeBelowTheBatchLower() {
        Batch batch = batch(3, 5, 3);
        assertThatThrownBy(() -> batch.rewriteTs(Frontier.of(2), Frontier.of(6)))
                .hasMessage("invalid rewrite: rewrite frontier [2] is less than batch lower [3]");
        assertThatCode(() -> batch.rewriteTs(Frontier.of(3), Frontier.of(6))).doesNotThrowAnyException();
        batch.delete();
    }

    @Test
    void rewriteNeedsTheMinimumSince() {
        HollowBatch compacted = HollowBatch.of(new Description(Frontier.of(0), Frontier.of(5), Frontier.of(1)),
                java.util.List.of(), 0, java.util.List.of(), java.util.List.of());
        assertThatThrownBy(() -> compacted.rewriteTs(Frontier.of(6), Frontier.of(7)))
                .hasMessage("invalid rewrite: batch since [1] is not the minimum [0]");
    }

    @Test
    void rewritesMayRepeatButNotRegress() {
        Batch batch = batch(0, 5, 1);
        batch.rewriteTs(Frontier.of(6), Frontier.of(7));
        assertThatThrownBy(() -> batch.rewriteTs(Frontier.of(5), Frontier.of(7)))
                .hasMessage("invalid rewrite: rewrite frontier [5] is less than the part's earlier rewrite frontier [6]");
        assertThatThrownBy(() -> batch.rewriteTs(Frontier.of(6), Frontier.of(6)))
                .hasMessageContaining("is not less than rewrite upper");
        batch.rewriteTs(Frontier.of(9), Frontier.of(10));
        assertThat(f.readBack(batch.intoHollowBatch())).containsExactly(Update.of("k1", "v", 9, 1));
    }

    @Test
    void truncationRequiresTheBatchToCoverTheAppend() {
        HollowBatch batch = batch(2, 8, 2, 7).intoHollowBatch();
        assertThatCode(() -> HollowBatch.validateTruncateBatch(batch, desc(2, 8), false)).doesNotThrowAnyException();
        assertThatCode(() -> HollowBatch.validateTruncateBatch(batch, desc(3, 6), false)).doesNotThrowAnyException();
        assertThatThrownBy(() -> HollowBatch.validateTruncateBatch(batch, desc(1, 8), false))
                .isInstanceOf(InvalidUsageException.InvalidBatchBounds.class)
                .hasMessage("batch [[2], [8]) does not cover the append interval [[1], [8])");
        assertThatThrownBy(() -> HollowBatch.validateTruncateBatch(batch, desc(2, 9), false))
                .isInstanceOf(InvalidUsageException.InvalidBatchBounds.class);
        // A truncated read keeps only the appended interval.
        assertThat(f.readBack(HollowBatch.of(desc(3, 6), batch.parts(), 0, java.util.List.of(), java.util.List.of()))).isEmpty();
        assertThat(f.readBack(HollowBatch.of(desc(2, 7), batch.parts(), 0, java.util.List.of(), java.util.List.of())))
                .containsExactly(Update.of("k2", "v", 2, 1));
    }

    @Test
    void aRewrittenAppendMayNotTruncate() {
        Batch rewritten = batch(0, 5, 1);
        rewritten.rewriteTs(Frontier.of(6), Frontier.of(7));
        HollowBatch batch = rewritten.intoHollowBatch();
        assertThatCode(() -> HollowBatch.validateTruncateBatch(batch, desc(6, 7), true)).doesNotThrowAnyException();
        assertThatThrownBy(() -> HollowBatch.validateTruncateBatch(batch, desc(6, 6), true))
                .isInstanceOf(InvalidUsageException.InvalidRewrite.class)
                .hasMessage("invalid rewrite: rewritten batch might have data past [6] up to [7]");
        assertThatThrownBy(() -> HollowBatch.validateTruncateBatch(batch, desc(7, 7), true))
                .isInstanceOf(InvalidUsageException.InvalidRewrite.class)
                .hasMessage("invalid rewrite: rewritten batch might have data below [7] at [6]");
        // Any rewritten batch in the append makes the others follow the rule too.
        HollowBatch plain = batch(0, 7, 1).intoHollowBatch();
        assertThatThrownBy(() -> HollowBatch.validateTruncateBatch(plain, desc(1, 7), true))
                .hasMessage("invalid rewrite: rewritten batch might have data below [1] at [0]");
    }

    @Test
    void transmittableBatchesAreCheckedWhenRehydrated() {
        byte[] transmittable = batch(0, 5, 1).toTransmittable();
        PartWriter otherShard = new PartWriter(ShardId.random(), f.blob, f.writer.config(), f.executor, f.metrics);
        assertThatThrownBy(() -> Batch.fromTransmittable(transmittable, otherShard, BuildVersion.current()))
                .isInstanceOf(InvalidUsageException.BatchNotFromThisShard.class)
                .hasMessageContaining(f.shard.toString());
        byte[] badVersion;
        try {
            badVersion = ProtoBatch.parseFrom(transmittable).toBuilder().setVersion("next").build().toByteArray();
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
        assertThatThrownBy(() -> Batch.fromTransmittable(badVersion, f.writer, BuildVersion.current()))
                .isInstanceOf(InvalidUsageException.InvalidTransmittableBatch.class)
                .hasMessageContaining("unreadable writer version")
                .hasMessageContaining("\"next\"");
        assertThatThrownBy(() -> Batch.fromTransmittable(new byte[] {(byte) 0xff, 1}, f.writer, BuildVersion.current()))
                .isInstanceOf(InvalidUsageException.InvalidTransmittableBatch.class);
        Batch back = Batch.fromTransmittable(transmittable, f.writer, BuildVersion.current());
        assertThat(back.lower()).isEqualTo(Frontier.MINIMUM);
        assertThat(back.upper()).isEqualTo(Frontier.of(5));
        assertThat(back.version()).isEqualTo(io.flinkpersist.persist.ids.BuildVersion.current());
        back.delete();
    }
}
