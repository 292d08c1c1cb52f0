package io.flinkpersist.persist.maintenance;

import io.flinkpersist.persist.batch.BatchPart;
import io.flinkpersist.persist.batch.HollowBatch;
import io.flinkpersist.persist.ids.SeqNo;
import io.flinkpersist.persist.ids.ShardId;
import io.flinkpersist.persist.state.Applier;
import io.flinkpersist.persist.state.ShardState;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The blob parts of the inputs this maintainer's merges replaced, deleted as soon as no reader can read them: a
 * part that version {@code v} stopped referencing is read only by a reader holding a version below {@code v}, so it
 * goes once every reader's seqno hold is at or past {@code v} (at once when no reader is registered).
 *
 * <p>Without this, garbage collection deletes them only after the next rollup of the state passes every reader's
 * hold: until then blob holds both a merge's inputs and its output, up to several times what the state references
 * after a merge of most of the shard. Garbage collection stays the safety net: what is left here when this
 * maintainer stops, fails to delete, or gives up waiting for a reader, it collects as before (deleting a missing
 * part is a no-op there).
 */
final class ReleasedParts {
    private static final Logger LOG = LoggerFactory.getLogger(ReleasedParts.class);
    /** Merges whose inputs wait for a reader; older ones are left to garbage collection past this many. */
    static final int MAX_PENDING = 1_000;

    private record Release(SeqNo at, Set<String> keys) {}

    private final Applier applier;
    private final ArrayDeque<Release> pending = new ArrayDeque<>();

    ReleasedParts(Applier applier) {
        this.applier = applier;
    }

    /**
     * Records that version {@code at} (or an earlier one) replaced {@code inputs}, then deletes what {@code latest}
     * (a state at or after {@code at}) says no reader can read any more.
     */
    void replaced(SeqNo at, List<HollowBatch> inputs, ShardState latest) {
        Set<String> keys = new HashSet<>();
        ShardId shard = applier.shardId();
        for (HollowBatch batch : inputs) {
            for (BatchPart part : batch.parts()) {
                if (!part.isInline() && !part.isRunRef()) {
                    keys.add(part.blobKey(shard));
                }
            }
        }
        // Part keys are never reused; a key the latest state still names would be a bug elsewhere, never a deletion.
        for (HollowBatch batch : latest.batches()) {
            for (BatchPart part : batch.parts()) {
                if (!part.isInline() && !part.isRunRef()) {
                    keys.remove(part.blobKey(shard));
                }
            }
        }
        if (!keys.isEmpty()) {
            pending.addLast(new Release(at, keys));
            if (pending.size() > MAX_PENDING) {
                Release dropped = pending.removeFirst();
                LOG.debug("Left the {} parts replaced at {} of shard {} to garbage collection: readers hold older "
                        + "versions", dropped.keys().size(), dropped.at(), shard);
            }
        }
        deleteReleasable(latest);
    }

    /** Deletes the parts of every recorded merge that {@code latest}'s readers all hold past. */
    void deleteReleasable(ShardState latest) {
        SeqNo since = latest.seqNoSince();
        Set<String> keys = new HashSet<>();
        int merges = 0;
        for (Release release : pending) {
            if (release.at().compareTo(since) > 0) {
                break;
            }
            keys.addAll(release.keys());
            merges++;
        }
        if (keys.isEmpty()) {
            return;
        }
        try {
            applier.deleteParts(keys);
        } catch (RuntimeException e) {
            // Deletes are idempotent: they are tried again after the next merge, and garbage collection has them too.
            LOG.debug("Could not delete the {} parts replaced by merges on shard {} yet: {}", keys.size(),
                    applier.shardId(), e.toString());
            return;
        }
        for (int i = 0; i < merges; i++) {
            pending.removeFirst();
        }
        LOG.debug("Deleted {} parts of shard {} that merges replaced", keys.size(), applier.shardId());
    }
}
