package io.flinkpersist.flink.sink.committer;

import org.apache.flink.api.connector.sink2.Committer;

/** A commit request that remembers what the committer signalled about it. */
final class RecordingCommitRequest implements Committer.CommitRequest<PersistCommittable> {
    enum Signal { NONE, ALREADY_COMMITTED, FAILED_KNOWN, FAILED_UNKNOWN, RETRY_LATER }

    private final PersistCommittable committable;
    Signal signal = Signal.NONE;
    Throwable failure;

    RecordingCommitRequest(PersistCommittable committable) {
        this.committable = committable;
    }

    @Override
    public PersistCommittable getCommittable() {
        return committable;
    }

    @Override
    public int getNumberOfRetries() {
        return 0;
    }

    @Override
    public void signalFailedWithKnownReason(Throwable t) {
        signal = Signal.FAILED_KNOWN;
        failure = t;
    }

    @Override
    public void signalFailedWithUnknownReason(Throwable t) {
        signal = Signal.FAILED_UNKNOWN;
        failure = t;
    }

    @Override
    public void retryLater() {
        signal = Signal.RETRY_LATER;
    }

    @Override
    public void updateAndRetryLater(PersistCommittable committable) {
        signal = Signal.RETRY_LATER;
    }

    @Override
    public void signalAlreadyCommitted() {
        signal = Signal.ALREADY_COMMITTED;
    }
}
