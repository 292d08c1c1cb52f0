package io.flinkpersist.persist.batch;

import io.flinkpersist.persist.InvalidUsageException;
import io.flinkpersist.persist.batch.part.ColumnarRecords;
import io.flinkpersist.persist.ids.BuildVersion;
import io.flinkpersist.persist.ids.PartIdSequence;
import io.flinkpersist.persist.proto.state.ProtoRunOrder;
import io.flinkpersist.persist.time.Description;
import io.flinkpersist.persist.time.Frontier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds a {@link Batch} from updates added one at a time. Not thread-safe: one writer thread owns it.
 *
 * <p>Updates are buffered until their encoded size reaches the target part size; the buffer is then
 * (optionally) consolidated and becomes one part, uploaded in the background. At most
 * {@code maxOutstandingParts} uploads are in flight: a part beyond that waits in {@link #add} for the oldest
 * upload to finish (a stall), which bounds the builder's memory ({@link #heldBytes()}) and turns slow blob storage
 * into backpressure. Parts keep the order in which they were cut.
 */
public final class BatchBuilder implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BatchBuilder.class);

    private final PartWriter writer;
    private final BatchBuilderConfig config;
    private final BuildVersion version;
    private final Frontier lower;
    private final Frontier since;
    /** The upper every part records: empty for a user batch, whose upper is known only at finish. */
    private final Frontier partUpper;
    private final PartIdSequence partIds;
    private final UpdateBuffer buffer = new UpdateBuffer();
    /** The part being built from {@link #addInOrder}: already in write order, so it is cut without a sort. */
    private ColumnarRecords.Builder inOrder = ColumnarRecords.builder();
    private final Deque<InFlight> writingParts = new ArrayDeque<>();
    /** The {@link InFlight#heldBytes} of {@link #writingParts}; read by metrics threads. */
    private volatile long inFlightBytes;
    private final List<BatchPart> finishedParts = new ArrayList<>();
    private final List<Integer> runSplits = new ArrayList<>();

    private long bufferedBytes;
    private long maxTime = -1;
    private long numUpdates;
    private int partsWritten;
    private boolean finished;

    // The greatest (key, value, time) of the current run, to tell whether the next consolidated part extends it.
    private byte[] runMaxKey;
    private byte[] runMaxValue;
    private long runMaxTime;

    /**
     * @param lower every update must be at a time at or beyond this
     * @param since the batch's since; {@link Frontier#MINIMUM} for user batches
     * @param partIds names the blob parts in the order they are cut; the builder advances it
     */
    public BatchBuilder(PartWriter writer, BuildVersion version, Frontier lower, Frontier since,
            PartIdSequence partIds) {
        this(writer, version, lower, Frontier.EMPTY, since, partIds);
    }

    /**
     * A builder whose every part records exactly {@code desc}, as the output of a compaction does: readers then
     * take the parts as they are, without cutting them to the interval; {@link #finish} takes {@code desc}'s upper.
     */
    public BatchBuilder(PartWriter writer, BuildVersion version, Description desc, PartIdSequence partIds) {
        this(writer, version, desc.lower(), desc.upper(), desc.since(), partIds);
    }

    private BatchBuilder(PartWriter writer, BuildVersion version, Frontier lower, Frontier partUpper, Frontier since,
            PartIdSequence partIds) {
        this.writer = Objects.requireNonNull(writer, "writer");
        this.config = writer.config();
        this.version = Objects.requireNonNull(version, "version");
        this.lower = Objects.requireNonNull(lower, "lower");
        this.partUpper = Objects.requireNonNull(partUpper, "partUpper");
        this.since = Objects.requireNonNull(since, "since");
        this.partIds = Objects.requireNonNull(partIds, "partIds");
    }

    /** A part cut and not yet awaited, and the bytes it holds until its upload ends: its updates and its file. */
    private record InFlight(CompletableFuture<BatchPart> part, long heldBytes) {}

    /** Parts whose upload has started but not been awaited. */
    int writingParts() {
        return writingParts.size();
    }

    /**
     * The bytes this builder holds on the heap between two {@link #add}s: its buffer's arrays and, for each part
     * cut and not yet awaited, its updates and its encoded file (about twice the part's record size, see
     * {@link ColumnarRecords#recordSize}). A part is cut once it reaches the target, so each holds less than
     * {@code target + r}, {@code r} the largest record's size; the buffer's arrays at most double the most keys,
     * values and updates one part had: in all at most {@code (2 × maxOutstandingParts + 2) × (target + r)} plus
     * 4 KiB while records keep their shape, and {@code (2 × maxOutstandingParts + 6) × (target + r)} if they
     * change it (parts of large keys, then of large values, then of tiny records). A cut holds one more part's
     * updates, and consolidation's sort 16 bytes per update, while it runs. Safe to read from any thread.
     */
    public long heldBytes() {
        return buffer.capacityBytes() + inOrder.capacityBytes() + inFlightBytes;
    }

    /** Parts whose upload is known to be done. */
    int finishedParts() {
        return finishedParts.size();
    }

    /**
     * Adds one update. A zero diff carries nothing and is dropped (its time is still checked).
     *
     * @throws InvalidUsageException.UpdateNotBeyondLower if {@code time} is below the lower
     */
    public Added add(byte[] key, byte[] value, long time, long diff) {
        checkOpen();
        checkTime(time);
        if (diff == 0) {
            return Added.RECORD;
        }
        if (inOrder.len() > 0) {
            throw new IllegalStateException("this part is being built from updates added in order");
        }
        buffer.push(key, value, time, diff);
        return buffered(ColumnarRecords.recordSize(key.length, value.length));
    }

    /**
     * Adds update {@code index} of {@code source} with {@code diff} (its summed diff, say), which must sort after
     * every update added before: what a merge of sorted runs yields. Its key and value are copied once, from where
     * they lie into the part being built, and the part is cut without a sort, so a merge's output costs one copy
     * less than through {@link #add}. For a consolidating builder, whose parts are sorted.
     *
     * @throws IllegalStateException if the update does not sort strictly after every update added before it, or
     *     the part was begun with {@link #add}
     * @throws InvalidUsageException.UpdateNotBeyondLower if its time is below the lower
     */
    public Added addInOrder(ColumnarRecords source, int index, long diff) {
        checkOpen();
        if (!config.consolidate()) {
            throw new IllegalStateException("updates in order make sorted parts, which only a consolidating builder "
                    + "writes");
        }
        long time = source.time(index);
        checkTime(time);
        if (diff == 0) {
            return Added.RECORD;
        }
        if (buffer.len() > 0) {
            throw new IllegalStateException("this part is being built from updates added out of order");
        }
        // Against the part being built, or the last part cut: what a sorted run's next update must follow.
        boolean after = inOrder.len() > 0 ? inOrder.compareToLast(source, index) > 0
                : runMaxKey == null || source.compareKeyValTime(index, runMaxKey, runMaxValue, runMaxTime) > 0;
        if (!after) {
            throw new IllegalStateException("an update added in order sorts at or before the one added before it");
        }
        if (!inOrder.push(source, index, diff)) {
            // The column limit: cut what is there and start the next part with this update.
            cutInOrder();
            inOrder.push(source, index, diff);
        }
        return buffered(ColumnarRecords.recordSize(source.keyLength(index), source.valueLength(index)));
    }

    private void checkTime(long time) {
        if (time < 0) {
            throw new IllegalArgumentException("time must be in [0, " + Long.MAX_VALUE + "], was " + time);
        }
        if (!lower.lessEqual(time)) {
            throw new InvalidUsageException.UpdateNotBeyondLower(time, lower);
        }
        maxTime = Math.max(maxTime, time);
    }

    /** Counts an update buffered; cuts a part once the target is reached. */
    private Added buffered(long recordBytes) {
        bufferedBytes += recordBytes;
        if (bufferedBytes >= config.blobTargetSizeBytes()) {
            flushBuffer();
            return Added.RECORD_AND_PARTS;
        }
        return Added.RECORD;
    }

    /**
     * Flushes what is buffered, waits for every upload and returns the batch {@code [lower, upper)}.
     *
     * @throws InvalidUsageException.InvalidBounds if {@code upper} is below the lower
     * @throws InvalidUsageException.UpdateBeyondUpper if an update's time is not below {@code upper}
     */
    public Batch finish(Frontier upper) {
        checkOpen();
        if (upper.lessThan(lower)) {
            throw new InvalidUsageException.InvalidBounds(lower, upper);
        }
        if (!partUpper.isEmpty() && !partUpper.equals(upper)) {
            throw new IllegalArgumentException("the parts of this batch record the upper " + partUpper
                    + ", so it cannot finish at " + upper);
        }
        // Only uncompacted batches promise t < upper; user batches always are.
        if (since.lessEqual(lower) && maxTime >= 0 && upper.lessEqual(maxTime)) {
            throw new InvalidUsageException.UpdateBeyondUpper(maxTime, upper);
        }
        finished = true;
        try {
            flushBuffer();
            while (!writingParts.isEmpty()) {
                finishedParts.add(awaitOldest());
            }
        } catch (RuntimeException e) {
            abandon();
            throw e;
        }
        // Consolidated parts are sorted, so each run is too; unconsolidated runs (single parts) are not.
        int runs = finishedParts.isEmpty() ? 0 : runSplits.size() + 1;
        ProtoRunOrder order = config.consolidate() ? ProtoRunOrder.CODEC : ProtoRunOrder.UNORDERED;
        HollowBatch batch = HollowBatch.of(new Description(lower, upper, since), finishedParts, numUpdates, runSplits,
                java.util.Collections.nCopies(runs, order));
        return new Batch(version, batch, writer);
    }

    private void flushBuffer() {
        if (inOrder.len() > 0) {
            cutInOrder();
            return;
        }
        long start = System.nanoTime();
        ColumnarRecords.Builder records = ColumnarRecords.builder()
                .reserve(buffer.len(), buffer.keyBytes(), buffer.valBytes());
        byte[] keys = buffer.keyData();
        byte[] vals = buffer.valData();
        buffer.order(config.consolidate(), (i, diff) -> records.push(
                keys, buffer.keyStart(i), buffer.keyEnd(i) - buffer.keyStart(i),
                vals, buffer.valStart(i), buffer.valEnd(i) - buffer.valStart(i),
                buffer.time(i), diff));
        if (config.consolidate()) {
            writer.metrics().recordConsolidation(System.nanoTime() - start);
        }
        buffer.clear();
        bufferedBytes = 0;
        ColumnarRecords part = records.build();
        if (part.len() > 0) {
            writePart(part);
        }
    }

    private void cutInOrder() {
        bufferedBytes = 0;
        ColumnarRecords part = inOrder.build();
        if (!finished) {
            // The next part's arrays, sized for what this one held: built parts keep their arrays while in flight.
            inOrder.reserve(part.len(), part.keyBytes(), part.valueBytes());
        }
        writePart(part);
    }

    private void writePart(ColumnarRecords part) {
        int len = part.len();
        if (config.consolidate()) {
            // A sorted part extends the current run unless it starts below the run's greatest update.
            if (runMaxKey != null && part.compareKeyValTime(0, runMaxKey, runMaxValue, runMaxTime) < 0) {
                runSplits.add(partsWritten);
            }
            runMaxKey = part.key(len - 1);
            runMaxValue = part.value(len - 1);
            runMaxTime = part.time(len - 1);
        } else if (partsWritten > 0) {
            // Unsorted parts are each a run of their own.
            runSplits.add(partsWritten);
        }

        // A user batch's parts have the empty upper: the batch's upper is not known until finish.
        Description desc = new Description(lower, partUpper, since);
        long index = partsWritten;
        // Wait for room first, so that no more than the limit is ever in flight.
        while (writingParts.size() >= config.maxOutstandingParts()) {
            if (!writingParts.peekFirst().part().isDone()) {
                writer.metrics().recordStall();
            }
            finishedParts.add(awaitOldest());
        }
        if (writer.shouldInline(part.goodbytes())) {
            // In line with the parts in flight, so that parts stay in the order they were cut.
            writingParts.addLast(new InFlight(CompletableFuture.completedFuture(writer.writeInline(desc, index, part)),
                    0));
        } else {
            byte[] keyLower = ByteBounds.truncateLower(
                    part.key(config.consolidate() ? 0 : part.minKeyIndex()), config.keyLowerMaxBytes());
            // The id is taken here, on the writer's thread, so that ids follow the order parts are cut in.
            long held = 2 * part.recordBytes();
            writingParts.addLast(new InFlight(writer.writeHollow(desc, index, part, keyLower, config.consolidate(),
                    null, partIds.next()), held));
            inFlightBytes += held;
        }
        partsWritten++;
        numUpdates += len;
    }

    /** Waits for the oldest part in flight and lets go of it; a failed one stays for {@link #abandon} to see. */
    private BatchPart awaitOldest() {
        InFlight oldest = writingParts.peekFirst();
        try {
            BatchPart done = oldest.part().join();
            writingParts.removeFirst();
            inFlightBytes -= oldest.heldBytes();
            return done;
        } catch (CompletionException e) {
            throw PartWriter.unwrap(e);
        }
    }

    private void checkOpen() {
        if (finished) {
            throw new IllegalStateException("this batch builder was already finished or closed");
        }
    }

    /**
     * Abandons an unfinished builder: waits for uploads in flight and deletes every part written so far, so
     * that nothing leaks. Does nothing after {@link #finish}.
     */
    @Override
    public void close() {
        if (!finished) {
            finished = true;
            abandon();
        }
    }

    private void abandon() {
        List<BatchPart> written = new ArrayList<>(finishedParts);
        for (InFlight part : writingParts) {
            try {
                written.add(part.part().join());
            } catch (CompletionException e) {
                LOG.debug("upload of an abandoned part failed", e);
            }
        }
        writingParts.clear();
        inFlightBytes = 0;
        finishedParts.clear();
        inOrder = ColumnarRecords.builder();
        try {
            writer.delete(written);
        } catch (RuntimeException e) {
            LOG.warn("could not delete {} parts of an abandoned batch of shard {}: {}",
                    written.size(), writer.shardId(), written.stream().map(BatchPart::printableName).toList(), e);
        }
        buffer.clear();
    }
}
