package io.flinkpersist.flink.sink.committer;

import org.apache.flink.annotation.Internal;

/** The names under which a sink records checkpoints of one job in the shard's commit markers. */
@Internal
public final class SinkMarkers {
    private SinkMarkers() {}

    /** The highest checkpoint whose committable, created by job {@code jobId}, was appended. */
    public static String commits(String sinkId, String jobId) {
        return sinkId + "/" + jobId;
    }

    /**
     * The highest savepoint job {@code jobId} took. Flink does not recover from savepoints, so a failover may
     * restore an older checkpoint while a savepoint holds batches written after it: their parts must stay.
     */
    public static String savepoints(String sinkId, String jobId) {
        return sinkId + "/" + jobId + "/savepoints";
    }
}
