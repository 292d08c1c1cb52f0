package io.flinkpersist.persist.read;

import io.flinkpersist.persist.batch.BatchBuilder;
import io.flinkpersist.persist.batch.part.ColumnarRecords;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A streaming k-way merge of sorted runs into one consolidated stream of updates: in (key, value, time) order
 * (keys and values as unsigned bytes, times as unsigned 64-bit), the diffs of equal (key, value, time) summed
 * across and within runs (wrapping, like persist's {@code i64} diffs) and zero sums left out.
 *
 * <p>A run is a lazy sequence of parts whose concatenation is sorted; a run's next part is pulled only when the
 * merge has used up its current one, so at most one part per run (plus the part of the current update) is held.
 * Used as a cursor: {@link #next()}, then read the current update. Not thread-safe.
 */
public final class Consolidator implements AutoCloseable {
    private final List<Iterator<ColumnarRecords>> runs;
    /** Called once, when the runs are used up or the merge is closed: lets go of what the read held. */
    private Runnable release;
    // A binary min-heap of the runs that still have updates, ordered by their current (key, value, time).
    private RunCursor[] heap;
    private int heapSize;

    private ColumnarRecords currentRecords;
    private int currentIndex;
    private long currentDiff;

    /** @param runs each sorted by (key, value, time); nothing is pulled from them before the first {@link #next()} */
    public Consolidator(List<? extends Iterator<ColumnarRecords>> runs) {
        this(runs, () -> { });
    }

    /** @param release called once when the runs are used up or this is closed, whichever comes first */
    public Consolidator(List<? extends Iterator<ColumnarRecords>> runs, Runnable release) {
        this.runs = List.copyOf(runs);
        this.release = release;
    }

    /** Merges the runs to the end, for callers (and tests) that want the whole result as one part. */
    public static ColumnarRecords consolidate(List<? extends Iterator<ColumnarRecords>> runs) {
        Consolidator merge = new Consolidator(runs);
        ColumnarRecords.Builder out = ColumnarRecords.builder();
        while (merge.next()) {
            if (!out.push(merge.key(), merge.value(), merge.time(), merge.diff())) {
                throw new IllegalStateException("the consolidated updates do not fit in one part's columns");
            }
        }
        return out.build();
    }

    /** Moves to the next update with a non-zero sum; false when the runs are used up. */
    public boolean next() {
        if (heap == null) {
            startRuns();
        }
        while (heapSize > 0) {
            RunCursor smallest = heap[0];
            // Keep a reference to the part rather than copying the key and value: advancing may replace it.
            ColumnarRecords records = smallest.records();
            int index = smallest.index();
            long sum = smallest.diff();
            advanceSmallest();
            while (heapSize > 0 && heap[0].compareTo(records, index) == 0) {
                sum += heap[0].diff();
                advanceSmallest();
            }
            if (sum != 0) {
                currentRecords = records;
                currentIndex = index;
                currentDiff = sum;
                return true;
            }
        }
        currentRecords = null;
        close();
        return false;
    }

    /** Stops the merge early; the parts it holds can go, and a reader's hold on the version it read is released. */
    @Override
    public void close() {
        Runnable pending = release;
        release = null;
        heap = new RunCursor[0];
        heapSize = 0;
        if (pending != null) {
            pending.run();
        }
    }

    /**
     * Adds the current update to {@code builder} in order ({@link BatchBuilder#addInOrder}), copied once from the
     * part that holds it: the merge's output is sorted and consolidated already.
     */
    public void addCurrentTo(BatchBuilder builder) {
        builder.addInOrder(current(), currentIndex, currentDiff);
    }

    /** A copy of the current update's key. */
    public byte[] key() {
        return current().key(currentIndex);
    }

    /** A copy of the current update's value. */
    public byte[] value() {
        return current().value(currentIndex);
    }

    public long time() {
        return current().time(currentIndex);
    }

    /** The summed diff of the current (key, value, time); never zero. */
    public long diff() {
        current();
        return currentDiff;
    }

    private ColumnarRecords current() {
        if (currentRecords == null) {
            throw new IllegalStateException("no current update: next() was not called or returned false");
        }
        return currentRecords;
    }

    private void startRuns() {
        List<RunCursor> started = new ArrayList<>(runs.size());
        for (Iterator<ColumnarRecords> run : runs) {
            RunCursor cursor = new RunCursor(run);
            if (cursor.advance()) {
                started.add(cursor);
            }
        }
        heap = started.toArray(new RunCursor[0]);
        heapSize = heap.length;
        for (int i = heapSize / 2 - 1; i >= 0; i--) {
            siftDown(i);
        }
    }

    /** Advances the run at the top of the heap in place: one sift-down instead of a poll and an insert. */
    private void advanceSmallest() {
        if (!heap[0].advance()) {
            heapSize--;
            heap[0] = heap[heapSize];
            heap[heapSize] = null;
        }
        if (heapSize > 0) {
            siftDown(0);
        }
    }

    private void siftDown(int i) {
        RunCursor moving = heap[i];
        while (true) {
            int child = 2 * i + 1;
            if (child >= heapSize) {
                break;
            }
            if (child + 1 < heapSize && heap[child + 1].compareTo(heap[child]) < 0) {
                child++;
            }
            if (moving.compareTo(heap[child]) <= 0) {
                break;
            }
            heap[i] = heap[child];
            i = child;
        }
        heap[i] = moving;
    }
}
