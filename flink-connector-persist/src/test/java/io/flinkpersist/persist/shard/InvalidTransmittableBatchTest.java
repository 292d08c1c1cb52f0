package io.flinkpersist.persist.shard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnknownFieldSet;
import io.flinkpersist.persist.InvalidUsageException;
import io.flinkpersist.persist.InvalidUsageException.InvalidTransmittableBatch;
import io.flinkpersist.persist.InvalidUsageException.InvalidTransmittableBatch.Defect;
import io.flinkpersist.persist.PersistClient;
import io.flinkpersist.persist.PersistConfig;
import io.flinkpersist.persist.batch.Batch;
import io.flinkpersist.persist.batch.BatchBuilder;
import io.flinkpersist.persist.batch.BatchBuilderConfig;
import io.flinkpersist.persist.blob.MemBlob;
import io.flinkpersist.persist.consensus.MemConsensus;
import io.flinkpersist.persist.consensus.VersionedData;
import io.flinkpersist.persist.ids.PartId;
import io.flinkpersist.persist.ids.PartialBatchKey;
import io.flinkpersist.persist.ids.ShardId;
import io.flinkpersist.persist.ids.WriterKey;
import io.flinkpersist.persist.location.PersistLocation;
import io.flinkpersist.persist.proto.batch.ProtoBatch;
import io.flinkpersist.persist.proto.state.ProtoHollowBatch;
import io.flinkpersist.persist.proto.state.ProtoHollowBatchPart;
import io.flinkpersist.persist.proto.state.ProtoHollowRunRef;
import io.flinkpersist.persist.proto.state.ProtoU64Antichain;
import io.flinkpersist.persist.read.Consolidator;
import io.flinkpersist.persist.read.ReadHandle;
import io.flinkpersist.persist.state.Codecs;
import io.flinkpersist.persist.time.Frontier;
import io.flinkpersist.persist.write.AppendResult;
import io.flinkpersist.persist.write.WriteHandle;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.zip.CRC32C;
import java.util.function.UnaryOperator;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Hand-made bad transmittable batches, one per way a committable can be damaged: each is refused with a typed
 * error naming the shard, the part and the defect before anything is appended, and the shard (its consensus head,
 * its contents) is exactly as before; the good batch it was made from still appends afterwards.
 */
class InvalidTransmittableBatchTest {
    private static final Codecs CODECS = Codecs.of("utf8", "utf8");

    private final MemBlob blob = new MemBlob();
    private final MemConsensus consensus = new MemConsensus();
    private final ShardId shard = ShardId.random();
    private PersistClient client;
    private WriteHandle writer;
    /** Written by the build under test: three blob parts, then one inline part (the remainder at finish). */
    private ProtoBatch good;
    /** Consensus just before a refused attempt (reads change it: readers register). */
    private Optional<VersionedData> headBefore;
    private List<String> contentsBefore;

    @BeforeEach
    void open() {
        client = PersistClient.open(PersistLocation.parse("mem://refusals", "mem://refusals"), PersistConfig.builder()
                .batch(BatchBuilderConfig.builder().blobTargetSizeBytes(64).inlineWritesSingleMaxBytes(64).build())
                .build(), blob, consensus);
        writer = client.openWriter(shard, CODECS);
        assertThat(writer.compareAndAppend(List.of(batch(0, 5, 4)), Frontier.MINIMUM, Frontier.of(5)))
                .isInstanceOf(AppendResult.Committed.class);
        good = parse(batch(5, 10, 10).toTransmittable());
        assertThat(good.getBatch().getPartsList()).extracting(ProtoHollowBatchPart::getKindCase)
                .containsExactly(ProtoHollowBatchPart.KindCase.KEY, ProtoHollowBatchPart.KindCase.KEY,
                        ProtoHollowBatchPart.KindCase.KEY, ProtoHollowBatchPart.KindCase.INLINE);
        contentsBefore = contents();
    }

    @AfterEach
    void close() {
        client.close();
    }

    @Test
    void aKeyThatClimbsOutOfTheShardIsRefused() {
        String key = "../" + good.getBatch().getParts(0).getKey();
        refused(withPart(0, p -> p.setKey(key)), Defect.MALFORMED_KEY)
                .hasMessageContaining("part 0 \"" + key + "\"");
    }

    @Test
    void anEmptyKeyIsRefused() {
        refused(withPart(1, p -> p.setKey("")), Defect.MALFORMED_KEY).hasMessageContaining("part 1 \"\"");
    }

    @Test
    void aKeyWithNulIsRefusedAndQuotedEscaped() {
        String key = good.getBatch().getParts(0).getKey() + "\u0000x";
        refused(withPart(0, p -> p.setKey(key)), Defect.MALFORMED_KEY)
                .hasMessageContaining(good.getBatch().getParts(0).getKey() + "\\u0000x\"")
                .hasMessageNotContaining("\u0000");
    }

    @Test
    void anotherShardsKeyIsRefused() {
        String key = ShardId.random() + "/" + good.getBatch().getParts(0).getKey();
        refused(withPart(0, p -> p.setKey(key)), Defect.MALFORMED_KEY).hasMessageContaining(key);
    }

    @Test
    void aHugeKeyIsQuotedBounded() {
        String key = "n0000100/p" + "x".repeat(1_500_000);
        refused(withPart(0, p -> p.setKey(key)), Defect.MALFORMED_KEY)
                .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(600))
                .hasMessageContaining("(1500010 chars)");
    }

    @Test
    void aMissingPartIsRefused() {
        String key = new PartialBatchKey(WriterKey.current(), PartId.random()).toString();
        refused(withPart(2, p -> p.setKey(key)), Defect.MISSING_PART).hasMessageContaining("part 2 \"" + key + "\"");
    }

    @Test
    void aPartDeletedFromBlobIsRefused() {
        String key = good.getBatch().getParts(0).getKey();
        blob.delete(shard + "/" + key);
        refused(good, Defect.MISSING_PART).hasMessageContaining(key);
    }

    @Test
    void aPartWhoseLengthIsNotTheRecordedSizeIsRefused() {
        refused(withPart(1, p -> p.setEncodedSizeBytes(p.getEncodedSizeBytes() + 1)), Defect.SIZE_MISMATCH)
                .hasMessageContaining(good.getBatch().getParts(1).getKey());
    }

    @Test
    void garbageInlineBytesAreRefused() {
        refused(withPart(3, p -> p.setInline(ByteString.copyFrom(new byte[] {(byte) 0xff, 0x13, 0x07, 0x00}))),
                Defect.INVALID_INLINE_PART).hasMessageContaining("part 3 \"<inline part of 4 bytes>\"");
    }

    @Test
    void inlineUpdatesOutsideTheBatchBoundsAreRefused() {
        // The inline part holds the update at time 9: the batch's upper claimed 9 instead of 10.
        refused(withBatch(b -> b.getDescBuilder().setUpper(antichain(9))), Defect.INVALID_INLINE_PART)
                .hasMessageContaining("at time 9 is not within the batch's lower [5] and upper [9]");
    }

    @Test
    void aSpilledRunIsRefused() {
        String key = new PartialBatchKey(WriterKey.current(), PartId.random()).toString();
        refused(withPart(0, p -> p.setRunRef(ProtoHollowRunRef.newBuilder().setKey(key))), Defect.UNSUPPORTED_PART)
                .hasMessageContaining("run_ref").hasMessageContaining(key);
    }

    @Test
    void aDuplicatedKeyIsRefused() {
        refused(withBatch(b -> b.addParts(b.getParts(0))), Defect.DUPLICATE_KEY)
                .hasMessageContaining("part 4 \"" + good.getBatch().getParts(0).getKey() + "\"");
    }

    @Test
    void theSameBatchTwiceInOneAppendIsRefused() {
        headBefore = consensus.head(shard.toString());
        List<Batch> twice = List.of(writer.batchFromTransmittable(good.toByteArray()),
                writer.batchFromTransmittable(good.toByteArray()));
        assertThatThrownBy(() -> writer.compareAndAppend(twice, Frontier.of(5), Frontier.of(10)))
                .isInstanceOf(InvalidUsageException.DuplicatePart.class)
                .hasMessageContaining(good.getBatch().getParts(0).getKey())
                .hasMessageContaining(shard.toString());
        assertNothingAppended();
        twice.forEach(Batch::markConsumed);
    }

    @Test
    void anUnknownRunOrderIsATypedError() {
        refused(withBatch(b -> b.getRunMetaBuilder(0).setOrderValue(7)), Defect.UNKNOWN_RUN_ORDER)
                .hasMessageContaining("run 0 has order 7");
    }

    @Test
    void dataOfAVersionMoreThanOneMinorAheadIsRefused() {
        refused(good.toBuilder().setVersion("99.0.0").build(), Defect.UNSUPPORTED_VERSION)
                .hasMessageContaining("99.0.0");
    }

    @Test
    void dataOfTheNextMinorVersionIsAccepted() {
        var current = io.flinkpersist.persist.ids.BuildVersion.current();
        String next = current.major() + "." + (current.minor() + 1) + ".0";
        appends(good.toBuilder().setVersion(next).build());
    }

    @Test
    void boundsThatAreNotAUserBatchsAreRefused() {
        refused(withBatch(b -> b.getDescBuilder().setLower(antichain(11))), Defect.INVALID_BOUNDS)
                .hasMessageContaining("less than lower [11]");
        refused(withBatch(b -> b.getDescBuilder().setSince(antichain(3))), Defect.INVALID_BOUNDS)
                .hasMessageContaining("since [3]");
    }

    @Test
    void aRewriteOfSomePartsOnlyIsRefused() {
        refused(withPart(0, p -> p.setTsRewrite(antichain(7))), Defect.INVALID_REWRITE)
                .hasMessageContaining("part 1");
    }

    @Test
    void moreInlineUpdatesThanTheBatchCountsAreRefused() {
        refused(withBatch(b -> b.setLen(0)), Defect.LEN_MISMATCH).hasMessageContaining("counts 0 updates");
    }

    @Test
    void runMetadataForRunsThatDoNotExistIsRefused() {
        refused(withBatch(b -> b.addRunMeta(b.getRunMeta(0)).addRunMeta(b.getRunMeta(0))
                .addRunMeta(b.getRunMeta(0)).addRunMeta(b.getRunMeta(0)).addRunMeta(b.getRunMeta(0))),
                Defect.INVALID_RUNS);
    }

    @Test
    void aBatchDamagedOnItsWayIsRefusedByItsChecksum() {
        // One bit of the inline part's updates: structurally still a valid batch, with one key changed.
        ProtoBatch.Builder damaged = good.toBuilder();
        byte[] inline = damaged.getBatch().getParts(3).getInline().toByteArray();
        inline[inline.length - 20] ^= 1;
        damaged.getBatchBuilder().getPartsBuilder(3).setInline(ByteString.copyFrom(inline));
        refused(damaged.build(), Defect.CHECKSUM_MISMATCH).hasMessageContaining("CRC32C");
    }

    @Test
    void aBatchOfAnEarlierBuildWithoutAChecksumIsCheckedAndAppends() {
        appends(good.toBuilder().clearBatchCrc32C().build());
    }

    /**
     * Without a checksum nothing covers what a batch records of its parts, which reads rely on (a fetched part must
     * match its diffs sum; key ranges skip parts by their key lower): its parts are read and checked before append.
     */
    @Test
    void aBatchWithoutAChecksumWhosePartsAreNotAsRecordedIsRefused() {
        ProtoBatch unsealed = good.toBuilder().clearBatchCrc32C().build();
        ProtoBatch.Builder wrongSum = unsealed.toBuilder();
        wrongSum.getBatchBuilder().getPartsBuilder(1).setDiffsSum(good.getBatch().getParts(1).getDiffsSum() + 1);
        refused(wrongSum.build(), Defect.PART_MISMATCH).hasMessageContaining("diffs sum");
        ProtoBatch.Builder highLower = unsealed.toBuilder();
        highLower.getBatchBuilder().getPartsBuilder(2).setKeyLower(ByteString.copyFromUtf8("\uffff"));
        refused(highLower.build(), Defect.PART_MISMATCH).hasMessageContaining("key lower");
    }

    /**
     * A sorted run whose parts are out of order, each still matching what the batch records of it (its key lower
     * lowered to the least, as bounds may be): readers would merge it as sorted and fail, or sum wrongly, on every later read.
     */
    @Test
    void aBatchWithoutAChecksumWhoseSortedRunGoesBackwardsIsRefused() {
        ProtoBatch.Builder swapped = good.toBuilder().clearBatchCrc32C();
        ProtoHollowBatch.Builder batch = swapped.getBatchBuilder();
        assertThat(batch.getRunsList()).as("the three blob parts form one run").doesNotContain(1L, 2L);
        ProtoHollowBatchPart first = batch.getParts(0);
        batch.setParts(0, batch.getParts(2).toBuilder().setKeyLower(first.getKeyLower()));
        batch.setParts(1, batch.getParts(1).toBuilder().setKeyLower(first.getKeyLower()));
        batch.setParts(2, first);
        refused(swapped.build(), Defect.UNSORTED_RUN).hasMessageContaining("part 1")
                .hasMessageContaining("sorts before the previous part's last");
    }

    /**
     * A flipped bit in a part's tag makes it another field, which protobuf keeps as unknown: without a checksum the
     * batch then has one part less and still its whole update count (a fuzz run committed such a batch, and its reads
     * missed the part's updates). Its parts are read before append, and what they hold must be what it counts.
     */
    @Test
    void aBatchWithoutAChecksumThatLostAPartToAnUnknownFieldIsRefused() {
        ProtoBatch.Builder damaged = good.toBuilder().clearBatchCrc32C();
        ProtoHollowBatch.Builder batch = damaged.getBatchBuilder();
        ProtoHollowBatchPart lost = batch.getParts(0);
        batch.removeParts(0);
        batch.setUnknownFields(UnknownFieldSet.newBuilder()
                .addField(12, UnknownFieldSet.Field.newBuilder().addLengthDelimited(lost.toByteString()).build())
                .build());
        List<Long> splits = batch.getRunsList().stream().map(split -> split - 1).toList();
        batch.clearRuns().addAllRuns(splits);
        refused(damaged.build(), Defect.LEN_MISMATCH).hasMessageContaining("the batch counts 10 updates");
    }

    @Test
    void theGoodBatchStillAppendsAndReadsBack() {
        appends(good);
    }

    /** Appends {@code transmittable} as [5, 10) and checks its updates are then in the shard. */
    private void appends(ProtoBatch transmittable) {
        Batch batch = writer.batchFromTransmittable(transmittable.toByteArray());
        assertThat(writer.compareAndAppend(List.of(batch), Frontier.of(5), Frontier.of(10)))
                .isInstanceOf(AppendResult.Committed.class);
        assertThat(contents()).hasSize(contentsBefore.size() + 10).containsAll(contentsBefore);
    }

    /**
     * Decodes {@code bad} as the committer does and, had that succeeded, appends it: asserts the typed error, its
     * shard, and that consensus and the shard's contents are exactly as before.
     */
    private AbstractThrowableAssert<?, ? extends Throwable> refused(ProtoBatch bad, Defect defect) {
        byte[] bytes = bad.toByteArray();
        headBefore = consensus.head(shard.toString());
        AbstractThrowableAssert<?, ? extends Throwable> refusal = assertThatThrownBy(() -> {
            Batch batch = writer.batchFromTransmittable(bytes);
            writer.compareAndAppend(List.of(batch), Frontier.of(5), Frontier.of(10));
        })
                .isInstanceOf(InvalidTransmittableBatch.class)
                .hasMessageStartingWith("invalid transmittable batch for shard " + shard + ": " + defect.description())
                .satisfies(e -> assertThat(((InvalidTransmittableBatch) e).defect()).isEqualTo(defect))
                .satisfies(e -> assertThat(((InvalidTransmittableBatch) e).shardId()).isEqualTo(shard));
        assertNothingAppended();
        return refusal;
    }

    /** Consensus holds no new version, and the shard's upper and contents are as before. */
    private void assertNothingAppended() {
        Optional<VersionedData> head = consensus.head(shard.toString());
        assertThat(head.map(VersionedData::seqNo)).isEqualTo(headBefore.map(VersionedData::seqNo));
        assertThat(head.map(v -> ByteString.copyFrom(v.data())))
                .isEqualTo(headBefore.map(v -> ByteString.copyFrom(v.data())));
        assertThat(writer.fetchRecentUpper()).isEqualTo(Frontier.of(5));
        assertThat(contents()).isEqualTo(contentsBefore);
    }

    private ProtoBatch withPart(int index, UnaryOperator<ProtoHollowBatchPart.Builder> change) {
        return withBatch(b -> change.apply(b.getPartsBuilder(index)));
    }

    /**
     * The good batch changed as a writer with a bug could write it: with a checksum that matches, so that the checks
     * behind the checksum are what refuses it.
     */
    private ProtoBatch withBatch(Consumer<ProtoHollowBatch.Builder> change) {
        ProtoBatch.Builder builder = good.toBuilder();
        change.accept(builder.getBatchBuilder());
        return builder.setBatchCrc32C(crc32c(builder.getBatch().toByteArray())).build();
    }

    private static int crc32c(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes);
        return (int) crc.getValue();
    }

    /** {@code count} updates at times {@code lower, lower + 1, …} (wrapping below {@code upper}). */
    private Batch batch(long lower, long upper, int count) {
        BatchBuilder builder = writer.builder(Frontier.of(lower));
        for (int i = 0; i < count; i++) {
            long time = lower + i % (upper - lower);
            builder.add(bytes("k" + lower + "-" + i), bytes("v" + i), time, 1);
        }
        return builder.finish(Frontier.of(upper));
    }

    /** The shard's updates as of its upper - 1 (where every time is the same), one string per update. */
    private List<String> contents() {
        try (ReadHandle reader = client.openReader(shard, CODECS);
                Consolidator snapshot = reader.snapshot(reader.fetchRecentUpper().element().orElseThrow() - 1,
                        Duration.ofSeconds(5))) {
            List<String> updates = new ArrayList<>();
            while (snapshot.next()) {
                updates.add(new String(snapshot.key(), StandardCharsets.UTF_8) + "="
                        + new String(snapshot.value(), StandardCharsets.UTF_8) + "x" + snapshot.diff());
            }
            return updates;
        }
    }

    private static ProtoU64Antichain antichain(long element) {
        return ProtoU64Antichain.newBuilder().addElements(element).build();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static ProtoBatch parse(byte[] transmittable) {
        try {
            return ProtoBatch.parseFrom(transmittable);
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }
}
