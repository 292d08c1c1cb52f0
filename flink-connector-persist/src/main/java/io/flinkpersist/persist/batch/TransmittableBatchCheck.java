package io.flinkpersist.persist.batch;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import io.flinkpersist.persist.InvalidUsageException.InvalidTransmittableBatch;
import io.flinkpersist.persist.InvalidUsageException.InvalidTransmittableBatch.Defect;
import io.flinkpersist.persist.QuotedInput;
import io.flinkpersist.persist.batch.part.BlobTraceBatchPart;
import io.flinkpersist.persist.batch.part.ColumnarRecords;
import io.flinkpersist.persist.batch.part.InlinePartCodec;
import io.flinkpersist.persist.batch.part.ParquetPartCodec;
import io.flinkpersist.persist.batch.part.PartDecodeException;
import io.flinkpersist.persist.ids.BuildVersion;
import io.flinkpersist.persist.ids.MalformedIdException;
import io.flinkpersist.persist.ids.PartialBatchKey;
import io.flinkpersist.persist.ids.ShardId;
import io.flinkpersist.persist.proto.batch.ProtoBatch;
import io.flinkpersist.persist.proto.state.ProtoHollowBatch;
import io.flinkpersist.persist.proto.state.ProtoHollowBatchPart;
import io.flinkpersist.persist.proto.state.ProtoRunOrder;
import io.flinkpersist.persist.proto.state.ProtoU64Antichain;
import io.flinkpersist.persist.time.Description;
import io.flinkpersist.persist.time.Frontier;
import io.flinkpersist.persist.time.FrontierProtos;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.zip.CRC32C;

/**
 * Checks a transmittable batch completely before anyone can append it: a batch that arrives from another process (a
 * Flink checkpoint's committable, say) may be corrupt, and once appended it cannot be taken out again, so anything
 * the shard could not read back exactly as written is refused here with an {@link InvalidTransmittableBatch}.
 *
 * <p>Refused: a batch that differs from the checksum its writer recorded (any damage on the way); data of a
 * version more than one minor ahead of this build (persist's rule); bounds that are not a user batch's
 * ({@code lower <= upper}, not equal if it has parts, since the minimum); run splits and run metadata that do not
 * fit the parts, and run orders this build does not know; part kinds it cannot read (spilled runs, bare 2022 keys,
 * structured-only parts, parts of another shard's copy); a rewrite that is not one frontier on every part within
 * the bounds; keys that are not a {@code <writerkey>/<partid>} of this shard, or are listed twice; inline parts
 * that break persist's inline rules, do not decode, or hold updates outside the batch's bounds; more inline
 * updates than the batch counts; a run recorded as sorted whose parts are visibly not; and blob parts that are
 * missing or whose length is not their {@code encoded_size_bytes}.
 *
 * <p>Blob parts are not read: each costs one metadata request ({@link io.flinkpersist.persist.blob.Blob#size}),
 * issued concurrently. What only a part's contents could tell (its updates, key lower, diffs sum, stats) is checked
 * when it is read.
 */
final class TransmittableBatchCheck {
    private final PartWriter writer;
    private final ShardId shardId;

    private List<BlobPart> blobParts = List.of();
    /** Every part in the batch's order, with the run it belongs to: what an unsealed batch's parts are read as. */
    private List<RunMember> members = List.of();
    /** Whether readers take every run of the batch last checked as sorted ({@link HollowBatch#partsKnownSorted}). */
    private boolean sortedRuns;
    /** The update count the batch last checked records. */
    private long len;
    /** Whether the batch had its writer's checksum, which covers what it records of its parts. */
    private boolean sealed;

    TransmittableBatchCheck(PartWriter writer) {
        this.writer = writer;
        this.shardId = writer.shardId();
    }

    /**
     * Checks the batch against the checksum its writer recorded, over the {@code batch} field's bytes exactly as
     * received (re-encoding could reorder fields this build does not know). Batches of earlier builds have none.
     */
    void checksum(byte[] transmittable, ProtoBatch proto) {
        if (!proto.hasBatchCrc32C()) {
            return;
        }
        sealed = true;
        ByteString batch = null;
        try {
            CodedInputStream input = CodedInputStream.newInstance(transmittable);
            for (int tag = input.readTag(); tag != 0; tag = input.readTag()) {
                if (WireFormat.getTagFieldNumber(tag) != ProtoBatch.BATCH_FIELD_NUMBER
                        || WireFormat.getTagWireType(tag) != WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                    input.skipField(tag);
                } else if (batch == null) {
                    batch = input.readBytes();
                } else {
                    throw refuse(Defect.CHECKSUM_MISMATCH, null, "the batch is encoded more than once");
                }
            }
        } catch (IOException e) {
            throw refuse(Defect.UNREADABLE, null, e.getMessage());
        }
        int actual = crc32c(batch == null ? ByteString.EMPTY : batch);
        if (actual != proto.getBatchCrc32C()) {
            throw refuse(Defect.CHECKSUM_MISMATCH, null, String.format(
                    "the batch was written with CRC32C %08x but arrived with %08x", proto.getBatchCrc32C(), actual));
        }
    }

    /** The CRC32C of encoded bytes, as {@code ProtoBatch.batch_crc32c} records it. */
    static int crc32c(ByteString bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes.asReadOnlyByteBuffer());
        return (int) crc.getValue();
    }

    /** The version that wrote the batch, if this build ({@code reader}) may read its data. */
    BuildVersion version(String printed, BuildVersion reader) {
        BuildVersion version;
        try {
            version = BuildVersion.parse(printed);
        } catch (MalformedIdException e) {
            throw refuse(Defect.UNSUPPORTED_VERSION, null, "unreadable writer version: " + e.getMessage());
        }
        if (!reader.canReadDataOf(version)) {
            throw refuse(Defect.UNSUPPORTED_VERSION, null, "the batch was written by version " + version
                    + ", more than one minor version ahead of this build's " + reader);
        }
        return version;
    }

    /** The batch, if every check passes. */
    HollowBatch batch(ProtoHollowBatch proto) {
        if (proto.getDeprecatedKeysCount() > 0) {
            throw refuse(Defect.UNSUPPORTED_PART, "deprecated key " + QuotedInput.of(proto.getDeprecatedKeys(0)),
                    "bare keys of 2022 are written by no current writer");
        }
        Description desc = bounds(proto);
        for (int i = 0; i < proto.getPartsCount(); i++) {
            if (proto.getParts(i).getKindCase() == ProtoHollowBatchPart.KindCase.KIND_NOT_SET) {
                throw refuse(Defect.UNSUPPORTED_PART, "part " + i, "it has neither a key nor inline updates");
            }
        }
        HollowBatch batch;
        try {
            // Rewrites an earlier build's part stats in persist's layout: after the checksum, which covers them as sent.
            batch = HollowBatch.fromProto(proto);
        } catch (IllegalArgumentException e) {
            throw refuse(Defect.INVALID_RUNS, null, e.getMessage());
        }
        runs(batch);
        // Readers merge the runs as sorted exactly when this says so (a batch without orders is inferred as a whole).
        boolean sortedRun = batch.partsKnownSorted();
        List<BlobPart> blobParts = new ArrayList<>();
        List<RunMember> members = new ArrayList<>();
        Set<PartialBatchKey> keys = new HashSet<>();
        long inlineUpdates = 0;
        int run = 0;
        byte[] runKeyLower = null;
        ProtoU64Antichain rewrite = proto.getPartsCount() > 0 && proto.getParts(0).hasTsRewrite()
                ? proto.getParts(0).getTsRewrite() : null;
        for (int i = 0; i < batch.parts().size(); i++) {
            if (run < batch.runSplits().size() && batch.runSplits().get(run) == i) {
                run++;
                runKeyLower = null;
            }
            ProtoHollowBatchPart part = proto.getParts(i);
            String name = "part " + i + " " + QuotedInput.of(new BatchPart(part).printableName());
            rewrite(name, part, desc, rewrite);
            switch (part.getKindCase()) {
                case RUN_REF -> throw refuse(Defect.UNSUPPORTED_PART, name, "spilled runs (run_ref) are not supported");
                case INLINE -> {
                    ColumnarRecords updates = inline(name, part, desc, rewrite != null, sortedRun);
                    inlineUpdates += updates.len();
                    members.add(new RunMember(run, null, updates));
                }
                default -> {
                    PartialBatchKey key = key(name, part, keys);
                    byte[] keyLower = part.getKeyLower().toByteArray();
                    // A sorted run's parts follow each other: their least keys (cut to one length) cannot go down.
                    if (sortedRun && runKeyLower != null && Arrays.compareUnsigned(keyLower, runKeyLower) < 0) {
                        throw refuse(Defect.UNSORTED_RUN, name, "its key lower is below the previous part's in run "
                                + run + ", which is recorded as sorted");
                    }
                    runKeyLower = keyLower;
                    BlobPart blobPart = new BlobPart(name, key.complete(shardId), part.getEncodedSizeBytes(),
                            part.hasDiffsSum() ? part.getDiffsSum() : null, keyLower);
                    blobParts.add(blobPart);
                    members.add(new RunMember(run, blobPart, null));
                }
            }
        }
        boolean allInline = blobParts.isEmpty();
        if (allInline ? inlineUpdates != batch.len() : inlineUpdates > batch.len()) {
            throw refuse(Defect.LEN_MISMATCH, null, "the batch counts " + Long.toUnsignedString(batch.len())
                    + " updates but its inline parts hold " + inlineUpdates
                    + (allInline ? "" : " and its blob parts some more"));
        }
        this.blobParts = List.copyOf(blobParts);
        this.members = sealed ? List.of() : List.copyOf(members);
        this.sortedRuns = sortedRun;
        this.len = batch.len();
        return batch;
    }

    /**
     * The blob parts of the batch last checked, to be found in blob before it is appended (not at decode: a replay
     * of a batch the shard already holds may find them compacted away, and must still be recognised as one).
     */
    PartsInBlob partsInBlob() {
        return new PartsInBlob(writer, blobParts, sealed ? null : members, sortedRuns, len);
    }

    private Description bounds(ProtoHollowBatch proto) {
        Description desc;
        try {
            desc = FrontierProtos.fromStateDescription(proto.hasDesc() ? proto.getDesc() : null);
        } catch (IllegalArgumentException e) {
            throw refuse(Defect.INVALID_BOUNDS, null, e.getMessage());
        }
        if (desc.upper().lessThan(desc.lower())) {
            throw refuse(Defect.INVALID_BOUNDS, null, "upper " + desc.upper() + " is less than lower " + desc.lower());
        }
        if (desc.upper().equals(desc.lower()) && proto.getPartsCount() > 0) {
            throw refuse(Defect.INVALID_BOUNDS, null, "lower and upper are both " + desc.lower()
                    + ": no reader could see its parts");
        }
        // A batch that travels is a user batch: its times are as written, never advanced by compaction.
        if (!desc.since().equals(Frontier.MINIMUM)) {
            throw refuse(Defect.INVALID_BOUNDS, null, "since " + desc.since() + " is not the minimum "
                    + Frontier.MINIMUM + ": only compaction advances times, and its batches are not transmitted");
        }
        return desc;
    }

    private void runs(HollowBatch batch) {
        int metas = batch.toProto().getRunMetaCount();
        if (metas > batch.runCount()) {
            throw refuse(Defect.INVALID_RUNS, null, "it records " + metas + " run metadata entries for "
                    + batch.runCount() + " runs");
        }
        for (int run = 0; run < metas; run++) {
            if (batch.toProto().getRunMeta(run).getOrder() == ProtoRunOrder.UNRECOGNIZED) {
                throw refuse(Defect.UNKNOWN_RUN_ORDER, null, "run " + run + " has order "
                        + batch.toProto().getRunMeta(run).getOrderValue() + ", which this build does not know");
            }
        }
    }

    /**
     * A rewritten batch ({@link HollowBatch#rewriteTs}) records one frontier on every part, at or above its lower
     * and below its upper: what a reader advances every time to.
     */
    private void rewrite(String name, ProtoHollowBatchPart part, Description batch, ProtoU64Antichain first) {
        if (part.hasTsRewrite() != (first != null) || first != null && !part.getTsRewrite().equals(first)) {
            throw refuse(Defect.INVALID_REWRITE, name, "a rewrite moves every part of a batch to the same frontier");
        }
        if (first == null) {
            return;
        }
        Frontier frontier;
        try {
            frontier = FrontierProtos.fromStateAntichain(first);
        } catch (IllegalArgumentException e) {
            throw refuse(Defect.INVALID_REWRITE, name, e.getMessage());
        }
        if (frontier.isEmpty() || frontier.lessThan(batch.lower()) || !frontier.lessThan(batch.upper())) {
            throw refuse(Defect.INVALID_REWRITE, name, "rewrite frontier " + frontier
                    + " is not within the batch's lower " + batch.lower() + " and upper " + batch.upper());
        }
    }

    private PartialBatchKey key(String name, ProtoHollowBatchPart part, Set<PartialBatchKey> keys) {
        PartialBatchKey key;
        try {
            key = PartialBatchKey.parse(part.getKey());
        } catch (MalformedIdException e) {
            throw refuse(Defect.MALFORMED_KEY, name, "a part key is <writerkey>/<partid> within shard " + shardId);
        }
        if (!keys.add(key)) {
            throw refuse(Defect.DUPLICATE_KEY, name, "its updates would count twice");
        }
        if (part.getFormatCase() == ProtoHollowBatchPart.FormatCase.STRUCTURED) {
            throw refuse(Defect.UNSUPPORTED_PART, name, "structured-only parts have no codec columns to read");
        }
        if (part.hasSourceShard()) {
            throw refuse(Defect.UNSUPPORTED_PART, name, "its key belongs to shard "
                    + QuotedInput.of(part.getSourceShard()) + " (a copy-on-write fork)");
        }
        return key;
    }

    /** Checks an inline part against persist's inline rules and the batch's bounds; returns its updates. */
    private ColumnarRecords inline(String name, ProtoHollowBatchPart part, Description batch, boolean rewritten,
            boolean sortedRun) {
        if (part.getEncodedSizeBytes() != 0 || !part.getKeyLower().isEmpty() || part.hasKeyStats()
                || part.hasDiffsSum()) {
            throw refuse(Defect.INVALID_INLINE_PART, name,
                    "an inline part records no encoded size, key lower, stats or diffs sum");
        }
        BlobTraceBatchPart decoded;
        try {
            decoded = InlinePartCodec.decode(name, part.getInline());
        } catch (PartDecodeException e) {
            throw refuse(Defect.INVALID_INLINE_PART, name, e.getMessage());
        }
        Description written = decoded.desc();
        // What a reader needs to cut the part to any interval the batch may be appended as (a rewrite moved the
        // batch's upper past the part's).
        if (!written.since().equals(Frontier.MINIMUM) || !written.lower().lessEqual(batch.lower())
                || !rewritten && !batch.upper().lessEqual(written.upper())) {
            throw refuse(Defect.INVALID_INLINE_PART, name, "its description " + written
                    + " does not cover the batch's " + batch);
        }
        ColumnarRecords updates = decoded.updates();
        for (int i = 0; i < updates.len(); i++) {
            long time = updates.time(i);
            if (!batch.lower().lessEqual(time) || batch.upper().lessEqual(time)) {
                throw refuse(Defect.INVALID_INLINE_PART, name, "update " + i + " at time " + time
                        + " is not within the batch's lower " + batch.lower() + " and upper " + batch.upper());
            }
            if (sortedRun && i > 0 && updates.compareKeyValTime(i, i - 1) < 0) {
                throw refuse(Defect.UNSORTED_RUN, name, "update " + i + " sorts before update " + (i - 1)
                        + " in a run recorded as sorted");
            }
        }
        return updates;
    }

    /**
     * The blob parts of a decoded batch, which must be in blob, exactly as long as recorded, to be appended. A batch
     * without its writer's checksum (an earlier build's) has nothing that covers its diffs sums, key lowers and run
     * layout, which reads rely on: its parts ({@code unsealedMembers}, null for a sealed batch) are read and checked
     * against them, and every run recorded as sorted is checked to be sorted across its parts (once, on an upgrade's
     * first commits).
     */
    record PartsInBlob(PartWriter writer, List<BlobPart> parts, List<RunMember> unsealedMembers,
            boolean sortedRuns, long len) {
        /** Asks blob for the length of every part at once, and reads them if they must be. */
        void verify() {
            List<CompletableFuture<OptionalLong>> sizes = new ArrayList<>(parts.size());
            for (BlobPart part : parts) {
                sizes.add(CompletableFuture.supplyAsync(() -> writer.blob().size(part.blobKey()), writer.executor()));
            }
            try {
                CompletableFuture.allOf(sizes.toArray(CompletableFuture[]::new)).join();
            } catch (CompletionException e) {
                throw PartWriter.unwrap(e);
            }
            for (int i = 0; i < parts.size(); i++) {
                BlobPart part = parts.get(i);
                OptionalLong size = sizes.get(i).join();
                if (size.isEmpty()) {
                    throw new InvalidTransmittableBatch(writer.shardId(), Defect.MISSING_PART, part.name(),
                            "blob has no " + QuotedInput.of(part.blobKey()));
                }
                if (size.getAsLong() != part.encodedSizeBytes()) {
                    throw new InvalidTransmittableBatch(writer.shardId(), Defect.SIZE_MISMATCH, part.name(),
                            "the batch records " + Long.toUnsignedString(part.encodedSizeBytes())
                                    + " bytes, blob holds " + size.getAsLong());
                }
            }
            if (unsealedMembers != null) {
                readAndMatch();
            }
        }

        /** Reads the parts one at a time, holding only the previous part of the run for the order across parts. */
        private void readAndMatch() {
            ColumnarRecords previous = ColumnarRecords.EMPTY;
            int previousRun = -1;
            long counted = 0;
            for (RunMember member : unsealedMembers) {
                ColumnarRecords updates = member.blob() == null ? member.inline() : matchesContents(member.blob());
                counted += updates.len();
                String name = member.blob() == null ? "inline part of run " + member.run() : member.blob().name();
                if (member.run() != previousRun) {
                    previous = ColumnarRecords.EMPTY;
                    previousRun = member.run();
                }
                if (sortedRuns) {
                    for (int i = 1; i < updates.len(); i++) {
                        if (updates.compareKeyValTime(i, i - 1) < 0) {
                            throw new InvalidTransmittableBatch(writer.shardId(), Defect.UNSORTED_RUN, name,
                                    "update " + i + " sorts before update " + (i - 1) + " in run " + member.run()
                                            + ", which is recorded as sorted");
                        }
                    }
                    if (updates.len() > 0 && previous.len() > 0
                            && updates.compareKeyValTime(0, previous, previous.len() - 1) < 0) {
                        throw new InvalidTransmittableBatch(writer.shardId(), Defect.UNSORTED_RUN, name,
                                "its first update sorts before the previous part's last in run " + member.run()
                                        + ", which is recorded as sorted");
                    }
                }
                if (updates.len() > 0) {
                    previous = updates;
                }
            }
            // A part whose tag was damaged into another field's is skipped by protobuf as unknown: the count tells.
            if (counted != len) {
                throw new InvalidTransmittableBatch(writer.shardId(), Defect.LEN_MISMATCH, null, "the batch counts "
                        + Long.toUnsignedString(len) + " updates but its parts hold " + counted);
            }
        }

        private ColumnarRecords matchesContents(BlobPart part) {
            byte[] bytes = writer.blob().get(part.blobKey()).orElseThrow(() -> new InvalidTransmittableBatch(
                    writer.shardId(), Defect.MISSING_PART, part.name(), "blob has no " + QuotedInput.of(part.blobKey())));
            ColumnarRecords updates;
            try {
                updates = ParquetPartCodec.decode(part.blobKey(), bytes).updates();
            } catch (PartDecodeException e) {
                throw new InvalidTransmittableBatch(writer.shardId(), Defect.PART_MISMATCH, part.name(),
                        e.getMessage());
            }
            long sum = PartWriter.diffsSum(updates);
            if (part.diffsSum() != null && sum != part.diffsSum()) {
                throw new InvalidTransmittableBatch(writer.shardId(), Defect.PART_MISMATCH, part.name(),
                        "the batch records a diffs sum of " + part.diffsSum() + ", the part's diffs sum to " + sum);
            }
            if (updates.len() > 0 && part.keyLower().length > 0
                    && Arrays.compareUnsigned(part.keyLower(), updates.key(updates.minKeyIndex())) > 0) {
                throw new InvalidTransmittableBatch(writer.shardId(), Defect.PART_MISMATCH, part.name(),
                        "the batch records a key lower above the part's least key");
            }
            return updates;
        }
    }

    record BlobPart(String name, String blobKey, long encodedSizeBytes, Long diffsSum, byte[] keyLower) {}

    /** A part in its run: blob parts are read when checked, inline ones were decoded with the batch. */
    record RunMember(int run, BlobPart blob, ColumnarRecords inline) {}

    private InvalidTransmittableBatch refuse(Defect defect, String part, String detail) {
        return new InvalidTransmittableBatch(shardId, defect, part, detail);
    }
}
