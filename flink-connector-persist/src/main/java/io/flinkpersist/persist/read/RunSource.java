package io.flinkpersist.persist.read;

import io.flinkpersist.persist.batch.BatchPart;
import io.flinkpersist.persist.batch.HollowBatch;
import io.flinkpersist.persist.batch.part.ColumnarRecords;
import io.flinkpersist.persist.time.Description;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * Turns a batch into the sorted runs a {@link Consolidator} merges, fetching each part only when its run's
 * iterator reaches it.
 */
public final class RunSource {
    private final PartFetcher fetcher;

    public RunSource(PartFetcher fetcher) {
        this.fetcher = Objects.requireNonNull(fetcher, "fetcher");
    }

    /**
     * The batch's runs, each a lazy sequence of parts: fetched through {@link PartFetcher} (so cut to
     * {@code registered} and with {@code ts_rewrite} applied), then given to {@code partTransform}.
     *
     * @param registered the batch's description as registered in shard state
     * @param partsSorted whether every part is sorted (see {@link HollowBatch#partsKnownSorted}); when false, each
     *     part is sorted and consolidated after the transform and becomes a run of its own, whatever the run splits
     *     say
     * @param partTransform applied to each fetched part, such as {@link PartTimes#mapTimes}; when
     *     {@code partsSorted}, it must keep a sorted part sorted
     */
    public List<Iterator<ColumnarRecords>> runs(HollowBatch batch, Description registered, boolean partsSorted,
            UnaryOperator<ColumnarRecords> partTransform) {
        return runs(batch, registered, partsSorted, partTransform, KeyRange.ALL);
    }

    /**
     * Like {@link #runs(HollowBatch, Description, boolean, UnaryOperator)}, with only the updates whose key is in
     * {@code keys}: parts that cannot hold such a key (by their key lowers) are not fetched.
     */
    public List<Iterator<ColumnarRecords>> runs(HollowBatch batch, Description registered, boolean partsSorted,
            UnaryOperator<ColumnarRecords> partTransform, KeyRange keys) {
        List<BatchPart> parts = batch.parts();
        List<Iterator<ColumnarRecords>> runs = new ArrayList<>();
        UnaryOperator<ColumnarRecords> transform = keys.isAll() ? partTransform
                : records -> partTransform.apply(keys.restrict(records));
        if (!partsSorted) {
            for (BatchPart part : parts) {
                if (keys.mayHoldKeys(part, null)) {
                    runs.add(lazyParts(List.of(part), registered,
                            records -> PartSorter.sortAndConsolidate(transform.apply(records))));
                }
            }
            return runs;
        }
        int start = 0;
        List<Long> ends = new ArrayList<>(batch.runSplits());
        ends.add((long) parts.size());
        for (long end : ends) {
            List<BatchPart> run = inRange(parts.subList(start, (int) end), keys);
            if (!run.isEmpty()) {
                runs.add(lazyParts(run, registered, transform));
            }
            start = (int) end;
        }
        return runs;
    }

    /** The parts of a sorted run that may hold keys of {@code keys}. */
    private static List<BatchPart> inRange(List<BatchPart> run, KeyRange keys) {
        if (keys.isAll()) {
            return run;
        }
        List<BatchPart> kept = new ArrayList<>();
        for (int i = 0; i < run.size(); i++) {
            if (keys.mayHoldKeys(run.get(i), i + 1 < run.size() ? run.get(i + 1) : null)) {
                kept.add(run.get(i));
            }
        }
        return kept;
    }

    private Iterator<ColumnarRecords> lazyParts(List<BatchPart> parts, Description registered,
            UnaryOperator<ColumnarRecords> transform) {
        Iterator<BatchPart> remaining = parts.iterator();
        return new RunParts() {
            private String lastPartName;

            @Override
            public boolean hasNext() {
                return remaining.hasNext();
            }

            @Override
            public ColumnarRecords next() {
                BatchPart part = remaining.next();
                lastPartName = part.isInline() ? part.printableName() : part.blobKey(fetcher.shardId());
                return transform.apply(fetcher.fetch(registered, part));
            }

            @Override
            public String lastPartName() {
                return lastPartName;
            }
        };
    }
}
