package io.flinkpersist.flink.source;

import io.flinkpersist.persist.read.Consolidator;
import io.flinkpersist.persist.read.Listen;
import io.flinkpersist.persist.read.ListenBatch;
import io.flinkpersist.persist.read.ReadHandle;
import io.flinkpersist.persist.read.UpperTimeoutException;
import io.flinkpersist.persist.time.Frontier;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.connector.base.source.reader.RecordsBySplits;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.connector.base.source.reader.splitreader.SplitReader;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsAddition;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsChange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a reader's splits on the fetcher thread: each split's snapshot streams (a chunk per fetch, in key order),
 * then its changes step by step, a step being the changes of one batch, ordered by time so that a key's changes
 * come in the order they were committed. When every split waits for new commits, it polls the shard's upper,
 * backing off up to {@value #MAX_IDLE_MS} ms.
 */
final class PersistSplitReader implements SplitReader<SourceElement, PersistSplit> {
    private static final Logger LOG = LoggerFactory.getLogger(PersistSplitReader.class);
    /** Updates handed to the task thread per fetch, so that a checkpoint never waits for a whole snapshot. */
    static final int MAX_UPDATES_PER_FETCH = 4096;
    static final long MAX_IDLE_MS = 1_000;
    private static final long MIN_IDLE_MS = 10;
    /** How long one fetch waits for the upper to pass a snapshot's as-of time before it looks at other splits. */
    private static final Duration SNAPSHOT_WAIT = Duration.ofMillis(100);
    /** How long a step waits for an upper it has already seen past its frontier: only a broken shard takes long. */
    private static final Duration STEP_WAIT = Duration.ofMinutes(1);
    private static final Comparator<SourceElement> COMMIT_ORDER = Comparator.comparingLong(SourceElement::time)
            .thenComparing(SourceElement::key, Arrays::compareUnsigned)
            .thenComparing(SourceElement::value, Arrays::compareUnsigned);

    private final ReadHandle reader;
    private final AtomicLong frontierLag;
    private final Map<String, Cursor> cursors = new LinkedHashMap<>();
    private final Object idle = new Object();
    private boolean wokenUp;
    private long idleMs = MIN_IDLE_MS;

    /** How far this fetcher has read a split (ahead of what the task thread emitted). */
    private static final class Cursor {
        final PersistSplit split;
        Consolidator snapshot;
        /** Whether the whole snapshot was handed out (a bounded split is then done). */
        boolean snapshotRead;
        Listen listen;
        /** The step upper and the update to resume after, of a restored step; used by the first step only. */
        long resumeStepUpper;
        PersistSplit.Update resume;
        final ArrayDeque<SourceElement> pending = new ArrayDeque<>();

        Cursor(PersistSplit split) {
            this.split = split;
            this.resumeStepUpper = split.stepUpper();
            this.resume = split.resume();
        }
    }

    /** @param frontierLag where to report how far the slowest listening split is behind the shard's upper */
    PersistSplitReader(ReadHandle reader, AtomicLong frontierLag) {
        this.reader = reader;
        this.frontierLag = frontierLag;
    }

    @Override
    public RecordsWithSplitIds<SourceElement> fetch() {
        Map<String, Collection<SourceElement>> out = new HashMap<>();
        Set<String> finished = new HashSet<>();
        int[] budget = {MAX_UPDATES_PER_FETCH};
        for (Iterator<Cursor> it = cursors.values().iterator(); it.hasNext() && budget[0] > 0; ) {
            Cursor cursor = it.next();
            if (cursor.listen == null) {
                readSnapshot(cursor, out, budget);
                if (cursor.snapshotRead && cursor.split.bounded()) {
                    finished.add(cursor.split.splitId());
                    it.remove();
                }
            }
        }
        if (budget[0] > 0) {
            readChanges(out, budget);
        }
        if (out.isEmpty() && finished.isEmpty()) {
            waitIdle();
        } else {
            idleMs = MIN_IDLE_MS;
        }
        return new RecordsBySplits<>(out, finished);
    }

    /** A chunk of the split's snapshot; at its end, the split moves on to its changes (or is done, if bounded). */
    private void readSnapshot(Cursor cursor, Map<String, Collection<SourceElement>> out, int[] budget) {
        PersistSplit split = cursor.split;
        if (cursor.snapshot == null) {
            try {
                cursor.snapshot = reader.snapshot(split.asOf(), SNAPSHOT_WAIT, split.keys());
            } catch (UpperTimeoutException e) {
                return; // Not committed that far yet: the next fetch looks again.
            }
            LOG.debug("Reading the snapshot of {}", split);
        }
        List<SourceElement> elements = new ArrayList<>();
        Consolidator snapshot = cursor.snapshot;
        while (budget[0] > 0 && snapshot.next()) {
            if (cursor.resume != null && compareKeyValue(snapshot.key(), snapshot.value(), cursor.resume) <= 0) {
                continue;
            }
            elements.add(SourceElement.update(snapshot.key(), snapshot.value(), snapshot.time(), snapshot.diff(), true,
                    PersistSplit.NO_STEP));
            budget[0]--;
        }
        if (budget[0] > 0) {
            snapshot.close();
            cursor.snapshot = null;
            cursor.snapshotRead = true;
            cursor.resume = null;
            elements.add(SourceElement.endOfSnapshot());
            if (!split.bounded()) {
                cursor.listen = reader.listen(split.asOf(), split.asOf() + 1, split.keys());
            }
        }
        if (!elements.isEmpty()) {
            out.computeIfAbsent(split.splitId(), id -> new ArrayList<>()).addAll(elements);
        }
    }

    /** The next step of every listening split that the shard's upper has passed. */
    private void readChanges(Map<String, Collection<SourceElement>> out, int[] budget) {
        Frontier upper = null;
        long lag = 0;
        for (Cursor cursor : cursors.values()) {
            if (cursor.listen == null) {
                continue;
            }
            if (cursor.pending.isEmpty()) {
                if (upper == null) {
                    upper = reader.fetchRecentUpper();
                }
                long at = cursor.listen.frontier().element().orElse(Long.MAX_VALUE);
                lag = Math.max(lag, upper.element().orElse(at) - at);
                if (upper.lessEqual(at)) {
                    continue;
                }
                readStep(cursor);
            }
            Collection<SourceElement> elements = out.computeIfAbsent(cursor.split.splitId(), id -> new ArrayList<>());
            while (budget[0] > 0 && !cursor.pending.isEmpty()) {
                elements.add(cursor.pending.poll());
                budget[0]--;
            }
            if (budget[0] == 0) {
                break;
            }
        }
        if (upper != null) {
            frontierLag.set(lag);
        }
    }

    private void readStep(Cursor cursor) {
        long upTo = cursor.resumeStepUpper != PersistSplit.NO_STEP ? cursor.resumeStepUpper : Long.MAX_VALUE;
        Frontier from = cursor.listen.frontier();
        ListenBatch step = cursor.listen.next(STEP_WAIT, upTo);
        LOG.debug("Reading the changes of {} from {} to {}", cursor.split.splitId(), from, step.progress());
        long stepUpper = step.progress().element().orElse(Long.MAX_VALUE);
        List<SourceElement> changes = new ArrayList<>();
        try (Consolidator updates = step.updates()) {
            while (updates.next()) {
                changes.add(SourceElement.update(updates.key(), updates.value(), updates.time(), updates.diff(), false,
                        stepUpper));
            }
        }
        changes.sort(COMMIT_ORDER);
        for (SourceElement change : changes) {
            if (cursor.resume == null || compareCommitOrder(change, cursor.resume) > 0) {
                cursor.pending.add(change);
            }
        }
        cursor.pending.add(SourceElement.endOfStep(stepUpper));
        cursor.resume = null;
        cursor.resumeStepUpper = PersistSplit.NO_STEP;
    }

    private static int compareKeyValue(byte[] key, byte[] value, PersistSplit.Update than) {
        int byKey = Arrays.compareUnsigned(key, than.key());
        return byKey != 0 ? byKey : Arrays.compareUnsigned(value, than.value());
    }

    private static int compareCommitOrder(SourceElement change, PersistSplit.Update than) {
        int byTime = Long.compare(change.time(), than.time());
        return byTime != 0 ? byTime : compareKeyValue(change.key(), change.value(), than);
    }

    private void waitIdle() {
        synchronized (idle) {
            if (!wokenUp) {
                try {
                    idle.wait(idleMs);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            wokenUp = false;
        }
        idleMs = Math.min(MAX_IDLE_MS, idleMs * 2);
    }

    @Override
    public void handleSplitsChanges(SplitsChange<PersistSplit> change) {
        if (!(change instanceof SplitsAddition)) {
            throw new UnsupportedOperationException("the persist source only adds splits, got " + change);
        }
        for (PersistSplit split : change.splits()) {
            Cursor cursor = new Cursor(split);
            if (!split.snapshotPending()) {
                cursor.listen = reader.listen(split.asOf(), split.frontier(), split.keys());
            }
            cursors.put(split.splitId(), cursor);
        }
    }

    @Override
    public void wakeUp() {
        synchronized (idle) {
            wokenUp = true;
            idle.notifyAll();
        }
    }

    @Override
    public void close() {
        for (Cursor cursor : cursors.values()) {
            if (cursor.snapshot != null) {
                cursor.snapshot.close();
            }
        }
        cursors.clear();
    }
}
