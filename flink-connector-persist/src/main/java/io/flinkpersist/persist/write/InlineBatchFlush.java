package io.flinkpersist.persist.write;

import io.flinkpersist.persist.batch.Batch;
import io.flinkpersist.persist.batch.BatchBuilder;
import io.flinkpersist.persist.batch.BatchPart;
import io.flinkpersist.persist.batch.HollowBatch;
import io.flinkpersist.persist.batch.PartWriter;
import io.flinkpersist.persist.batch.part.ColumnarRecords;
import io.flinkpersist.persist.ids.BuildVersion;
import io.flinkpersist.persist.ids.PartIdSequence;
import io.flinkpersist.persist.read.PartFetcher;
import io.flinkpersist.persist.state.Applier;
import io.flinkpersist.persist.state.ShardState;
import io.flinkpersist.persist.state.Transition;
import io.flinkpersist.persist.time.Frontier;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves a shard's inline updates to blob once its metadata holds its inline budget: every run of adjacent
 * batches that hold only inline parts is replaced by one batch over the same interval whose updates (the same,
 * as readers saw them) are in blob. Without it the inline bytes would sit at the budget until compaction, and
 * every later append would have to write even its smallest batch to blob.
 *
 * <p>The replacement is one compare-and-set that applies to the runs still in the shard as they were read;
 * the blob parts of a run that changed meanwhile are deleted.
 */
final class InlineBatchFlush {
    private static final Logger LOG = LoggerFactory.getLogger(InlineBatchFlush.class);

    private InlineBatchFlush() {}

    /** A run of adjacent inline-only batches and the batch that replaces it. */
    private record Replacement(List<HollowBatch> inputs, Batch output) {}

    /** Returns the inline bytes the shard's metadata no longer holds. */
    static long flush(Applier applier, PartWriter partWriter, BuildVersion version) {
        ShardState state = applier.fetch();
        PartFetcher fetcher = new PartFetcher(applier.shardId(), partWriter.blob());
        List<Replacement> replacements = new ArrayList<>();
        try {
            for (List<HollowBatch> run : inlineRuns(state.batches())) {
                replacements.add(new Replacement(run, merge(run, fetcher, partWriter, version)));
            }
        } catch (RuntimeException e) {
            // Nothing was written into the shard: nothing references the new parts.
            replacements.forEach(r -> r.output().delete());
            throw e;
        }
        if (replacements.isEmpty()) {
            return 0;
        }
        // From here a failure may have landed: the new parts are left for the orphan sweep rather than guessed at.
        List<Replacement> applied = applier.apply("flush_inline_batches", (current, afterIndeterminate) -> {
            ShardState next = current;
            List<Replacement> fits = new ArrayList<>();
            boolean changed = false;
            for (Replacement replacement : replacements) {
                if (current.batches().contains(replacement.output().hollowBatch())) {
                    // An earlier attempt of this flush landed although its compare-and-set reported a failure.
                    fits.add(replacement);
                    continue;
                }
                Optional<ShardState> replaced = next.withReplaced(replacement.inputs(),
                        replacement.output().hollowBatch());
                if (replaced.isPresent()) {
                    next = replaced.get();
                    fits.add(replacement);
                    changed = true;
                }
            }
            return changed ? Transition.write(next, fits) : Transition.answer(fits);
        });
        long moved = 0;
        for (Replacement replacement : replacements) {
            // Its parts are referenced now (this flush's write, or an earlier attempt that landed) or never.
            if (applied.contains(replacement)) {
                replacement.output().markConsumed();
                moved += replacement.inputs().stream().mapToLong(HollowBatch::inlineBytes).sum();
            } else {
                replacement.output().delete();
            }
        }
        LOG.info("Shard {} held {} inline bytes: moved {} of them from {} batches to {} blob batches", applier.shardId(),
                state.inlineBytes(), moved, applied.stream().mapToInt(r -> r.inputs().size()).sum(), applied.size());
        return moved;
    }

    /** Maximal runs of adjacent batches without blob parts that hold inline updates. */
    private static List<List<HollowBatch>> inlineRuns(List<HollowBatch> batches) {
        List<List<HollowBatch>> runs = new ArrayList<>();
        List<HollowBatch> run = new ArrayList<>();
        for (HollowBatch batch : batches) {
            if (batch.parts().stream().allMatch(BatchPart::isInline)) {
                run.add(batch);
                continue;
            }
            addIfInline(runs, run);
            run = new ArrayList<>();
        }
        addIfInline(runs, run);
        return runs;
    }

    private static void addIfInline(List<List<HollowBatch>> runs, List<HollowBatch> run) {
        if (run.stream().anyMatch(b -> b.inlineBytes() > 0)) {
            runs.add(run);
        }
    }

    /** One batch over the run's interval with the run's updates, as readers see them, written to blob. */
    private static Batch merge(List<HollowBatch> run, PartFetcher fetcher, PartWriter partWriter, BuildVersion version) {
        Frontier lower = run.get(0).desc().lower();
        BatchBuilder builder = new BatchBuilder(partWriter, version, lower, Frontier.MINIMUM, PartIdSequence.random());
        for (HollowBatch batch : run) {
            for (BatchPart part : batch.parts()) {
                ColumnarRecords updates = fetcher.fetch(batch.desc(), part);
                for (int i = 0; i < updates.len(); i++) {
                    builder.add(updates.key(i), updates.value(i), updates.time(i), updates.diff(i));
                }
            }
        }
        Batch merged = builder.finish(run.get(run.size() - 1).desc().upper());
        merged.flushToBlob();
        return merged;
    }
}
