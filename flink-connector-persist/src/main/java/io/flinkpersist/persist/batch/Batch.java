package io.flinkpersist.persist.batch;

import com.google.protobuf.InvalidProtocolBufferException;
import io.flinkpersist.persist.InvalidUsageException;
import io.flinkpersist.persist.batch.part.BlobTraceBatchPart;
import io.flinkpersist.persist.batch.part.InlinePartCodec;
import io.flinkpersist.persist.ids.BuildVersion;
import io.flinkpersist.persist.ids.PartId;
import io.flinkpersist.persist.ids.ShardId;
import io.flinkpersist.persist.proto.batch.ProtoBatch;
import io.flinkpersist.persist.time.Frontier;
import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A batch of updates that has been written (its parts uploaded or inline) but not yet appended to its shard.
 *
 * <p>A batch must be consumed: appended (or turned into a {@link #toTransmittable() transmittable} or
 * {@link #intoHollowBatch() hollow} batch that someone else appends), or {@link #delete() deleted}.
 * Otherwise its parts leak in blob; {@link #close()} and garbage collection of an unconsumed batch log a
 * warning naming the dangling keys.
 */
public final class Batch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Batch.class);
    private static final Cleaner CLEANER = Cleaner.create();

    private final BuildVersion version;
    private final PartWriter writer;
    private final Dangling dangling;
    private final Cleaner.Cleanable cleanable;
    /** The blob parts of a batch from a transmittable, until {@link #verifyPartsInBlob()} found them. */
    private TransmittableBatchCheck.PartsInBlob unverifiedParts;
    private HollowBatch batch;

    Batch(BuildVersion version, HollowBatch batch, PartWriter writer) {
        this.version = Objects.requireNonNull(version, "version");
        this.batch = Objects.requireNonNull(batch, "batch");
        this.writer = Objects.requireNonNull(writer, "writer");
        this.dangling = new Dangling(writer.shardId());
        this.dangling.track(batch);
        this.cleanable = CLEANER.register(this, dangling);
    }

    /**
     * Rehydrates a batch from {@link #toTransmittable()} bytes, written by any process, after checking it
     * completely ({@link TransmittableBatchCheck}): a batch that could not be read back exactly as written is
     * refused before anyone can append it. Its blob parts are looked for in blob when it is appended
     * ({@link #verifyPartsInBlob()}), after a replay of an append the shard already holds is recognised as one.
     *
     * @param reader the version of this build, which must be allowed to read the batch's data
     * @throws InvalidUsageException.BatchNotFromThisShard if it was written for another shard
     * @throws InvalidUsageException.InvalidTransmittableBatch naming the shard, the part and the defect
     */
    public static Batch fromTransmittable(byte[] transmittable, PartWriter writer, BuildVersion reader) {
        ProtoBatch proto;
        try {
            proto = ProtoBatch.parseFrom(transmittable);
        } catch (InvalidProtocolBufferException e) {
            throw new InvalidUsageException.InvalidTransmittableBatch(writer.shardId(),
                    InvalidUsageException.InvalidTransmittableBatch.Defect.UNREADABLE, null, e.getMessage());
        }
        if (!proto.getShardId().equals(writer.shardId().toString())) {
            throw new InvalidUsageException.BatchNotFromThisShard(proto.getShardId(), writer.shardId());
        }
        TransmittableBatchCheck check = new TransmittableBatchCheck(writer);
        check.checksum(transmittable, proto);
        BuildVersion version = check.version(proto.getVersion(), reader);
        if (!proto.hasBatch()) {
            throw new InvalidUsageException.InvalidTransmittableBatch(writer.shardId(),
                    InvalidUsageException.InvalidTransmittableBatch.Defect.NO_BATCH, null, "it has no batch");
        }
        Batch batch = new Batch(version, check.batch(proto.getBatch()), writer);
        batch.unverifiedParts = check.partsInBlob();
        return batch;
    }

    /**
     * Checks that the blob parts of a batch decoded from a transmittable are in blob, exactly as long as recorded
     * (one size request each, concurrently); once checked, or for a batch built here, does nothing.
     *
     * @throws InvalidUsageException.InvalidTransmittableBatch a part is missing or of another length
     */
    public void verifyPartsInBlob() {
        if (unverifiedParts != null) {
            unverifiedParts.verify();
            unverifiedParts = null;
        }
    }

    public ShardId shardId() {
        return writer.shardId();
    }

    /** The version of the code that wrote this batch. */
    public BuildVersion version() {
        return version;
    }

    public Frontier lower() {
        return batch.desc().lower();
    }

    public Frontier upper() {
        return batch.desc().upper();
    }

    /** The batch's current metadata (this does not consume it). */
    public HollowBatch hollowBatch() {
        return batch;
    }

    /** See {@link HollowBatch#rewriteTs}: a metadata-only move of every time to {@code frontier}. */
    public void rewriteTs(Frontier frontier, Frontier newUpper) {
        batch = batch.rewriteTs(frontier, newUpper);
        dangling.track(batch);
    }

    /**
     * Re-writes inline parts as blob parts, keeping the order of parts (readers rely on it). Used when a
     * shard's metadata has no room left for more inline bytes.
     */
    public void flushToBlob() {
        List<BatchPart> parts = new ArrayList<>(batch.parts().size());
        for (BatchPart part : batch.parts()) {
            if (!part.isInline()) {
                parts.add(part);
                continue;
            }
            BlobTraceBatchPart updates = InlinePartCodec.decode(part.printableName(), part.encodedInlinePart());
            byte[] keyLower = ByteBounds.truncateLower(
                    updates.updates().len() == 0 ? new byte[0] : updates.updates().key(updates.updates().minKeyIndex()),
                    writer.config().keyLowerMaxBytes());
            try {
                // An inline part's order is not recorded on it: its key bounds are found by a scan.
                parts.add(writer.writeHollow(updates.desc(), updates.index(), updates.updates(), keyLower, false,
                        part.tsRewrite().orElse(null), PartId.random()).join());
            } catch (CompletionException e) {
                throw PartWriter.unwrap(e);
            }
        }
        batch = batch.withParts(parts);
        dangling.track(batch);
    }

    /**
     * The transmittable form ({@code ProtoBatch}: shard, version, hollow batch and the checksum of the batch as
     * encoded), consuming this batch.
     */
    public byte[] toTransmittable() {
        byte[] bytes = ProtoBatch.newBuilder()
                .setShardId(shardId().toString())
                .setVersion(version.toString())
                .setBatch(batch.toProto())
                .setBatchCrc32C(TransmittableBatchCheck.crc32c(batch.toProto().toByteString()))
                .build()
                .toByteArray();
        markConsumed();
        return bytes;
    }

    /** The metadata to append, consuming this batch: whoever holds it now owns the parts. */
    public HollowBatch intoHollowBatch() {
        markConsumed();
        return batch;
    }

    /** Marks the parts as owned elsewhere (appended to the shard). */
    public void markConsumed() {
        dangling.clear();
        cleanable.clean();
    }

    /**
     * Deletes the batch's blob parts (concurrently, with retries) and consumes it. Idempotent. A no-op on
     * blob when batch deletes are disabled in the config.
     */
    public void delete() {
        List<BatchPart> parts = batch.parts();
        markConsumed();
        if (writer.config().batchDeleteEnabled()) {
            writer.delete(parts);
        }
    }

    /** Logs the dangling keys if this batch was never consumed; the parts stay in blob. */
    @Override
    public void close() {
        cleanable.clean();
    }

    /** Whether the batch still owns parts that nobody else will append or delete. */
    public boolean isDangling() {
        return dangling.keys.get() != null;
    }

    @Override
    public String toString() {
        return "Batch{shard=" + shardId() + ", version=" + version + ", " + batch + "}";
    }

    /** What the warning about an unconsumed batch needs; must not refer to the batch itself. */
    private static final class Dangling implements Runnable {
        private final ShardId shardId;
        private final AtomicReference<List<String>> keys = new AtomicReference<>();

        Dangling(ShardId shardId) {
            this.shardId = shardId;
        }

        void track(HollowBatch batch) {
            keys.set(batch.parts().isEmpty() ? null : batch.parts().stream().map(BatchPart::printableName).toList());
        }

        void clear() {
            keys.set(null);
        }

        @Override
        public void run() {
            List<String> left = keys.getAndSet(null);
            if (left != null) {
                LOG.warn("un-consumed batch of shard {} with {} parts and dangling blob keys: {}",
                        shardId, left.size(), left);
            }
        }
    }
}
