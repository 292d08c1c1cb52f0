package io.flinkpersist.persist.maintenance;

import io.flinkpersist.persist.batch.HollowBatch;
import io.flinkpersist.persist.state.ShardState;
import io.flinkpersist.persist.time.Description;
import java.util.List;
import java.util.Optional;

/**
 * Which batches of a shard to merge next, from its batch list alone, so that any process reaches the same
 * answer and nothing about pending merges has to be stored.
 *
 * <p>Like persist's spine, it keeps the batch count logarithmic in the shard's updates: every batch should hold
 * more updates than all newer batches together. The oldest batch that does not is merged with every batch after
 * it, so sizes at least double from one batch to the next older one and each update is rewritten a logarithmic
 * number of times. A merge waits until it is worth a compaction (persist's heuristics: enough inputs, parts or
 * updates), which bounds the small batches at the newest end; one that already is a single run of one batch needs
 * none.
 */
public final class CompactionPolicy {
    private CompactionPolicy() {}

    /** The merge to run next, or empty if the shard is compact enough. */
    public static Optional<CompactionRequest> next(ShardState state, CompactionSettings settings) {
        List<HollowBatch> batches = state.batches();
        int n = batches.size();
        long newer = 0;
        int oldestViolation = -1;
        for (int i = n - 1; i >= 0; i--) {
            long weight = weight(batches.get(i));
            if (i < n - 1 && weight <= newer) {
                oldestViolation = i;
            }
            newer += weight;
        }
        if (oldestViolation < 0) {
            return oneBatchWithManyRuns(state, settings);
        }
        List<HollowBatch> inputs = batches.subList(oldestViolation, n);
        CompactionRequest request = request(state, inputs);
        if (inputs.size() < settings.minInputs() && request.parts() < settings.minParts()
                && request.updates() < settings.minUpdates()) {
            return Optional.empty();
        }
        return Optional.of(request);
    }

    /**
     * A batch that already is large enough relative to its neighbours may still hold many runs (one per writer of
     * its append): a read merges each, so it is rewritten as one run once it has as many as a merge would wait for.
     */
    private static Optional<CompactionRequest> oneBatchWithManyRuns(ShardState state, CompactionSettings settings) {
        for (HollowBatch batch : state.batches()) {
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
