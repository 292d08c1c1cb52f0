package io.flinkpersist.e2e.bench;

import java.util.Arrays;
import java.util.BitSet;

/**
 * Checks what a sink wrote against what the job generated: records {@code 0 … records - 1}, each once, each with
 * the payload {@link BenchRecord#payloadOf} gives its id. Every id is marked in a bit set, so a record lost,
 * doubled or altered fails the check, which is stronger than comparing a count and a checksum of the keys.
 */
final class RecordCheck {
    private final String sink;
    private final long records;
    private final int payloadBytes;
    private final BitSet seen;
    private long count;

    RecordCheck(String sink, long records, int payloadBytes) {
        if (records > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("at most " + Integer.MAX_VALUE + " records can be checked");
        }
        this.sink = sink;
        this.records = records;
        this.payloadBytes = payloadBytes;
        this.seen = new BitSet((int) records);
    }

    int payloadBytes() {
        return payloadBytes;
    }

    /** One record read back. */
    void accept(long id, byte[] payload) {
        count++;
        if (id < 0 || id >= records) {
            throw new IllegalStateException(sink + " holds id " + id + ", written were 0 to " + (records - 1));
        }
        if (seen.get((int) id)) {
            throw new IllegalStateException(sink + " holds id " + id + " more than once");
        }
        seen.set((int) id);
        if (!Arrays.equals(payload, BenchRecord.payloadOf(id, payloadBytes))) {
            throw new IllegalStateException(sink + " holds id " + id + " with another payload than was written");
        }
    }

    /** After the last record: every id was there. */
    void finish() {
        if (count != records) {
            throw new IllegalStateException(sink + " holds " + count + " records, written were " + records
                    + " (first missing id " + seen.nextClearBit(0) + ")");
        }
    }
}
