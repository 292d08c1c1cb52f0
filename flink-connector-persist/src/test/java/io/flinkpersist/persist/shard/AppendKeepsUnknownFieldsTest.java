package io.flinkpersist.persist.shard;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.flinkpersist.persist.batch.Batch;
import io.flinkpersist.persist.batch.BatchBuilder;
import io.flinkpersist.persist.batch.BatchBuilderConfig;
import io.flinkpersist.persist.batch.HollowBatch;
import io.flinkpersist.persist.proto.batch.ProtoBatch;
import io.flinkpersist.persist.proto.state.ProtoHollowBatch;
import io.flinkpersist.persist.proto.state.ProtoRunMeta;
import io.flinkpersist.persist.proto.state.ProtoRunOrder;
import io.flinkpersist.persist.time.Frontier;
import io.flinkpersist.persist.write.AppendResult;
import io.flinkpersist.persist.write.WriteHandle;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a newer writer records in a batch and this build does not know, or does not use, survives the append as
 * docs/format.md promises: unknown fields of the batch and of its parts, and every field of its run metadata.
 */
class AppendKeepsUnknownFieldsTest {
    private MemShardFixture shard;
    private WriteHandle writer;

    @BeforeEach
    void open() {
        shard = new MemShardFixture(BatchBuilderConfig.builder().blobTargetSizeBytes(64).build());
        writer = shard.writer;
    }

    @AfterEach
    void close() {
        shard.close();
    }

    @Test
    void unknownFieldsAndEveryRunMetaFieldSurviveAnAppend() {
        ProtoBatch newer = fromANewerWriter(transmittable("a", 6));
        Batch batch = writer.batchFromTransmittable(newer.toByteArray());
        assertThat(writer.compareAndAppend(List.of(batch), Frontier.MINIMUM, Frontier.of(3)))
                .isInstanceOf(AppendResult.Committed.class);

        ProtoHollowBatch appended = onlyBatchReadFromConsensus().toProto();
        ProtoHollowBatch sent = newer.getBatch();
        assertThat(appended.getUnknownFields()).isEqualTo(sent.getUnknownFields());
        assertThat(appended.getRunMetaList()).isEqualTo(sent.getRunMetaList());
        assertThat(appended.getPartsList()).isEqualTo(sent.getPartsList());
    }

    @Test
    void anAppendOfSeveralBatchesKeepsEachBatchsRunMetaWithItsRunsAndAllUnknownFields() {
        ProtoBatch newer = fromANewerWriter(transmittable("a", 6));
        ProtoBatch plain = parse(transmittable("b", 6));
        List<Batch> batches = List.of(writer.batchFromTransmittable(plain.toByteArray()),
                writer.batchFromTransmittable(newer.toByteArray()));
        assertThat(writer.compareAndAppend(batches, Frontier.MINIMUM, Frontier.of(3)))
                .isInstanceOf(AppendResult.Committed.class);

        HollowBatch appended = onlyBatchReadFromConsensus();
        int plainRuns = batches.get(0).hollowBatch().runCount();
        assertThat(appended.runCount()).isEqualTo(plainRuns + batches.get(1).hollowBatch().runCount());
        for (int run = 0; run < plainRuns; run++) {
            assertThat(appended.runMeta(run)).isEqualTo(batches.get(0).hollowBatch().runMeta(run));
        }
        assertThat(appended.runMeta(plainRuns)).isEqualTo(newer.getBatch().getRunMeta(0));
        assertThat(appended.toProto().getUnknownFields()).isEqualTo(newer.getBatch().getUnknownFields());
        assertThat(appended.parts()).hasSize(plain.getBatch().getPartsCount() + newer.getBatch().getPartsCount());
    }

    /** The batch's metadata as a fresh handle reads it from consensus. */
    private HollowBatch onlyBatchReadFromConsensus() {
        List<HollowBatch> batches = shard.readFromConsensus().batches();
        assertThat(batches).hasSize(1);
        return batches.get(0);
    }

    /**
     * The batch as a newer writer would send it: fields this build does not know on the batch and on a part, and run
     * metadata with every field set (and one unknown), under a checksum that matches.
     */
    private static ProtoBatch fromANewerWriter(byte[] transmittable) {
        ProtoBatch.Builder builder = parse(transmittable).toBuilder();
        ProtoHollowBatch.Builder batch = builder.getBatchBuilder();
        batch.setUnknownFields(UnknownFieldSet.newBuilder()
                .addField(99, UnknownFieldSet.Field.newBuilder().addVarint(42).build())
                .addField(77, UnknownFieldSet.Field.newBuilder()
                        .addLengthDelimited(ByteString.copyFromUtf8("from the future")).build())
                .build());
        ProtoRunMeta first = batch.getRunMeta(0);
        batch.setRunMeta(0, first.toBuilder()
                .setOrder(ProtoRunOrder.CODEC)
                .setDeprecatedSchemaId(3)
                .setSchemaId(4)
                .setId("ri" + UUID.randomUUID())
                .setLen(batch.getLen())
                .putMeta("future", ByteString.copyFromUtf8("kept"))
                .setUnknownFields(UnknownFieldSet.newBuilder()
                        .addField(50, UnknownFieldSet.Field.newBuilder().addFixed32(7).build()).build()));
        batch.getPartsBuilder(0).setUnknownFields(UnknownFieldSet.newBuilder()
                .addField(60, UnknownFieldSet.Field.newBuilder().addVarint(1).build()).build());
        CRC32C crc = new CRC32C();
        crc.update(batch.build().toByteArray());
        return builder.setBatchCrc32C((int) crc.getValue()).build();
    }

    /** Sorted updates at times 0..2, consolidated: one sorted run of several parts. */
    private byte[] transmittable(String prefix, int count) {
        BatchBuilder builder = writer.builder(Frontier.MINIMUM);
        for (int i = 0; i < count; i++) {
            builder.add((prefix + i).getBytes(StandardCharsets.UTF_8), new byte[0], i % 3, 1);
        }
        return builder.finish(Frontier.of(3)).toTransmittable();
    }

    private static ProtoBatch parse(byte[] transmittable) {
        try {
            return ProtoBatch.parseFrom(transmittable);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }
}
