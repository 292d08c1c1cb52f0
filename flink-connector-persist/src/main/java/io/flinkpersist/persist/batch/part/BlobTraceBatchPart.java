package io.flinkpersist.persist.batch.part;

import io.flinkpersist.persist.time.Description;
import io.flinkpersist.persist.time.Frontier;
import java.util.Objects;

/**
 * The contents of one batch part, whether stored as a Parquet blob or inline in state: the batch's time bounds,
 * the part's position in its batch, and its updates.
 *
 * @param desc    the bounds every time in the part respects (see {@link #validate()})
 * @param index   the part's position within its batch, from 0
 * @param updates the updates, in any order
 */
public record BlobTraceBatchPart(Description desc, long index, ColumnarRecords updates) {
    public BlobTraceBatchPart {
        Objects.requireNonNull(desc, "desc");
        Objects.requireNonNull(updates, "updates");
        if (index < 0) {
            throw new IllegalArgumentException("part index must be in [0, " + Long.MAX_VALUE + "], was "
                    + Long.toUnsignedString(index));
        }
    }

    /**
     * Checks persist's rules for a part, the same on write and on read:
     * <ol>
     *   <li>{@code [lower, upper)} is non-empty, even for a part with no updates;</li>
     *   <li>every time is at or beyond {@code lower};</li>
     *   <li>if the part is uncompacted ({@code since <= lower}), every time is before {@code upper}; compaction
     *       may have advanced times past it otherwise;</li>
     *   <li>no diff is zero.</li>
     * </ol>
     * Times must also be below 2^63, the range this implementation supports.
     *
     * @throws InvalidPartException naming the rule and the offending values
     */
    public void validate() {
        Frontier lower = desc.lower();
        Frontier upper = desc.upper();
        if (upper.lessEqual(lower)) {
            throw new InvalidPartException("part description " + desc + " has an empty interval: upper " + upper
                    + " is not beyond lower " + lower);
        }
        boolean checkUpper = desc.isUncompacted();
        long[] times = updates.times();
        long[] diffs = updates.diffs();
        for (int i = 0; i < updates.len(); i++) {
            long time = times[i];
            if (time < 0) {
                throw new InvalidPartException("update " + i + ": timestamp " + Long.toUnsignedString(time)
                        + " is beyond the largest supported time " + Long.MAX_VALUE);
            }
            if (!lower.lessEqual(time)) {
                throw new InvalidPartException(
                        "update " + i + ": timestamp " + time + " is not beyond the part's lower " + lower);
            }
            if (checkUpper && upper.lessEqual(time)) {
                throw new InvalidPartException("update " + i + ": timestamp " + time
                        + " is not before the part's upper " + upper + " (the part is uncompacted: since "
                        + desc.since() + " <= lower " + lower + ")");
            }
            if (diffs[i] == 0) {
                throw new InvalidPartException("update " + i + " (timestamp " + time + ") has diff 0; parts never"
                        + " hold zero diffs");
            }
        }
    }
}
