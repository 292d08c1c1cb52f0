package io.flinkpersist.persist.write;

import io.flinkpersist.persist.ids.ShardId;
import java.time.Duration;
import java.time.Instant;

/**
 * An append carries data prepared longer ago than its marker's retention, and the shard keeps no marker of its
 * committer: it was either never appended, or appended and its marker has since expired. The two cannot be told
 * apart, so the append is refused rather than risk writing the data twice.
 */
public final class ExpiredCommitMarkerException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    private final String committer;
    private final long checkpointId;
    private final long preparedAtMs;
    private final Duration retention;

    ExpiredCommitMarkerException(ShardId shard, CommitMarker marker) {
        super("cannot tell whether checkpoint " + marker.checkpointId() + " of committer '" + marker.committer()
                + "' was already appended to shard " + shard + ": its data was prepared at "
                + Instant.ofEpochMilli(marker.preparedAtMs()) + ", longer ago than the marker retention "
                + marker.retention() + ", and the shard keeps no marker of that committer (it may have expired). "
                + "Restore a newer checkpoint or savepoint, or give the markers a longer retention before "
                + "keeping savepoints that long");
        this.committer = marker.committer();
        this.checkpointId = marker.checkpointId();
        this.preparedAtMs = marker.preparedAtMs();
        this.retention = marker.retention();
    }

    public String committer() {
        return committer;
    }

    public long checkpointId() {
        return checkpointId;
    }

    public long preparedAtMs() {
        return preparedAtMs;
    }

    public Duration retention() {
        return retention;
    }
}
