package io.flinkpersist.flink.sink.committer;

import org.apache.flink.annotation.Internal;

/** The names under which a sink records its runs' checkpoints and its savepoints in the shard's commit markers. */
@Internal
public final class SinkMarkers {
    private SinkMarkers() {}

    /**
     * The highest checkpoint whose committable, created by one run of the sink, was appended. A run is one
     * start of the commit aggregator, named by a random id; earlier builds named it by the job id, and their
     * committables keep that name.
     */
    public static String commits(String sinkId, String run) {
        return sinkId + "/" + run;
    }

    /**
     * The highest savepoint one sink instance took. Flink does not recover from savepoints, so a failover may
     * restore an older checkpoint while a savepoint holds batches written after it: their parts must stay.
     */
    public static String savepoints(String sinkId, String instanceId) {
        return sinkId + "/" + instanceId + "/savepoints";
    }
}
