package io.flinkpersist.flink.source;

/**
 * What the split reader hands the task thread: an update of a step (the snapshot, or the changes of the times below
 * {@code stepUpper}), or the end of a step, which moves the split on. Keeps the split's state in step with what
 * was emitted.
 */
record SourceElement(byte[] key, byte[] value, long time, long diff, boolean snapshot, long stepUpper, boolean end) {
    static SourceElement update(byte[] key, byte[] value, long time, long diff, boolean snapshot, long stepUpper) {
        return new SourceElement(key, value, time, diff, snapshot, stepUpper, false);
    }

    static SourceElement endOfSnapshot() {
        return new SourceElement(null, null, 0, 0, true, PersistSplit.NO_STEP, true);
    }

    static SourceElement endOfStep(long stepUpper) {
        return new SourceElement(null, null, 0, 0, false, stepUpper, true);
    }
}
