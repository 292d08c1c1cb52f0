package io.flinkpersist.persist.maintenance;

/**
 * What became of one merge.
 *
 * @param applied whether its output replaced its inputs in the shard
 * @param request the merge
 * @param outputParts parts of the output batch (0 if not applied)
 * @param outputUpdates updates of the output batch, after consolidation (0 if not applied)
 * @param passes merge passes it took: more than one when its runs did not fit the memory bound at once
 */
public record CompactionOutcome(boolean applied, CompactionRequest request, int outputParts, long outputUpdates,
        int passes) {}
