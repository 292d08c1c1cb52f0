package io.flinkpersist.persist.read;

import io.flinkpersist.persist.batch.BatchPart;
import io.flinkpersist.persist.batch.part.BlobTraceBatchPart;
import io.flinkpersist.persist.batch.part.ColumnarRecords;
import io.flinkpersist.persist.batch.part.InlinePartCodec;
import io.flinkpersist.persist.batch.part.ParquetPartCodec;
import io.flinkpersist.persist.batch.part.PartDecodeException;
import io.flinkpersist.persist.blob.Blob;
import io.flinkpersist.persist.ids.ShardId;
import io.flinkpersist.persist.time.Description;
import io.flinkpersist.persist.time.Frontier;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads the updates of one part of a batch as registered in shard state: fetched from blob (or decoded
 * inline), every time advanced by the part's {@code ts_rewrite}, and cut to the registered description when
 * the part was written for a wider one (a user batch appended as a narrower interval).
 */
public final class PartFetcher {
    private final ShardId shardId;
    private final Blob blob;
    private final AtomicLong partsFetched = new AtomicLong();
    private final AtomicLong bytesFetched = new AtomicLong();

    public PartFetcher(ShardId shardId, Blob blob) {
        this.shardId = Objects.requireNonNull(shardId, "shardId");
        this.blob = Objects.requireNonNull(blob, "blob");
    }

    public ShardId shardId() {
        return shardId;
    }

    /** Parts fetched from blob so far (inline parts are not fetched). */
    public long partsFetched() {
        return partsFetched.get();
    }

    /** Bytes of the parts fetched from blob so far. */
    public long bytesFetched() {
        return bytesFetched.get();
    }

    /**
     * @throws PartDecodeException if the part is missing, corrupt, not the part the shard recorded (its length and
     *     diffs sum), or does not fit the registered description
     */
    public ColumnarRecords fetch(Description registered, BatchPart part) {
        BlobTraceBatchPart decoded;
        if (part.isInline()) {
            decoded = InlinePartCodec.decode(part.printableName(), part.encodedInlinePart());
        } else {
            String key = part.blobKey(shardId);
            byte[] bytes = blob.get(key).orElseThrow(() -> new PartDecodeException(key,
                    "the part is referenced by the shard but missing from blob"));
            partsFetched.incrementAndGet();
            bytesFetched.addAndGet(bytes.length);
            if (part.encodedSizeBytes() > 0 && bytes.length != part.encodedSizeBytes()) {
                throw new PartDecodeException(key, "the part is " + bytes.length + " bytes long, but the shard "
                        + "recorded " + part.encodedSizeBytes() + " bytes for it: it was replaced or damaged");
            }
            decoded = ParquetPartCodec.decode(key, bytes);
            checkDiffsSum(key, part, decoded.updates());
        }
        Frontier rewrite = part.tsRewrite().orElse(null);
        Description written = decoded.desc();
        boolean truncate = !written.lower().equals(registered.lower()) || !written.upper().equals(registered.upper());
        if (truncate) {
            if (!written.lower().lessEqual(registered.lower())
                    || rewrite == null && !registered.upper().lessEqual(written.upper())
                    || !written.since().equals(Frontier.MINIMUM)) {
                throw new PartDecodeException(name(part), "part description " + written
                        + " cannot be cut to the registered " + registered);
            }
        } else if (!written.equals(registered)) {
            throw new PartDecodeException(name(part), "part description " + written
                    + " differs from the registered " + registered);
        }
        ColumnarRecords updates = decoded.updates();
        if (rewrite != null) {
            // Only the times change: the keys and values are shared, not copied.
            long[] times = new long[updates.len()];
            for (int i = 0; i < updates.len(); i++) {
                times[i] = rewrite.advance(updates.time(i));
            }
            updates = updates.withTimes(times);
        }
        return truncate ? within(updates, registered) : updates;
    }

    /** The updates at times in {@code [lower, upper)} of {@code registered}: {@code updates} itself if all are. */
    private static ColumnarRecords within(ColumnarRecords updates, Description registered) {
        int outside = 0;
        for (int i = 0; i < updates.len(); i++) {
            if (!inside(updates.time(i), registered)) {
                outside++;
            }
        }
        if (outside == 0) {
            return updates;
        }
        ColumnarRecords.Builder kept = ColumnarRecords.builder()
                .reserve(updates.len() - outside, updates.keyBytes(), updates.valueBytes());
        for (int i = 0; i < updates.len(); i++) {
            if (inside(updates.time(i), registered)) {
                // Fits: a subset of a part, whose columns were within the limits.
                kept.push(updates, i, updates.diff(i));
            }
        }
        return kept.build();
    }

    /** How errors name a part: a blob part by its full key, shard included, so that it can be found. */
    private String name(BatchPart part) {
        return part.isInline() ? part.printableName() : part.blobKey(shardId);
    }

    private static boolean inside(long time, Description registered) {
        return registered.lower().lessEqual(time) && !registered.upper().lessEqual(time);
    }

    /**
     * A part whose diffs do not sum to what the shard recorded is not the part that was appended, even if it decodes
     * (another part in its place, a footer without its row group): reading it would give other data.
     */
    private static void checkDiffsSum(String key, BatchPart part, ColumnarRecords updates) {
        if (part.diffsSum().isEmpty()) {
            return;
        }
        long sum = 0;
        for (int i = 0; i < updates.len(); i++) {
            sum += updates.diff(i);
        }
        if (sum != part.diffsSum().getAsLong()) {
            throw new PartDecodeException(key, "its " + updates.len() + " updates' diffs sum to " + sum
                    + ", but the shard recorded " + part.diffsSum().getAsLong() + " for it: it was replaced or "
                    + "damaged");
        }
    }
}
