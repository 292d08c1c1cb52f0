package io.flinkpersist.persist.read;

import io.flinkpersist.persist.batch.part.ColumnarRecords;
import io.flinkpersist.persist.batch.part.PartDecodeException;
import java.util.Iterator;

/**
 * A position in one sorted run: the part being read and the index of the current update in it. Holds only that
 * part; the next one is pulled from the run when the current one is used up, skipping empty parts.
 */
final class RunCursor {
    private final Iterator<ColumnarRecords> parts;
    private ColumnarRecords records = ColumnarRecords.EMPTY;
    private int index = -1;

    RunCursor(Iterator<ColumnarRecords> parts) {
        this.parts = parts;
    }

    ColumnarRecords records() {
        return records;
    }

    int index() {
        return index;
    }

    long diff() {
        return records.diff(index);
    }

    /**
     * Moves to the run's next update. Returns false, and lets go of the last part, when the run is used up.
     *
     * @throws PartDecodeException naming the part, if the run goes backwards: merging it would silently give wrong
     *     sums (a part in another's place, or one damaged so that it still decodes)
     */
    boolean advance() {
        ColumnarRecords previous = records;
        int previousIndex = index;
        index++;
        while (index >= records.len()) {
            if (!parts.hasNext()) {
                records = ColumnarRecords.EMPTY;
                return false;
            }
            records = parts.next();
            index = 0;
        }
        if (previousIndex >= 0 && records.compareKeyValTime(index, previous, previousIndex) < 0) {
            String part = parts instanceof RunParts named ? named.lastPartName() : "of a run";
            throw new PartDecodeException(part, "its update " + index + " sorts below the update before it, in a run "
                    + "recorded as sorted by (key, value, time): the part is not the one the run was written with");
        }
        return true;
    }

    /** Orders by the current (key, value, time) of both cursors, comparing in place. */
    int compareTo(RunCursor other) {
        return records.compareKeyValTime(index, other.records, other.index);
    }

    /** Orders the current update against update {@code otherIndex} of {@code other}. */
    int compareTo(ColumnarRecords other, int otherIndex) {
        return records.compareKeyValTime(index, other, otherIndex);
    }
}
