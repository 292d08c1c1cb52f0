package io.flinkpersist.persist.proto;

import com.google.protobuf.ByteString;
import com.google.protobuf.Empty;
import com.google.protobuf.Message;
import com.google.protobuf.UnknownFieldSet;
import io.flinkpersist.persist.proto.batch.ProtoBatch;
import io.flinkpersist.persist.proto.batch.ProtoFetchBatchFilter;
import io.flinkpersist.persist.proto.batch.ProtoFetchBatchFilterListen;
import io.flinkpersist.persist.proto.batch.ProtoLease;
import io.flinkpersist.persist.proto.batch.ProtoLeasedBatchPart;
import io.flinkpersist.persist.proto.diff.ProtoStateDiff;
import io.flinkpersist.persist.proto.diff.ProtoStateField;
import io.flinkpersist.persist.proto.diff.ProtoStateFieldDiffType;
import io.flinkpersist.persist.proto.diff.ProtoStateFieldDiffs;
import io.flinkpersist.persist.proto.integrity.ProtoStateIntegrity;
import io.flinkpersist.persist.proto.part.ProtoArrayData;
import io.flinkpersist.persist.proto.part.ProtoBatchFormat;
import io.flinkpersist.persist.proto.part.ProtoBatchPartInline;
import io.flinkpersist.persist.proto.part.ProtoColumnarRecords;
import io.flinkpersist.persist.proto.state.ProtoActiveGC;
import io.flinkpersist.persist.proto.state.ProtoActiveRollup;
import io.flinkpersist.persist.proto.state.ProtoCommitMarker;
import io.flinkpersist.persist.proto.state.ProtoCompaction;
import io.flinkpersist.persist.proto.state.ProtoCriticalReaderState;
import io.flinkpersist.persist.proto.state.ProtoEncodedSchemas;
import io.flinkpersist.persist.proto.state.ProtoHandleDebugState;
import io.flinkpersist.persist.proto.state.ProtoHollowBatch;
import io.flinkpersist.persist.proto.state.ProtoHollowBatchPart;
import io.flinkpersist.persist.proto.state.ProtoHollowRollup;
import io.flinkpersist.persist.proto.state.ProtoHollowRun;
import io.flinkpersist.persist.proto.state.ProtoHollowRunRef;
import io.flinkpersist.persist.proto.state.ProtoIdHollowBatch;
import io.flinkpersist.persist.proto.state.ProtoIdMerge;
import io.flinkpersist.persist.proto.state.ProtoIdSpineBatch;
import io.flinkpersist.persist.proto.state.ProtoInlineBatchPart;
import io.flinkpersist.persist.proto.state.ProtoInlinedDiffs;
import io.flinkpersist.persist.proto.state.ProtoLeasedReaderState;
import io.flinkpersist.persist.proto.state.ProtoMerge;
import io.flinkpersist.persist.proto.state.ProtoRetainedPartsState;
import io.flinkpersist.persist.proto.state.ProtoRollup;
import io.flinkpersist.persist.proto.state.ProtoRunMeta;
import io.flinkpersist.persist.proto.state.ProtoRunOrder;
import io.flinkpersist.persist.proto.state.ProtoSpineBatch;
import io.flinkpersist.persist.proto.state.ProtoSpineId;
import io.flinkpersist.persist.proto.state.ProtoTrace;
import io.flinkpersist.persist.proto.state.ProtoU64Antichain;
import io.flinkpersist.persist.proto.state.ProtoU64Description;
import io.flinkpersist.persist.proto.state.ProtoVersionedData;
import io.flinkpersist.persist.proto.state.ProtoWriterState;
import io.flinkpersist.persist.proto.stats.ProtoBytesStats;
import io.flinkpersist.persist.proto.stats.ProtoDynStats;
import io.flinkpersist.persist.proto.stats.ProtoJsonMapStats;
import io.flinkpersist.persist.proto.stats.ProtoJsonStats;
import io.flinkpersist.persist.proto.stats.ProtoOptionStats;
import io.flinkpersist.persist.proto.stats.ProtoPrimitiveStats;
import io.flinkpersist.persist.proto.stats.ProtoStructStats;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Populated instances of every persist proto message, with realistic values (ids in their printed forms, Codec64
 * timestamps, real nested encodings). The first instance of each message type sets every field outside a oneof; the
 * further instances cover the other oneof variants.
 */
final class ProtoFixtures {
    static final String SHARD = "s9f3a1c2e-4b5d-4e6f-8a7b-1c2d3e4f5a6b";
    static final String WRITER = "w00000000-1234-5678-0000-000000000000";
    static final String LEASED_READER = "r1b2c3d4e-0000-4000-8000-000000000001";
    static final String CRITICAL_READER = "c1b2c3d4e-0000-4000-8000-000000000002";
    static final String PART_KEY = "n0000100/p6f1e2d3c-4b5a-4968-8776-5a4b3c2d1e0f";
    static final String RUN_KEY = "n0000100/p0a1b2c3d-4e5f-4061-8273-8495a6b7c8d9";
    static final String ROLLUP_KEY = "v7/r9c0d1e2f-3a4b-4c5d-8e6f-7a8b9c0d1e2f";
    static final String TOKEN = "i5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b";

    private ProtoFixtures() {
    }

    static ByteString utf8(String s) {
        return ByteString.copyFrom(s.getBytes(StandardCharsets.UTF_8));
    }

    // ---- mz_persist.gen.persist ----------------------------------------------------------------------------------

    static io.flinkpersist.persist.proto.part.ProtoU64Antichain partAntichain(long... elements) {
        io.flinkpersist.persist.proto.part.ProtoU64Antichain.Builder b =
                io.flinkpersist.persist.proto.part.ProtoU64Antichain.newBuilder();
        for (long e : elements) {
            b.addElements(e);
        }
        return b.build();
    }

    static io.flinkpersist.persist.proto.part.ProtoU64Description partDescription() {
        return io.flinkpersist.persist.proto.part.ProtoU64Description.newBuilder()
                .setLower(partAntichain(0))
                .setUpper(partAntichain(10))
                .setSince(partAntichain(0))
                .build();
    }

    /** Contents unknown to us: only unknown fields, which must survive. */
    static ProtoArrayData arrayData(String payload) {
        return ProtoArrayData.newBuilder()
                .setUnknownFields(UnknownFieldSet.newBuilder()
                        .addField(1, UnknownFieldSet.Field.newBuilder().addVarint(2).build())
                        .addField(3, UnknownFieldSet.Field.newBuilder().addLengthDelimited(utf8(payload)).build())
                        .build())
                .build();
    }

    static ProtoBatchPartInline batchPartInline() {
        return ProtoBatchPartInline.newBuilder()
                .setFormat(ProtoBatchFormat.ParquetStructured)
                .setDesc(partDescription())
                .setIndex(3)
                .setStructuredMigration(3)
                .build();
    }

    static ProtoColumnarRecords columnarRecords() {
        return ProtoColumnarRecords.newBuilder()
                .setLen(2)
                .addKeyOffsets(0).addKeyOffsets(3).addKeyOffsets(6)
                .setKeyData(utf8("k01k02"))
                .addValOffsets(0).addValOffsets(2).addValOffsets(4)
                .setValData(utf8("v1v2"))
                .addTimestamps(1).addTimestamps(9)
                .addDiffs(1).addDiffs(-1)
                .setKeyStructured(arrayData("keys"))
                .setValStructured(arrayData("vals"))
                .build();
    }

    // ---- mz_persist_client.internal.state ------------------------------------------------------------------------

    static ProtoU64Antichain antichain(long... elements) {
        ProtoU64Antichain.Builder b = ProtoU64Antichain.newBuilder();
        for (long e : elements) {
            b.addElements(e);
        }
        return b.build();
    }

    static ProtoU64Description description(long lower, long upper, long since) {
        return ProtoU64Description.newBuilder()
                .setLower(antichain(lower))
                .setUpper(antichain(upper))
                .setSince(antichain(since))
                .build();
    }

    static ProtoHandleDebugState debug(String purpose) {
        return ProtoHandleDebugState.newBuilder().setHostname("tm-1.example.net").setPurpose(purpose).build();
    }

    static ProtoInlineBatchPart inlineBatchPart() {
        return ProtoInlineBatchPart.newBuilder()
                .setDesc(description(0, 10, 0))
                .setIndex(1)
                .setUpdates(columnarRecords())
                .build();
    }

    static ProtoHollowRunRef hollowRunRef() {
        return ProtoHollowRunRef.newBuilder().setKey(RUN_KEY).setMaxPartBytes(1 << 20).build();
    }

    /** A blob part with every non-oneof field set; kind = key, format = row. */
    static ProtoHollowBatchPart blobPart() {
        return ProtoHollowBatchPart.newBuilder()
                .setKey(PART_KEY)
                .setEncodedSizeBytes(4096)
                .setKeyLower(utf8("k01"))
                .setTsRewrite(antichain(5))
                .setDiffsSum(0)
                .setRow(Empty.getDefaultInstance())
                .setDeprecatedSchemaId(1)
                .setStructuredKeyLower(arrayData("min-key").toByteString())
                .setSchemaId(2)
                .putMetadata("future-key", utf8("future-value"))
                .setSourceShard(SHARD)
                .setKeyStats(utf8("opaque-stats"))
                .build();
    }

    /** kind = inline, format = row_and_columnar, shaped like a real inline part. */
    static ProtoHollowBatchPart inlinePart() {
        return ProtoHollowBatchPart.newBuilder()
                .setInline(inlineBatchPart().toByteString())
                .setTsRewrite(antichain(5))
                .setRowAndColumnar(2)
                .setSchemaId(2)
                .build();
    }

    /** kind = run_ref, format = structured. */
    static ProtoHollowBatchPart runRefPart() {
        return ProtoHollowBatchPart.newBuilder()
                .setRunRef(hollowRunRef())
                .setEncodedSizeBytes(3 << 20)
                .setKeyLower(utf8("k00"))
                .setDiffsSum(7)
                .setStructured(Empty.getDefaultInstance())
                .setSchemaId(2)
                .build();
    }

    static ProtoHollowRun hollowRun() {
        return ProtoHollowRun.newBuilder().addParts(blobPart()).addParts(runRefPart()).build();
    }

    static ProtoRunMeta runMeta() {
        return ProtoRunMeta.newBuilder()
                .setOrder(ProtoRunOrder.CODEC)
                .setDeprecatedSchemaId(1)
                .setSchemaId(2)
                .setId("ri3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f")
                .setLen(2)
                .putMeta("future-key", utf8("future-value"))
                .build();
    }

    static ProtoHollowBatch hollowBatch() {
        return ProtoHollowBatch.newBuilder()
                .setDesc(description(0, 10, 0))
                .addDeprecatedKeys("p00000000-0000-4000-8000-00000000abcd")
                .setLen(5)
                .addParts(blobPart())
                .addParts(inlinePart())
                .addParts(runRefPart())
                .addRuns(1)
                .addRuns(2)
                .addRunMeta(runMeta())
                .addRunMeta(ProtoRunMeta.newBuilder().setOrder(ProtoRunOrder.UNORDERED).build())
                .addRunMeta(ProtoRunMeta.newBuilder().setOrder(ProtoRunOrder.STRUCTURED).build())
                .build();
    }

    static ProtoSpineId spineId(long lo, long hi) {
        return ProtoSpineId.newBuilder().setLo(lo).setHi(hi).build();
    }

    static ProtoIdHollowBatch idHollowBatch() {
        return ProtoIdHollowBatch.newBuilder().setId(spineId(1, 2)).setBatch(hollowBatch()).build();
    }

    static ProtoSpineBatch spineBatch() {
        return ProtoSpineBatch.newBuilder()
                .setLevel(1)
                .setDesc(description(0, 20, 0))
                .addParts(spineId(0, 1))
                .addParts(spineId(1, 2))
                .addDescs(description(0, 10, 0))
                .addDescs(description(10, 20, 0))
                .build();
    }

    static ProtoIdSpineBatch idSpineBatch() {
        return ProtoIdSpineBatch.newBuilder().setId(spineId(0, 2)).setBatch(spineBatch()).build();
    }

    static ProtoCompaction compaction() {
        return ProtoCompaction.newBuilder().setStartMs(1_700_000_000_000L).build();
    }

    static ProtoMerge merge() {
        return ProtoMerge.newBuilder().setSince(antichain(3)).setRemainingWork(17).setActiveCompaction(compaction())
                .build();
    }

    static ProtoIdMerge idMerge() {
        return ProtoIdMerge.newBuilder().setId(spineId(0, 2)).setMerge(merge()).build();
    }

    static ProtoTrace trace() {
        return ProtoTrace.newBuilder()
                .setSince(antichain(0))
                .addLegacyBatches(hollowBatch())
                .addHollowBatches(idHollowBatch())
                .addSpineBatches(idSpineBatch())
                .addMerges(idMerge())
                .build();
    }

    static ProtoHollowRollup hollowRollup() {
        return ProtoHollowRollup.newBuilder().setKey(ROLLUP_KEY).setEncodedSizeBytes(2048).build();
    }

    static ProtoActiveRollup activeRollup() {
        return ProtoActiveRollup.newBuilder().setSeqno(8).setStartMs(1_700_000_000_100L).build();
    }

    static ProtoActiveGC activeGc() {
        return ProtoActiveGC.newBuilder().setSeqno(6).setStartMs(1_700_000_000_200L).build();
    }

    static ProtoLeasedReaderState leasedReaderState() {
        return ProtoLeasedReaderState.newBuilder()
                .setSince(antichain(4))
                .setSeqno(7)
                .setLastHeartbeatTimestampMs(1_700_000_000_300L)
                .setLeaseDurationMs(900_000)
                .setDebug(debug("snapshot"))
                .build();
    }

    static ProtoCriticalReaderState criticalReaderState() {
        return ProtoCriticalReaderState.newBuilder()
                .setSince(antichain(2))
                .setOpaque(-42)
                .setOpaqueCodec("i64")
                .setDebug(debug("controller"))
                .build();
    }

    static ProtoWriterState writerState() {
        return ProtoWriterState.newBuilder()
                .setLastHeartbeatTimestampMs(1_700_000_000_400L)
                .setLeaseDurationMs(900_000)
                .setMostRecentWriteToken(TOKEN)
                .setMostRecentWriteUpper(antichain(10))
                .setDebug(debug("flink sink"))
                .build();
    }

    static ProtoRetainedPartsState retainedPartsState() {
        return ProtoRetainedPartsState.newBuilder()
                .addKeys(PART_KEY)
                .addKeys(RUN_KEY)
                .setDebug(debug("retain"))
                .build();
    }

    static ProtoVersionedData versionedData() {
        return ProtoVersionedData.newBuilder().setSeqno(8).setData(stateDiff().toByteString()).build();
    }

    static ProtoInlinedDiffs inlinedDiffs() {
        return ProtoInlinedDiffs.newBuilder().setLower(7).setUpper(8).addDiffs(versionedData()).build();
    }

    static ProtoEncodedSchemas encodedSchemas() {
        return ProtoEncodedSchemas.newBuilder()
                .setKey(utf8("key-schema"))
                .setVal(utf8("val-schema"))
                .setKeyDataType(utf8("key-arrow-type"))
                .setValDataType(utf8("val-arrow-type"))
                .build();
    }

    static ProtoRollup rollup() {
        return ProtoRollup.newBuilder()
                .setApplierVersion("0.1.0")
                .setShardId(SHARD)
                .setKeyCodec("Vec<u8>")
                .setValCodec("Vec<u8>")
                .setTsCodec("u64")
                .setDiffCodec("i64")
                .setSeqno(8)
                .setWalltimeMs(1_700_000_000_500L)
                .setHostname("tm-1.example.net")
                .setLastGcReq(5)
                .putRollups(1, ProtoHollowRollup.newBuilder().setKey("v1/r00000000-0000-4000-8000-000000000001")
                        .build())
                .putRollups(7, hollowRollup())
                .putDeprecatedRollups(1, "v1/r00000000-0000-4000-8000-000000000001")
                .setTrace(trace())
                .putLeasedReaders(LEASED_READER, leasedReaderState())
                .putCriticalReaders(CRITICAL_READER, criticalReaderState())
                .putWriters(WRITER, writerState())
                .putSchemas(2, encodedSchemas())
                .setDiffs(inlinedDiffs())
                .setActiveRollup(activeRollup())
                .setActiveGc(activeGc())
                .putRetainedParts("retain-1", retainedPartsState())
                .putCommittedCheckpoints("sink-uid/job-id", 42)
                .putCommitMarkers("sink-id/00000000-0000-4000-8000-000000000009", commitMarker())
                .setIntegrity(integrity())
                .build();
    }

    /** Set here only to round-trip: the code writes the header in front of a value, never through a builder. */
    static ProtoStateIntegrity integrity() {
        return ProtoStateIntegrity.newBuilder().setLength(1234).setCrc32C(0x9e3779b9).build();
    }

    static ProtoCommitMarker commitMarker() {
        return ProtoCommitMarker.newBuilder()
                .setCheckpointId(43)
                .setLastRecordedMs(1_700_000_000_400L)
                .setRetentionMs(2_592_000_000L)
                .build();
    }

    // ---- mz_persist_client.batch ---------------------------------------------------------------------------------

    static ProtoBatch batch() {
        return ProtoBatch.newBuilder().setShardId(SHARD).setVersion("0.1.0").setBatch(hollowBatch())
                .setBatchCrc32C(0x7f4a7c15).build();
    }

    static ProtoFetchBatchFilterListen fetchBatchFilterListen() {
        return ProtoFetchBatchFilterListen.newBuilder().setAsOf(antichain(3)).setLower(antichain(5)).build();
    }

    static ProtoFetchBatchFilter snapshotFilter() {
        return ProtoFetchBatchFilter.newBuilder().setSnapshot(antichain(3)).build();
    }

    static ProtoFetchBatchFilter listenFilter() {
        return ProtoFetchBatchFilter.newBuilder().setListen(fetchBatchFilterListen()).build();
    }

    static ProtoLease lease() {
        return ProtoLease.newBuilder().setReaderId(LEASED_READER).setSeqno(7).build();
    }

    static ProtoLeasedBatchPart leasedBatchPart() {
        return ProtoLeasedBatchPart.newBuilder()
                .setShardId(SHARD)
                .setFilter(listenFilter())
                .setDesc(description(0, 10, 0))
                .setPart(blobPart())
                .setLease(lease())
                .setFilterPushdownAudit(true)
                .build();
    }

    // ---- mz_persist_client.internal.diff -------------------------------------------------------------------------

    static ProtoStateFieldDiffs stateFieldDiffs() {
        ByteString writerKey = utf8(WRITER);
        ByteString unit = ByteString.EMPTY;
        ByteString oldHost = utf8("old");
        ByteString newHost = utf8("new");
        return ProtoStateFieldDiffs.newBuilder()
                .addFields(ProtoStateField.WRITERS)
                .addFields(ProtoStateField.HOSTNAME)
                .addDiffTypes(ProtoStateFieldDiffType.DELETE)
                .addDiffTypes(ProtoStateFieldDiffType.UPDATE)
                .addDataLens(writerKey.size())
                .addDataLens(writerState().getSerializedSize())
                .addDataLens(unit.size())
                .addDataLens(oldHost.size())
                .addDataLens(newHost.size())
                .setDataBytes(writerKey.concat(writerState().toByteString()).concat(unit).concat(oldHost)
                        .concat(newHost))
                .build();
    }

    static ProtoStateDiff stateDiff() {
        return ProtoStateDiff.newBuilder()
                .setApplierVersion("0.1.0")
                .setSeqnoFrom(7)
                .setSeqnoTo(8)
                .setWalltimeMs(1_700_000_000_600L)
                .setLatestRollupKey(ROLLUP_KEY)
                .setFieldDiffs(stateFieldDiffs())
                .setIntegrity(integrity())
                .build();
    }

    // ---- mz_persist_types/stats.proto -----------------------------------------------------------------------------

    /** The stats this connector writes for a part: byte bounds of k, i64 bounds of t. */
    static ProtoStructStats structStats() {
        return ProtoStructStats.newBuilder()
                .setLen(1000)
                .putCols("k", bytesColumn())
                .putCols("t", ProtoDynStats.newBuilder().setPrimitive(i64Bounds(1_700_000_000_000L, 1_700_000_000_999L))
                        .build())
                .build();
    }

    static ProtoDynStats bytesColumn() {
        return ProtoDynStats.newBuilder().setBytes(bytesStatsPrimitive()).build();
    }

    /** A nullable struct column, as persist writes for an optional record. */
    static ProtoDynStats nullableStructColumn() {
        return ProtoDynStats.newBuilder()
                .setOption(optionStats())
                .setStruct(ProtoStructStats.newBuilder().setLen(10)
                        .putCols("id", ProtoDynStats.newBuilder().setPrimitive(i64Bounds(-5, 5)).build()))
                .build();
    }

    static ProtoDynStats primitiveColumn() {
        return ProtoDynStats.newBuilder().setPrimitive(i64Bounds(0, 7)).build();
    }

    static ProtoOptionStats optionStats() {
        return ProtoOptionStats.newBuilder().setNone(3).build();
    }

    static ProtoPrimitiveStats i64Bounds(long lower, long upper) {
        return ProtoPrimitiveStats.newBuilder().setLowerI64(lower).setUpperI64(upper).build();
    }

    /** One instance per variant of lower and upper, the same type in both as persist writes them. */
    static List<ProtoPrimitiveStats> primitiveStats() {
        return List.of(
                ProtoPrimitiveStats.newBuilder().setLowerBool(false).setUpperBool(true).build(),
                ProtoPrimitiveStats.newBuilder().setLowerU8(1).setUpperU8(255).build(),
                ProtoPrimitiveStats.newBuilder().setLowerU16(2).setUpperU16(65_535).build(),
                ProtoPrimitiveStats.newBuilder().setLowerU32(3).setUpperU32(-1).build(),
                ProtoPrimitiveStats.newBuilder().setLowerU64(4).setUpperU64(-1L).build(),
                ProtoPrimitiveStats.newBuilder().setLowerI8(-128).setUpperI8(127).build(),
                ProtoPrimitiveStats.newBuilder().setLowerI16(-32_768).setUpperI16(32_767).build(),
                ProtoPrimitiveStats.newBuilder().setLowerI32(Integer.MIN_VALUE).setUpperI32(Integer.MAX_VALUE).build(),
                i64Bounds(Long.MIN_VALUE, Long.MAX_VALUE),
                ProtoPrimitiveStats.newBuilder().setLowerF32(-1.5f).setUpperF32(2.5f).build(),
                ProtoPrimitiveStats.newBuilder().setLowerF64(-0.25).setUpperF64(1e300).build(),
                ProtoPrimitiveStats.newBuilder().setLowerBytes(utf8("appl")).setUpperBytes(utf8("banb")).build(),
                ProtoPrimitiveStats.newBuilder().setLowerString("alpha").setUpperString("omega").build());
    }

    static ProtoBytesStats bytesStatsPrimitive() {
        return ProtoBytesStats.newBuilder().setPrimitive(primitiveStats().get(11)).build();
    }

    static ProtoBytesStats bytesStatsJson() {
        return ProtoBytesStats.newBuilder().setJson(jsonStats().get(0)).build();
    }

    /** One instance per variant of values; the first also counts JSON nulls. */
    static List<ProtoJsonStats> jsonStats() {
        return List.of(
                ProtoJsonStats.newBuilder().setJsonNulls(2).setNone(Empty.getDefaultInstance()).build(),
                ProtoJsonStats.newBuilder().setMixed(Empty.getDefaultInstance()).build(),
                ProtoJsonStats.newBuilder().setBools(primitiveStats().get(0)).build(),
                ProtoJsonStats.newBuilder().setStrings(primitiveStats().get(12)).build(),
                ProtoJsonStats.newBuilder().setNumerics(primitiveStats().get(10)).build(),
                ProtoJsonStats.newBuilder().setLists(Empty.getDefaultInstance()).build(),
                ProtoJsonStats.newBuilder().setMaps(jsonMapStats()).build());
    }

    static ProtoJsonMapStats jsonMapStats() {
        return ProtoJsonMapStats.newBuilder()
                .putElements("name", ProtoJsonStats.newBuilder().setStrings(primitiveStats().get(12)).build())
                .build();
    }

    private static List<Message> stats() {
        List<Message> stats = new ArrayList<>();
        stats.add(structStats());
        stats.add(nullableStructColumn());
        stats.add(primitiveColumn());
        stats.add(bytesColumn());
        stats.add(optionStats());
        stats.addAll(primitiveStats());
        stats.addAll(jsonStats());
        stats.add(jsonMapStats());
        stats.add(bytesStatsPrimitive());
        stats.add(bytesStatsJson());
        return stats;
    }

    // ---- all of them ---------------------------------------------------------------------------------------------

    /** Every fixture; for a message with a oneof, one instance per variant. */
    static List<Message> all() {
        List<Message> all = new ArrayList<>(List.of(
                partAntichain(0, 42, -1L /* u64::MAX */),
                partDescription(),
                arrayData("payload"),
                batchPartInline(),
                columnarRecords(),

                antichain(0, 5, Long.MAX_VALUE),
                description(0, 10, 0),
                blobPart(),
                inlinePart(),
                runRefPart(),
                inlineBatchPart(),
                hollowRunRef(),
                hollowRun(),
                runMeta(),
                hollowBatch(),
                spineId(3, 4),
                idHollowBatch(),
                spineBatch(),
                idSpineBatch(),
                compaction(),
                merge(),
                idMerge(),
                trace(),
                hollowRollup(),
                activeRollup(),
                activeGc(),
                leasedReaderState(),
                criticalReaderState(),
                writerState(),
                debug("purpose"),
                retainedPartsState(),
                commitMarker(),
                versionedData(),
                inlinedDiffs(),
                encodedSchemas(),
                rollup(),

                batch(),
                leasedBatchPart(),
                snapshotFilter(),
                listenFilter(),
                fetchBatchFilterListen(),
                lease(),

                stateDiff(),
                stateFieldDiffs()));
        all.addAll(stats());
        return all;
    }
}
