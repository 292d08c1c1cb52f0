package io.flinkpersist.persist.maintenance;

import io.flinkpersist.persist.batch.HollowBatch;
import io.flinkpersist.persist.state.ShardState;
import io.flinkpersist.persist.time.Description;
import io.flinkpersist.persist.time.Frontier;
import java.util.List;
import java.util.Optional;

/**
 * Which batches of a shard to merge next, from its batch list alone, so that any process reaches the same
 * answer and nothing about pending merges has to be stored.
 *
 * <p>Like persist's spine, it keeps the batch count logarithmic in the shard's updates: every batch should hold
 * more than twice the updates of all newer batches together. The oldest batch that does not is merged with every
 * batch after it, so sizes at least triple from one batch to the next older one and each update is rewritten a
 * logarithmic number of times. Persist's spine merges at equal sizes (twice as many batches); the stricter ratio
 * bounds what a shard keeps beyond its consolidated data: updates that the since has passed are consolidated
 * only when their batch is merged again, and the newer batches may hold at most half the oldest one's updates
 * (measured: blob bytes about 2 times the referenced live data and history with equal sizes, see
 * docs/operations.md). A merge waits until it is worth a compaction (persist's heuristics: enough inputs, parts or
 * updates), which bounds the small batches at the newest end; one that already is a single run of one batch needs
 * none.
 */
public final class CompactionPolicy {
    private CompactionPolicy() {}

    /** The merge to run next, or empty if the shard is compact enough. */
    public static Optional<CompactionRequest> next(ShardState state, CompactionSettings settings) {
        return next(state, settings, Frontier.MINIMUM);
    }

    /**
     * The merge to run next among the batches from {@code from} on (those whose lower is not before it), or empty if
     * they are compact enough: the batches before {@code from} are the inputs of a merge in progress, which a merge of
     * the newer ones does not touch, so both apply.
     */
    public static Optional<CompactionRequest> next(ShardState state, CompactionSettings settings, Frontier from) {
        List<HollowBatch> all = state.batches();
        int first = 0;
        while (first < all.size() && all.get(first).desc().lower().lessThan(from)) {
            first++;
        }
        List<HollowBatch> batches = all.subList(first, all.size());
        int n = batches.size();
        long newer = 0;
        int oldestViolation = -1;
        for (int i = n - 1; i >= 0; i--) {
            long weight = weight(batches.get(i));
            if (i < n - 1 && weight <= 2 * newer) {
                oldestViolation = i;
            }
            newer += weight;
        }
        if (oldestViolation >= 0) {
            List<HollowBatch> inputs = batches.subList(oldestViolation, n);
            CompactionRequest request = request(state, inputs);
            if (inputs.size() >= settings.minInputs() || request.parts() >= settings.minParts()
                    || request.updates() >= settings.minUpdates()) {
                return Optional.of(request);
            }
        }
        Optional<CompactionRequest> consolidation = historyPassedBySince(state, batches, settings);
        return consolidation.isPresent() ? consolidation : oneBatchWithManyRuns(state, batches, settings);
    }

    /**
     * Batches that reach behind the since and were last merged at a since at least half the history retention ago:
     * they hold history the since has passed since then, which only a merge consolidates (the size rule alone would
     * leave the oldest, largest batch, with up to a retention's worth of such history, until newer batches grew to
     * half its size). Such a batch is merged with the batches after it that also reach behind the since; each is
     * merged this way at most once per half retention, as the merge records the since it consolidated to.
     */
    private static Optional<CompactionRequest> historyPassedBySince(ShardState state, List<HollowBatch> batches,
            CompactionSettings settings) {
        if (state.since().isEmpty()) {
            return Optional.empty();
        }
        long since = state.since().element().getAsLong();
        long stale = Math.max(1, settings.historyRetentionMs() / 2);
        int behind = 0;
        while (behind < batches.size() && batches.get(behind).desc().lower().lessThan(since)) {
            behind++;
        }
        for (int i = 0; i < behind; i++) {
            HollowBatch batch = batches.get(i);
            long mergedAt = batch.desc().since().element().orElse(Long.MAX_VALUE);
            // Only history that was beyond the since at the last merge, and is behind it now, can consolidate.
            boolean heldHistory = batch.desc().since().lessThan(batch.desc().upper());
            if (batch.len() > 0 && heldHistory && since - mergedAt >= stale) {
                return Optional.of(request(state, batches.subList(i, behind)));
            }
        }
        return Optional.empty();
    }

    /**
     * A batch that already is large enough relative to its neighbours may still hold many runs (one per writer of
     * its append): a read merges each, so it is rewritten as one run once it has as many as a merge would wait for.
     */
    private static Optional<CompactionRequest> oneBatchWithManyRuns(ShardState state, List<HollowBatch> batches,
            CompactionSettings settings) {
        for (HollowBatch batch : batches) {
            if (batch.runCount() >= Math.max(2, settings.minParts())) {
                return Optional.of(request(state, List.of(batch)));
            }
        }
        return Optional.empty();
    }

    private static CompactionRequest request(ShardState state, List<HollowBatch> inputs) {
        Description desc = new Description(inputs.get(0).desc().lower(), inputs.get(inputs.size() - 1).desc().upper(),
                state.since());
        return new CompactionRequest(inputs, desc);
    }

    /** Updates, at least one: empty batches still cost a read, and must merge away too. */
    private static long weight(HollowBatch batch) {
        return Math.max(1, batch.len());
    }
}
