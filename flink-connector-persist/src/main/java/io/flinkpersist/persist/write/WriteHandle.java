package io.flinkpersist.persist.write;

import io.flinkpersist.persist.InvalidUsageException;
import io.flinkpersist.persist.batch.Batch;
import io.flinkpersist.persist.batch.BatchBuilder;
import io.flinkpersist.persist.batch.BatchPart;
import io.flinkpersist.persist.batch.HollowBatch;
import io.flinkpersist.persist.batch.PartWriter;
import io.flinkpersist.persist.batch.part.ColumnarRecords;
import io.flinkpersist.persist.batch.part.InlinePartCodec;
import io.flinkpersist.persist.ids.BuildVersion;
import io.flinkpersist.persist.ids.IdempotencyToken;
import io.flinkpersist.persist.ids.PartIdSequence;
import io.flinkpersist.persist.ids.PartialBatchKey;
import io.flinkpersist.persist.ids.ShardId;
import io.flinkpersist.persist.ids.WriterId;
import io.flinkpersist.persist.ids.WriterKey;
import io.flinkpersist.persist.read.PartFetcher;
import io.flinkpersist.persist.state.Applier;
import io.flinkpersist.persist.state.CommitMarkerState;
import io.flinkpersist.persist.state.ShardState;
import io.flinkpersist.persist.state.StateMetrics;
import io.flinkpersist.persist.state.Transition;
import io.flinkpersist.persist.state.WriterState;
import io.flinkpersist.persist.time.Description;
import io.flinkpersist.persist.time.Frontier;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SortedMap;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes to one shard: builds batches and appends them with {@link #compareAndAppend}, the linearizable
 * append that commits iff the shard's upper is the expected one. Thread-safe for appends; each
 * {@link BatchBuilder} is single-threaded.
 */
public final class WriteHandle implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WriteHandle.class);

    private final WriterId writerId;
    private final Applier applier;
    private final PartWriter partWriter;
    private final BuildVersion version;
    private final long leaseDurationMs;
    private final long inlineWritesTotalMaxBytes;

    /**
     * @param writerId who appends; a writer that must recognise its own appends across restarts (a sink's
     *     committer) keeps the same id, since idempotency tokens are remembered per writer
     */
    public WriteHandle(WriterId writerId, Applier applier, PartWriter partWriter, BuildVersion version,
            long leaseDurationMs, long inlineWritesTotalMaxBytes) {
        this.writerId = Objects.requireNonNull(writerId, "writerId");
        this.applier = Objects.requireNonNull(applier, "applier");
        this.partWriter = Objects.requireNonNull(partWriter, "partWriter");
        this.version = Objects.requireNonNull(version, "version");
        this.leaseDurationMs = leaseDurationMs;
        this.inlineWritesTotalMaxBytes = inlineWritesTotalMaxBytes;
    }

    public ShardId shardId() {
        return applier.shardId();
    }

    public WriterId writerId() {
        return writerId;
    }

    /** A builder of a batch whose updates are all at or beyond {@code lower}; parts get ids of a fresh session. */
    public BatchBuilder builder(Frontier lower) {
        return builder(lower, PartIdSequence.random());
    }

    /**
     * A builder whose blob parts take their ids from {@code partIds}, so that a writer which records the
     * sequence's session and position can later find them with {@link #deleteAbandonedParts}.
     */
    public BatchBuilder builder(Frontier lower, PartIdSequence partIds) {
        return new BatchBuilder(partWriter, version, lower, Frontier.MINIMUM, partIds);
    }

    /**
     * Deletes the blob parts a writer session may have uploaded at or past {@code from} that no batch of the
     * shard references: the ids {@code from, from + 1, …} of {@code session} under {@code writerKey}, until
     * {@code maxGap} consecutive ids are missing. A builder cuts parts in order and has at most its max
     * outstanding uploads in flight, so a gap longer than that is past the session's last part.
     *
     * <p>Only for a session that can write no more, and whose parts past {@code from} belong to no batch that
     * may still be appended (one in a restorable checkpoint, say): such a batch is not referenced yet.
     */
    public AbandonedParts deleteAbandonedParts(WriterKey writerKey, UUID session, long from, int maxGap) {
        if (maxGap < 1) {
            throw new IllegalArgumentException("maxGap must be at least 1, was " + maxGap);
        }
        Set<PartialBatchKey> referenced = new HashSet<>();
        for (HollowBatch batch : applier.fetch().batches()) {
            for (BatchPart part : batch.parts()) {
                if (!part.isInline() && !part.isRunRef()) {
                    referenced.add(part.key());
                }
            }
        }
        int deleted = 0;
        int kept = 0;
        long deletedBytes = 0;
        long end = from;
        for (long position = from, missing = 0; missing < maxGap; position++) {
            PartialBatchKey key = new PartialBatchKey(writerKey, PartIdSequence.at(session, position));
            if (referenced.contains(key)) {
                kept++;
            } else {
                OptionalLong size = partWriter.deleteIfPresent(key);
                if (size.isEmpty()) {
                    missing++;
                    continue;
                }
                deleted++;
                deletedBytes += size.getAsLong();
            }
            missing = 0;
            end = position + 1;
        }
        if (deleted > 0) {
            LOG.info("Deleted {} abandoned parts ({} bytes) of writer session {} of shard {}", deleted, deletedBytes,
                    session, shardId());
        }
        return new AbandonedParts(deleted, deletedBytes, kept, end);
    }

    /**
     * Rehydrates a batch of this shard from {@link Batch#toTransmittable()} bytes, checked completely first: see
     * {@link Batch#fromTransmittable}.
     *
     * @throws InvalidUsageException.InvalidTransmittableBatch naming the shard, the part and the defect
     */
    public Batch batchFromTransmittable(byte[] transmittable) {
        return Batch.fromTransmittable(transmittable, partWriter, version);
    }

    /** What this handle's state transitions cost and what the shard's state holds, as this handle last saw it. */
    public StateMetrics stateMetrics() {
        return applier.metrics();
    }

    /** The shard's upper as last seen by this handle (no I/O). */
    public Frontier upper() {
        return applier.cached().upper();
    }

    /** The shard's current upper, read from consensus. */
    public Frontier fetchRecentUpper() {
        return applier.fetch().upper();
    }

    /** See {@link #compareAndAppend(List, Frontier, Frontier, IdempotencyToken)}, with a fresh token. */
    public AppendResult compareAndAppend(List<Batch> batches, Frontier expectedUpper, Frontier newUpper) {
        return compareAndAppend(batches, expectedUpper, newUpper, IdempotencyToken.random());
    }

    /**
     * Appends {@code batches} as the interval {@code [expectedUpper, newUpper)} iff the shard's upper is
     * {@code expectedUpper}; the batches together become one batch of the shard. With no batches it just
     * advances the upper.
     *
     * <p>{@code token} names this logical append: if this writer's last committed append had the same token
     * and upper (a retry, or a replay after a restart that kept the writer), the answer is
     * {@link AppendResult.AlreadyCommitted} and nothing is appended twice; a call whose own write landed before
     * its compare-and-set reported an indeterminate failure finds it in consensus and answers
     * {@link AppendResult.Committed}. On success the batches are
     * consumed; on {@link AppendResult.UpperMismatch} the caller still owns them.
     *
     * @throws InvalidUsageException if a batch is from another shard or does not fit the interval
     */
    public AppendResult compareAndAppend(List<Batch> batches, Frontier expectedUpper, Frontier newUpper,
            IdempotencyToken token) {
        return compareAndAppend(batches, expectedUpper, newUpper, token, null);
    }

    /**
     * Like {@link #compareAndAppend(List, Frontier, Frontier, IdempotencyToken)}, and also records
     * {@code marker} with the data: if the shard already records the marker's committer at this checkpoint
     * or a later one, the answer is {@link AppendResult.AlreadyCommitted} and nothing is appended.
     *
     * @param marker the committer and checkpoint this append carries, or null
     */
    public AppendResult compareAndAppend(List<Batch> batches, Frontier expectedUpper, Frontier newUpper,
            IdempotencyToken token, CommitMarker marker) {
        if (newUpper.lessThan(expectedUpper)) {
            throw new InvalidUsageException.InvalidBounds(expectedUpper, newUpper);
        }
        for (Batch batch : batches) {
            if (!batch.shardId().equals(shardId())) {
                throw new InvalidUsageException.BatchNotFromThisShard(batch.shardId().toString(), shardId());
            }
        }
        verifyPartsInBlob(batches, token, marker);
        List<HollowBatch> appending = batches.stream().map(Batch::hollowBatch).toList();
        // The call's inline updates moved to one blob batch after inline backpressure, and what became of the rest.
        Batch inlineCombined = null;
        boolean flushedShardInline = false;
        while (true) {
            HollowBatch combined = combine(appending, expectedUpper, newUpper);
            if (!combined.parts().isEmpty() && expectedUpper.equals(newUpper)) {
                throw new InvalidUsageException.InvalidEmptyTimeInterval(expectedUpper, newUpper);
            }
            Outcome outcome = applier.apply("compare_and_append", (state, afterIndeterminate) ->
                    appendTransition(state, afterIndeterminate, combined, expectedUpper, newUpper, token, marker));
            if (outcome == Outcome.INLINE_BACKPRESSURE && !flushedShardInline) {
                // The shard's metadata holds its inline budget: move what it holds to blob, so that it stays under
                // the budget instead of at it, and try again.
                flushedShardInline = true;
                try {
                    if (InlineBatchFlush.flush(applier, partWriter, version) > 0) {
                        continue;
                    }
                } catch (RuntimeException e) {
                    LOG.warn("Could not move the inline updates of shard {} to blob; this append writes its own there: {}",
                            shardId(), e.toString());
                }
            }
            if (outcome == Outcome.INLINE_BACKPRESSURE && inlineCombined == null) {
                // Still too many: write this call's inline updates to blob, all of them in one batch rather than one
                // part per batch, and try again (persist's combine_inline_writes).
                inlineCombined = combineInline(batches, expectedUpper, newUpper);
                List<HollowBatch> withoutInline = new ArrayList<>();
                for (Batch batch : batches) {
                    withoutInline.add(batch.hollowBatch().withoutInlineParts(inlineUpdates(batch.hollowBatch())));
                }
                withoutInline.add(inlineCombined.hollowBatch());
                appending = withoutInline;
                LOG.info("Shard {} holds too many inline bytes: moved the inline updates of {} batches to {} blob parts",
                        shardId(), batches.size(), inlineCombined.hollowBatch().parts().size());
                continue;
            }
            ShardState state = applier.cached();
            if (outcome == Outcome.UPPER_MISMATCH) {
                // The decision may have come from a stale cached state: only a fresh one can refuse.
                ShardState fresh = applier.fetch();
                if (!fresh.seqNo().equals(state.seqNo())) {
                    continue;
                }
            }
            switch (outcome) {
                case COMMITTED:
                    batches.forEach(Batch::markConsumed);
                    if (inlineCombined != null) {
                        inlineCombined.markConsumed();
                    }
                    return new AppendResult.Committed(state.seqNo());
                case ALREADY_COMMITTED:
                    batches.forEach(Batch::markConsumed);
                    deleteUnlessReferenced(inlineCombined, state);
                    return new AppendResult.AlreadyCommitted(newUpper);
                default:
                    // The caller still owns its batches, unchanged, and may append them again.
                    deleteUnlessReferenced(inlineCombined, state);
                    return new AppendResult.UpperMismatch(expectedUpper, state.upper());
            }
        }
    }

    /**
     * Deletes a batch this call wrote for its append unless the shard references it: an attempt of this call that
     * failed indeterminately may have landed after all, and then the data is there.
     */
    private static void deleteUnlessReferenced(Batch written, ShardState state) {
        if (written == null) {
            return;
        }
        if (state.batches().contains(written.hollowBatch())) {
            written.markConsumed();
        } else {
            written.delete();
        }
    }

    /**
     * The updates of every inline part of {@code batches}, as readers will see them once appended as
     * {@code [lower, upper)} (rewritten times, cut to the interval), in one batch written to blob.
     */
    private Batch combineInline(List<Batch> batches, Frontier lower, Frontier upper) {
        Description registered = Description.of(lower, upper);
        PartFetcher fetcher = new PartFetcher(shardId(), partWriter.blob());
        BatchBuilder builder = builder(lower);
        for (Batch batch : batches) {
            for (BatchPart part : batch.hollowBatch().parts()) {
                if (part.isInline()) {
                    ColumnarRecords updates = fetcher.fetch(registered, part);
                    for (int i = 0; i < updates.len(); i++) {
                        builder.add(updates.key(i), updates.value(i), updates.time(i), updates.diff(i));
                    }
                }
            }
        }
        Batch combined = builder.finish(upper);
        combined.flushToBlob();
        return combined;
    }

    /** How many updates the inline parts of {@code batch} hold as written (before any cut). */
    private static long inlineUpdates(HollowBatch batch) {
        long updates = 0;
        for (BatchPart part : batch.parts()) {
            if (part.isInline()) {
                updates += InlinePartCodec.decode(part.printableName(), part.encodedInlinePart()).updates().len();
            }
        }
        return updates;
    }

    private enum Outcome { COMMITTED, ALREADY_COMMITTED, UPPER_MISMATCH, INLINE_BACKPRESSURE }

    /**
     * Finds the blob parts of batches from transmittables in blob before they are appended. A replay of an append
     * the shard already holds (its token, or its commit marker) is let through, whatever became of its parts since
     * (compaction may have replaced and deleted them): the append answers that it is already committed and appends
     * nothing.
     */
    private void verifyPartsInBlob(List<Batch> batches, IdempotencyToken token, CommitMarker marker) {
        try {
            batches.forEach(Batch::verifyPartsInBlob);
        } catch (InvalidUsageException.InvalidTransmittableBatch e) {
            ShardState state = applier.fetch();
            WriterState writer = state.writers().get(writerId);
            CommitMarkerState recorded = marker == null ? null : state.commitMarkers().get(marker.committer());
            boolean held = writer != null && writer.mostRecentWriteToken().equals(token)
                    || recorded != null && recorded.checkpointId() >= marker.checkpointId();
            if (!held) {
                throw e;
            }
            LOG.info("Shard {} already holds the append of token {}; its parts are no longer all in blob ({}), and "
                    + "nothing of it is appended again", shardId(), token, e.getMessage());
        }
    }

    private Transition<Outcome> appendTransition(ShardState state, boolean afterIndeterminate, HollowBatch batch,
            Frontier expectedUpper, Frontier newUpper, IdempotencyToken token, CommitMarker marker) {
        long now = applier.nowMs();
        if (marker != null) {
            CommitMarkerState recorded = state.commitMarkers().get(marker.committer());
            if (recorded != null && recorded.checkpointId() >= marker.checkpointId()) {
                return Transition.answer(Outcome.ALREADY_COMMITTED);
            }
            if (recorded == null && marker.preparedBeyondRetention(now)) {
                throw new ExpiredCommitMarkerException(shardId(), marker);
            }
        }
        WriterState writer = state.writers().get(writerId);
        if (writer == null) {
            // Writers register implicitly on their first append.
            writer = WriterState.registered(now, leaseDurationMs);
        }
        if (writer.mostRecentWriteToken().equals(token)) {
            if (!writer.mostRecentWriteUpper().equals(newUpper) || state.upper().lessThan(newUpper)) {
                throw new IllegalStateException("idempotency token " + token + " was committed with upper "
                        + writer.mostRecentWriteUpper() + " but is now used with " + newUpper);
            }
            return Transition.answer(Outcome.ALREADY_COMMITTED);
        }
        if (!state.upper().equals(expectedUpper)) {
            if (afterIndeterminate && !writer.mostRecentWriteUpper().lessThan(newUpper)) {
                // Our earlier attempt may have landed and been followed by other appends: the token is gone.
                throw new IllegalStateException("cannot tell whether an indeterminate compare_and_append of shard "
                        + shardId() + " to " + newUpper + " committed: the shard's upper is now " + state.upper());
            }
            return Transition.answer(Outcome.UPPER_MISMATCH);
        }
        long inline = batch.inlineBytes();
        if (inline > 0 && state.inlineBytes() + inline >= inlineWritesTotalMaxBytes) {
            return Transition.answer(Outcome.INLINE_BACKPRESSURE);
        }
        ShardState next = state.withAppended(batch).withWriter(writerId, writer.wrote(token, newUpper, now));
        if (marker != null) {
            next = next.withCommitMarker(marker.committer(), marker.checkpointId(), now, marker.retention().toMillis());
        }
        return Transition.write(next, Outcome.COMMITTED);
    }

    /**
     * Checks each batch against the interval and concatenates them into one batch ({@link HollowBatch#concat}); a
     * blob part may appear only once.
     */
    private HollowBatch combine(List<HollowBatch> batches, Frontier expectedUpper, Frontier newUpper) {
        Description desc = Description.of(expectedUpper, newUpper);
        boolean anyRewrite = batches.stream().anyMatch(HollowBatch::hasRewrite);
        for (HollowBatch hollow : batches) {
            HollowBatch.validateTruncateBatch(hollow, desc, anyRewrite);
        }
        HollowBatch combined = HollowBatch.concat(desc, batches);
        Set<PartialBatchKey> keys = new HashSet<>();
        for (BatchPart part : combined.parts()) {
            if (!part.isInline() && !part.isRunRef() && !keys.add(part.key())) {
                throw new InvalidUsageException.DuplicatePart(shardId(), part.printableName());
            }
        }
        return combined;
    }

    /**
     * Records {@code marker} in the shard without appending anything: the shard keeps the highest checkpoint
     * per committer, so recording a lower one only renews the marker's retention. Like the markers appends
     * carry, it survives lease expiry.
     */
    public void recordMarker(CommitMarker marker) {
        applier.apply("record_marker", (state, afterIndeterminate) -> Transition.write(state.withCommitMarker(
                marker.committer(), marker.checkpointId(), applier.nowMs(), marker.retention().toMillis()), null));
    }

    /** The shard's commit markers as last seen by this handle (no I/O): how many runs it still remembers. */
    public SortedMap<String, CommitMarkerState> markers() {
        return applier.cached().commitMarkers();
    }

    /** The highest checkpoint the shard records for {@code committer} (read from consensus), if any. */
    public OptionalLong fetchMarker(String committer) {
        CommitMarkerState recorded = applier.fetch().commitMarkers().get(committer);
        return recorded == null ? OptionalLong.empty() : OptionalLong.of(recorded.checkpointId());
    }

    /** Removes this writer from the shard's state; its idempotency history goes with it. */
    public void expire() {
        applier.apply("expire_writer", (state, afterIndeterminate) -> state.writers().containsKey(writerId)
                ? Transition.write(state.withoutWriter(writerId), null)
                : Transition.answer(null));
    }

    /** Refreshes this writer's lease if it is registered. */
    public void heartbeat() {
        applier.apply("heartbeat_writer", (state, afterIndeterminate) -> {
            WriterState writer = state.writers().get(writerId);
            return writer == null ? Transition.answer(null)
                    : Transition.write(state.withWriter(writerId, writer.heartbeat(applier.nowMs())), null);
        });
    }

    /** Expires the writer. */
    @Override
    public void close() {
        expire();
    }

    @Override
    public String toString() {
        return "WriteHandle{" + shardId() + ", " + writerId + "}";
    }
}
