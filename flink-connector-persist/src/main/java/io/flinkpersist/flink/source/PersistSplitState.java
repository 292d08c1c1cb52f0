package io.flinkpersist.flink.source;

/** A split as the task thread has emitted it: the split it started from, moved on by every element it emitted. */
final class PersistSplitState {
    private PersistSplit split;

    PersistSplitState(PersistSplit split) {
        this.split = split;
    }

    void emitted(SourceElement element) {
        PersistSplit s = split;
        if (element.end()) {
            long frontier = element.snapshot() ? s.asOf() + 1 : element.stepUpper();
            split = new PersistSplit(s.splitId(), s.keys(), s.asOf(), false, s.bounded(), frontier,
                    PersistSplit.NO_STEP, null);
        } else {
            split = new PersistSplit(s.splitId(), s.keys(), s.asOf(), s.snapshotPending(), s.bounded(), s.frontier(),
                    element.snapshot() ? PersistSplit.NO_STEP : element.stepUpper(),
                    new PersistSplit.Update(element.key(), element.value(), element.time()));
        }
    }

    PersistSplit toSplit() {
        return split;
    }
}
