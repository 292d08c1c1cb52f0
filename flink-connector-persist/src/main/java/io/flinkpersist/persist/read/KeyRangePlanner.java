package io.flinkpersist.persist.read;

import io.flinkpersist.persist.batch.BatchPart;
import io.flinkpersist.persist.batch.HollowBatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Cuts a shard's keys into ranges of about equal bytes, for readers that read it in parallel: the boundaries are key
 * lowers of the shard's blob parts, weighted by the parts' sizes. A shard without blob parts (empty, or all inline)
 * is one range: it is small.
 */
final class KeyRangePlanner {
    private KeyRangePlanner() {}

    private record Lower(byte[] key, long bytes) {}

    /** At most {@code target} ranges covering every key, in key order, from the parts of {@code batches}. */
    static List<KeyRange> plan(List<HollowBatch> batches, int target) {
        if (target < 1) {
            throw new IllegalArgumentException("key ranges to plan must be at least 1, was " + target);
        }
        List<Lower> lowers = new ArrayList<>();
        long total = 0;
        for (HollowBatch batch : batches) {
            for (BatchPart part : batch.parts()) {
                if (!part.isInline() && !part.isRunRef()) {
                    lowers.add(new Lower(part.keyLower(), part.encodedSizeBytes()));
                    total += part.encodedSizeBytes();
                }
            }
        }
        lowers.sort(Comparator.comparing(Lower::key, Arrays::compareUnsigned));
        List<byte[]> boundaries = new ArrayList<>();
        long seen = 0;
        int next = 1;
        for (Lower lower : lowers) {
            // A range starts at this part's lower once the parts before it hold the range's share of the bytes.
            if (next < target && seen >= total * next / target && lower.key().length > 0
                    && (boundaries.isEmpty() || Arrays.compareUnsigned(boundaries.get(boundaries.size() - 1), lower.key()) < 0)) {
                boundaries.add(lower.key());
                while (next < target && seen >= total * next / target) {
                    next++;
                }
            }
            seen += lower.bytes();
        }
        List<KeyRange> ranges = new ArrayList<>();
        byte[] from = new byte[0];
        for (byte[] boundary : boundaries) {
            ranges.add(new KeyRange(from, boundary));
            from = boundary;
        }
        ranges.add(new KeyRange(from, null));
        return ranges;
    }
}
