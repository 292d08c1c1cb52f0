package io.flinkpersist.persist.maintenance;

import io.flinkpersist.persist.batch.Batch;
import io.flinkpersist.persist.batch.BatchBuilder;
import io.flinkpersist.persist.batch.BatchPart;
import io.flinkpersist.persist.batch.HollowBatch;
import io.flinkpersist.persist.batch.PartWriter;
import io.flinkpersist.persist.batch.part.ColumnarRecords;
import io.flinkpersist.persist.batch.part.PartDecodeException;
import io.flinkpersist.persist.ids.BuildVersion;
import io.flinkpersist.persist.ids.PartIdSequence;
import io.flinkpersist.persist.ids.SeqNo;
import io.flinkpersist.persist.read.Consolidator;
import io.flinkpersist.persist.read.PartFetcher;
import io.flinkpersist.persist.read.PartTimes;
import io.flinkpersist.persist.read.RunSource;
import io.flinkpersist.persist.state.Applier;
import io.flinkpersist.persist.state.ShardState;
import io.flinkpersist.persist.state.Transition;
import io.flinkpersist.persist.time.Description;
import io.flinkpersist.persist.time.Frontier;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one {@link CompactionRequest}: streams the inputs' runs through a k-way merge with every time advanced to
 * the request's since, writes the consolidated updates as one sorted run of blob parts whose description is the
 * request's, and replaces the inputs with it in one compare-and-set that applies only while they are still the
 * shard's batches, one after the other. An output that does not apply is deleted.
 *
 * <p>Memory is bounded by holding one part per run: runs whose parts together exceed the bound are merged in
 * several passes, the smallest first, each pass writing an intermediate run that the next one reads.
 */
final class Compactor {
    private static final Logger LOG = LoggerFactory.getLogger(Compactor.class);

    private final Applier applier;
    private final PartWriter writer;
    private final RunSource runSource;
    private final BuildVersion version;
    private final CompactionSettings settings;
    private final MaintenanceMetrics metrics;
    private final ReleasedParts released;

    Compactor(Applier applier, PartWriter partWriter, BuildVersion version, CompactionSettings settings,
            MaintenanceMetrics metrics) {
        this.applier = applier;
        // Persist's compaction output: consolidated, one sorted run, never inline.
        this.writer = partWriter.withConfig(partWriter.config().toBuilder().consolidate(true)
                .inlineWritesSingleMaxBytes(0).build());
        this.runSource = new RunSource(new PartFetcher(applier.shardId(), partWriter.blob()));
        this.version = version;
        this.settings = settings;
        this.metrics = metrics;
        this.released = new ReleasedParts(applier);
    }

    /** One sorted run to merge, and what holding its largest part costs. */
    private record Run(Iterator<ColumnarRecords> parts, long memoryBytes) {}

    /** Thrown inside a merge asked to stop: caught in {@link #compact}, which cleans up after it. */
    private static final class Stopped extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Stopped() {
            super(null, null, false, false);
        }
    }

    /** How many updates a merge writes between two looks at whether it was asked to stop. */
    private static final int STOP_CHECK_INTERVAL = 64;

    /**
     * @param stop asked while merging: once true, the merge deletes what it wrote and the request is discarded (its
     *     inputs stay as they are), so that a committer closing need not wait for a long merge
     */
    CompactionOutcome compact(CompactionRequest request, BooleanSupplier stop) {
        long start = System.nanoTime();
        metrics.requested();
        List<Batch> intermediates = new ArrayList<>();
        Batch output;
        int passes;
        try {
            List<Run> runs = runsOf(request);
            passes = 1;
            long available = memoryForRuns();
            while (runs.size() > 2 && totalMemory(runs) > available) {
                runs = mergeSmallest(request.desc(), runs, available, intermediates, stop);
                passes++;
            }
            output = write(request.desc(), runs, stop);
        } catch (Stopped e) {
            deleteAll(intermediates);
            LOG.info("Stopped merging {} of shard {}: asked to stop; nothing of it remains", request, applier.shardId());
            metrics.discarded();
            return new CompactionOutcome(false, request, 0, 0, 0);
        } catch (PartDecodeException e) {
            deleteAll(intermediates);
            // A part can be gone only because another compaction replaced these inputs and its garbage was collected.
            if (!stillBatches(applier.fetch(), request.inputs())) {
                LOG.debug("Inputs of {} on shard {} were replaced while merging them: {}", request, applier.shardId(),
                        e.getMessage());
                metrics.discarded();
                return new CompactionOutcome(false, request, 0, 0, 0);
            }
            metrics.failed();
            throw e;
        } catch (RuntimeException e) {
            deleteAll(intermediates);
            metrics.failed();
            throw e;
        }
        deleteAll(intermediates);
        return apply(request, output, passes, start);
    }

    private CompactionOutcome apply(CompactionRequest request, Batch output, int passes, long start) {
        HollowBatch merged = output.hollowBatch();
        Landing landing;
        try {
            landing = applier.apply("merge_res", (state, afterIndeterminate) -> {
                if (state.batches().contains(merged)) {
                    // An earlier attempt of this call landed, at this version or before, although its compare-and-set
                    // reported a failure.
                    return Transition.answer(new Landing(Applied.YES, state.seqNo()));
                }
                Optional<ShardState> replaced = state.withReplaced(request.inputs(), merged);
                if (replaced.isEmpty()) {
                    return Transition.answer(new Landing(afterIndeterminate ? Applied.UNKNOWN : Applied.NO, null));
                }
                return Transition.write(replaced.get(), new Landing(Applied.YES, state.seqNo().next()));
            });
        } catch (RuntimeException e) {
            // It may have landed: the output is left to the orphan sweep rather than guessed at.
            output.markConsumed();
            metrics.failed();
            throw e;
        }
        switch (landing.applied()) {
            case YES -> {
                output.markConsumed();
                released.replaced(landing.at(), request.inputs(), applier.cached());
                long written = merged.parts().stream().mapToLong(BatchPart::encodedSizeBytes).sum();
                metrics.applied(request.inputs().size(), request.bytes(), written, passes, System.nanoTime() - start);
                LOG.info("Compacted {} batches ({} runs, {} updates, {} bytes) of shard {} into {} parts of {} updates "
                                + "({} bytes) over {} in {} ms", request.inputs().size(), request.runs(),
                        request.updates(), request.bytes(), applier.shardId(), merged.parts().size(), merged.len(),
                        written, request.desc(), (System.nanoTime() - start) / 1_000_000);
                return new CompactionOutcome(true, request, merged.parts().size(), merged.len(), passes);
            }
            case NO -> {
                output.delete();
                metrics.discarded();
                LOG.debug("Discarded the merge of {} on shard {}: its inputs changed meanwhile", request,
                        applier.shardId());
                return new CompactionOutcome(false, request, 0, 0, passes);
            }
            default -> {
                output.markConsumed();
                metrics.discarded();
                LOG.warn("Cannot tell whether the merge of {} on shard {} landed before its inputs changed; its output "
                        + "is left to the orphan sweep", request, applier.shardId());
                return new CompactionOutcome(false, request, 0, 0, passes);
            }
        }
    }

    private enum Applied { YES, NO, UNKNOWN }

    /** Whether a merge applied, and if it did, a version at or after the one that replaced its inputs. */
    private record Landing(Applied applied, SeqNo at) {}

    /** Deletes the inputs of earlier merges that the readers of {@code latest} have all moved past. */
    void deleteReleasedParts(ShardState latest) {
        released.deleteReleasable(latest);
    }

    private static boolean stillBatches(ShardState state, List<HollowBatch> inputs) {
        int first = state.batches().indexOf(inputs.get(0));
        return first >= 0 && first + inputs.size() <= state.batches().size()
                && state.batches().subList(first, first + inputs.size()).equals(inputs);
    }

    /** Bytes the input runs may hold: the bound less the output's buffer and its parts being uploaded. */
    private long memoryForRuns() {
        long outputBuffers = (writer.config().maxOutstandingParts() + 1L) * writer.config().blobTargetSizeBytes();
        return Math.max(settings.memoryBoundBytes() - outputBuffers, 0);
    }

    /** Every run of every input, with its times advanced to the request's since. */
    private List<Run> runsOf(CompactionRequest request) {
        Frontier since = request.desc().since();
        UnaryOperator<ColumnarRecords> advance = records -> PartTimes.mapTimes(records, t -> true, since::advance);
        List<Run> runs = new ArrayList<>();
        for (HollowBatch batch : request.inputs()) {
            boolean sorted = batch.partsKnownSorted();
            List<Iterator<ColumnarRecords>> iterators = runSource.runs(batch, batch.desc(), sorted, advance);
            List<Long> memory = runMemory(batch, sorted);
            for (int i = 0; i < iterators.size(); i++) {
                runs.add(new Run(iterators.get(i), memory.get(i)));
            }
        }
        return runs;
    }

    /** Per run of {@code batch} as {@link RunSource#runs} cuts it, the size of its largest part. */
    private static List<Long> runMemory(HollowBatch batch, boolean sorted) {
        List<BatchPart> parts = batch.parts();
        List<Long> memory = new ArrayList<>();
        if (!sorted) {
            parts.forEach(p -> memory.add(partBytes(p)));
            return memory;
        }
        int start = 0;
        List<Long> ends = new ArrayList<>(batch.runSplits());
        ends.add((long) parts.size());
        for (long end : ends) {
            memory.add(parts.subList(start, (int) end).stream().mapToLong(Compactor::partBytes).max().orElse(0));
            start = (int) end;
        }
        return memory;
    }

    private static long partBytes(BatchPart part) {
        return part.isInline() ? part.inlineBytes() : part.encodedSizeBytes();
    }

    private static long totalMemory(List<Run> runs) {
        return runs.stream().mapToLong(Run::memoryBytes).sum();
    }

    /**
     * Merges the smallest runs that fit the bound together (at least two, so every pass makes progress) into one
     * intermediate run, and returns it with the runs left.
     */
    private List<Run> mergeSmallest(Description desc, List<Run> runs, long available, List<Batch> intermediates,
            BooleanSupplier stop) {
        List<Run> bySize = new ArrayList<>(runs);
        bySize.sort(Comparator.comparingLong(Run::memoryBytes));
        int take = 0;
        long held = 0;
        while (take < bySize.size() && (take < 2 || held + bySize.get(take).memoryBytes() <= available)) {
            held += bySize.get(take).memoryBytes();
            take++;
        }
        Batch intermediate = write(desc, bySize.subList(0, take), stop);
        intermediates.add(intermediate);
        List<Run> left = new ArrayList<>(bySize.subList(take, bySize.size()));
        HollowBatch hollow = intermediate.hollowBatch();
        if (!hollow.parts().isEmpty()) {
            long memory = hollow.parts().stream().mapToLong(Compactor::partBytes).max().orElse(0);
            // Its times are advanced already; advancing them again changes nothing.
            for (Iterator<ColumnarRecords> run : runSource.runs(hollow, desc, true, UnaryOperator.identity())) {
                left.add(new Run(run, memory));
            }
        }
        return left;
    }

    /** The consolidated merge of {@code runs}, written as one sorted run of parts that record {@code desc}. */
    private Batch write(Description desc, List<Run> runs, BooleanSupplier stop) {
        BatchBuilder builder = new BatchBuilder(writer, version, desc, PartIdSequence.random());
        try (Consolidator merge = new Consolidator(runs.stream().map(Run::parts).toList())) {
            for (long written = 0; merge.next(); written++) {
                if (written % STOP_CHECK_INTERVAL == 0 && stop.getAsBoolean()) {
                    throw new Stopped();
                }
                merge.addCurrentTo(builder);
            }
            return builder.finish(desc.upper());
        } catch (RuntimeException e) {
            builder.close();
            throw e;
        }
    }

    private static void deleteAll(List<Batch> batches) {
        for (Batch batch : batches) {
            try {
                batch.delete();
            } catch (RuntimeException e) {
                LOG.debug("Could not delete an intermediate compaction run; the orphan sweep will", e);
            }
        }
        batches.clear();
    }
}
