package io.flinkpersist.persist.shard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.flinkpersist.persist.InvalidUsageException.InvalidTransmittableBatch;
import io.flinkpersist.persist.InvalidUsageException.InvalidTransmittableBatch.Defect;
import io.flinkpersist.persist.batch.Batch;
import io.flinkpersist.persist.batch.BatchBuilder;
import io.flinkpersist.persist.batch.BatchBuilderConfig;
import io.flinkpersist.persist.batch.BatchPart;
import io.flinkpersist.persist.batch.HollowBatch;
import io.flinkpersist.persist.batch.part.ColumnarRecords;
import io.flinkpersist.persist.batch.part.ParquetPartCodec;
import io.flinkpersist.persist.ids.SeqNo;
import io.flinkpersist.persist.proto.batch.ProtoBatch;
import io.flinkpersist.persist.proto.state.ProtoHollowBatchPart;
import io.flinkpersist.persist.proto.stats.ProtoBytesStats;
import io.flinkpersist.persist.proto.stats.ProtoDynStats;
import io.flinkpersist.persist.proto.stats.ProtoJsonStats;
import io.flinkpersist.persist.proto.stats.ProtoOptionStats;
import io.flinkpersist.persist.proto.stats.ProtoPrimitiveStats;
import io.flinkpersist.persist.proto.stats.ProtoStructStats;
import io.flinkpersist.persist.state.ShardState;
import io.flinkpersist.persist.state.StateCodec;
import io.flinkpersist.persist.testutils.LegacyStatsEncoding;
import io.flinkpersist.persist.testutils.WrittenStatsLayout;
import io.flinkpersist.persist.time.Frontier;
import io.flinkpersist.persist.write.AppendResult;
import io.flinkpersist.persist.write.WriteHandle;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Part stats in batches that arrive from other processes: persist's, of columns and kinds this build never writes,
 * are appended and kept byte for byte; an earlier build's are checked against the batch's checksum as received and
 * then appended in persist's layout.
 */
class TransmittedPartStatsTest {
    private MemShardFixture shard;
    private WriteHandle writer;

    @BeforeEach
    void open() {
        shard = new MemShardFixture(BatchBuilderConfig.builder().blobTargetSizeBytes(64).inlineWritesSingleMaxBytes(0)
                .build());
        writer = shard.writer;
    }

    @AfterEach
    void close() {
        shard.close();
    }

    @Test
    void persistsStatsOfOtherColumnsAreKeptByteForByte() {
        ProtoPrimitiveStats i64 = ProtoPrimitiveStats.newBuilder().setLowerI64(-1).setUpperI64(9).build();
        ByteString persists = ProtoStructStats.newBuilder().setLen(6)
                .putCols("ok", ProtoDynStats.newBuilder().setStruct(ProtoStructStats.newBuilder().setLen(6)
                        .putCols("id", ProtoDynStats.newBuilder().setPrimitive(i64).build())).build())
                .putCols("k", ProtoDynStats.newBuilder().setOption(ProtoOptionStats.newBuilder().setNone(2))
                        .setBytes(ProtoBytesStats.newBuilder().setJson(ProtoJsonStats.newBuilder().setJsonNulls(1)
                                .setStrings(ProtoPrimitiveStats.newBuilder().setLowerString("a").setUpperString("z"))))
                        .build())
                .build().toByteString();

        HollowBatch appended = append(withStats(transmittable(), persists));

        assertThat(appended.parts().get(0).proto().getKeyStats()).isEqualTo(persists);
        ShardState state = stateReadFromConsensus();
        ShardState roundTripped = StateCodec.decode(shard.shard, state.seqNo(), StateCodec.encode(state));
        assertThat(roundTripped.batches().get(0).parts().get(0).proto().getKeyStats()).isEqualTo(persists);
    }

    @Test
    void anEarlierBuildsStatsAreCheckedAsSentAndAppendedInPersistsLayout() {
        ProtoBatch sent = transmittable();
        ProtoHollowBatchPart first = sent.getBatch().getParts(0);
        ByteString legacy = LegacyStatsEncoding.of(readPart(first), BatchBuilderConfig.DEFAULT_KEY_LOWER_MAX_BYTES)
                .toByteString();
        ProtoBatch fromEarlierBuild = withStats(sent, legacy);

        ProtoBatch damaged = fromEarlierBuild.toBuilder().setBatch(fromEarlierBuild.getBatch().toBuilder()
                .setParts(0, first.toBuilder().setKeyStats(legacy.concat(ByteString.copyFrom(new byte[] {8, 1})))))
                .build();
        assertThatThrownBy(() -> writer.batchFromTransmittable(damaged.toByteArray()))
                .isInstanceOfSatisfying(InvalidTransmittableBatch.class,
                        e -> assertThat(e.defect()).isEqualTo(Defect.CHECKSUM_MISMATCH));

        HollowBatch appended = append(fromEarlierBuild);

        ByteString stats = appended.parts().get(0).proto().getKeyStats();
        assertThat(WrittenStatsLayout.parse(stats)).hasValue(WrittenStatsLayout.expected(readPart(first),
                BatchBuilderConfig.DEFAULT_KEY_LOWER_MAX_BYTES));
        assertThat(stats).isEqualTo(sent.getBatch().getParts(0).getKeyStats());
    }

    /** Appends the batch as [0, 3) and returns it as a fresh handle reads it from consensus. */
    private HollowBatch append(ProtoBatch transmittable) {
        Batch batch = writer.batchFromTransmittable(transmittable.toByteArray());
        assertThat(writer.compareAndAppend(List.of(batch), Frontier.MINIMUM, Frontier.of(3)))
                .isInstanceOf(AppendResult.Committed.class);
        List<HollowBatch> batches = stateReadFromConsensus().batches();
        assertThat(batches).hasSize(1);
        return batches.get(0);
    }

    private ShardState stateReadFromConsensus() {
        ShardState state = shard.readFromConsensus();
        assertThat(state.seqNo()).isGreaterThan(SeqNo.MINIMUM);
        return state;
    }

    /** {@code transmittable} with the first part's stats replaced, sealed with a checksum that matches. */
    private static ProtoBatch withStats(ProtoBatch transmittable, ByteString stats) {
        ProtoBatch.Builder builder = transmittable.toBuilder();
        builder.getBatchBuilder().getPartsBuilder(0).setKeyStats(stats);
        CRC32C crc = new CRC32C();
        crc.update(builder.getBatch().toByteArray());
        return builder.setBatchCrc32C((int) crc.getValue()).build();
    }

    private ColumnarRecords readPart(ProtoHollowBatchPart part) {
        String blobKey = new BatchPart(part).blobKey(shard.shard);
        return ParquetPartCodec.decode(blobKey, shard.blob.get(blobKey).orElseThrow())
                .updates();
    }

    /** Sorted updates at times 0..2 in blob parts. */
    private ProtoBatch transmittable() {
        BatchBuilder builder = writer.builder(Frontier.MINIMUM);
        for (int i = 0; i < 6; i++) {
            builder.add(("k" + i).getBytes(StandardCharsets.UTF_8), ("v" + i).getBytes(StandardCharsets.UTF_8), i % 3, 1);
        }
        try {
            return ProtoBatch.parseFrom(builder.finish(Frontier.of(3)).toTransmittable());
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }
}
