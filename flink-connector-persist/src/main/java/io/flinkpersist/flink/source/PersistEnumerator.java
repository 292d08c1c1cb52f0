package io.flinkpersist.flink.source;

import io.flinkpersist.persist.InvalidUsageException;
import io.flinkpersist.persist.PersistClient;
import io.flinkpersist.persist.read.KeyRange;
import io.flinkpersist.persist.read.ReadHandle;
import io.flinkpersist.persist.time.Frontier;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.SplitsAssignment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plans the source's splits once, when it first starts: the as-of time (the latest the shard has, unless given) and
 * key ranges of about equal bytes, several per reader. Split {@code i} goes to reader {@code i mod parallelism}, so
 * a key is always read by one reader, in time order; splits of a failed reader come back and go to it again.
 *
 * <p>While it plans, the enumerator holds the shard's since with a leased reader of its own, so that the as-of time
 * stays readable until the readers (each with its own leased reader, registered when it is created) hold it. It lets
 * go once every split is assigned and a checkpoint completed after that, or when it closes.
 *
 * <p>A reader without splits (more readers than key ranges) lets go of its hold on the shard's since: in a bounded
 * source it is told there are no more splits and finishes, in an unbounded one it is sent a {@link NoSplitsEvent}
 * and stays idle, so that the job runs with all its tasks.
 */
@Internal
final class PersistEnumerator implements SplitEnumerator<PersistSplit, PersistEnumeratorState> {
    private static final Logger LOG = LoggerFactory.getLogger(PersistEnumerator.class);

    private final SplitEnumeratorContext<PersistSplit> context;
    private final PersistSourceConfig config;
    private final boolean bounded;
    /** Per reader, the splits not yet assigned to it. */
    private final Map<Integer, List<PersistSplit>> unassigned = new TreeMap<>();
    /** For the gauge, which the metric reporter's thread reads. */
    private volatile int unassignedCount;
    private final List<PersistSplit> restored;
    private PersistClient client;
    private ReadHandle planningHold;
    private long assignedAtCheckpoint = -1;

    PersistEnumerator(SplitEnumeratorContext<PersistSplit> context, PersistSourceConfig config, boolean bounded,
            PersistEnumeratorState restored) {
        this.context = context;
        this.config = config;
        this.bounded = bounded;
        this.restored = restored == null ? null : restored.unassigned();
    }

    @Override
    public void start() {
        context.metricGroup().gauge("unassignedSplits", () -> unassignedCount);
        List<PersistSplit> splits = restored != null ? restored : plan();
        for (PersistSplit split : splits) {
            add(split);
        }
    }

    private List<PersistSplit> plan() {
        client = config.openClient();
        planningHold = client.openReader(config.shardId(), config.codecs());
        Frontier since = planningHold.since();
        Frontier upper = planningHold.fetchRecentUpper();
        long latest = upper.element().orElse(Long.MAX_VALUE) - 1;
        long asOf = config.asOf() != null ? config.asOf() : latest;
        if (asOf >= 0 && !since.lessEqual(asOf)) {
            throw new InvalidUsageException.AsOfBelowSince(asOf, since);
        }
        List<PersistSplit> splits = new ArrayList<>();
        if (asOf < 0 && bounded) {
            LOG.info("Persist source on shard {}: nothing was committed yet, so the snapshot is empty", config.shardId());
            return splits;
        }
        List<KeyRange> ranges = planningHold.planKeyRanges(config.keyRanges(context.currentParallelism()));
        for (int i = 0; i < ranges.size(); i++) {
            String id = "keys-" + i;
            if (config.mode() == PersistSourceConfig.Mode.CHANGES_AFTER || asOf < 0) {
                // Only changes are asked for, or nothing was committed yet: every change after the as-of time.
                splits.add(PersistSplit.changesAfter(id, ranges.get(i), asOf));
            } else {
                splits.add(PersistSplit.snapshot(id, ranges.get(i), asOf, bounded));
            }
        }
        LOG.info("Persist source on shard {} reads {} as of {} in {} key ranges (since {}, upper {})",
                config.shardId(), config.mode(), asOf, splits.size(), since, upper);
        return splits;
    }

    private void add(PersistSplit split) {
        int reader = readerOf(split);
        unassigned.computeIfAbsent(reader, r -> new ArrayList<>()).add(split);
        unassignedCount++;
    }

    private int readerOf(PersistSplit split) {
        int index = Integer.parseInt(split.splitId().substring(split.splitId().lastIndexOf('-') + 1));
        return index % context.currentParallelism();
    }

    @Override
    public void addReader(int subtask) {
        assign(subtask);
    }

    /**
     * Splits of a failed reader go back to that reader: after a restore at another parallelism Flink spread them
     * over the readers, and only the failed one registers again (a region failover restarts no other).
     */
    @Override
    public void addSplitsBack(List<PersistSplit> splits, int subtask) {
        unassigned.computeIfAbsent(subtask, r -> new ArrayList<>()).addAll(splits);
        unassignedCount += splits.size();
        if (context.registeredReaders().containsKey(subtask)) {
            assign(subtask);
        }
    }

    private void assign(int subtask) {
        List<PersistSplit> splits = unassigned.remove(subtask);
        if (splits != null && !splits.isEmpty()) {
            unassignedCount -= splits.size();
            context.assignSplits(new SplitsAssignment<>(Map.of(subtask, splits)));
            LOG.debug("Assigned {} to reader {}", splits, subtask);
        }
        // A reader gets all its splits at once (a failed reader's come back when it registers again). A reader left
        // without any must not hold the since where it registered: a bounded one finishes, an unbounded one lets go
        // of its leased reader unless it has splits restored from a checkpoint (it knows, the enumerator does not).
        if (bounded) {
            context.signalNoMoreSplits(subtask);
        } else if (splits == null || splits.isEmpty()) {
            context.sendEventToSourceReader(subtask, NoSplitsEvent.INSTANCE);
        }
    }

    @Override
    public void handleSplitRequest(int subtask, String requesterHostname) {
        // Splits are pushed to their readers as they register.
    }

    @Override
    public PersistEnumeratorState snapshotState(long checkpointId) {
        List<PersistSplit> splits = new ArrayList<>();
        unassigned.values().forEach(splits::addAll);
        if (splits.isEmpty() && assignedAtCheckpoint < 0) {
            assignedAtCheckpoint = checkpointId;
        }
        return new PersistEnumeratorState(splits);
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        // Every split is with a reader whose own leased reader held the since before it got it.
        if (planningHold != null && assignedAtCheckpoint >= 0 && checkpointId >= assignedAtCheckpoint) {
            releasePlanningHold();
        }
    }

    private void releasePlanningHold() {
        try {
            planningHold.close();
            LOG.debug("Released the planning hold of the persist source on shard {}", config.shardId());
        } finally {
            planningHold = null;
        }
    }

    @Override
    public void close() throws IOException {
        try {
            if (planningHold != null) {
                releasePlanningHold();
            }
        } finally {
            if (client != null) {
                client.close();
            }
        }
    }
}
