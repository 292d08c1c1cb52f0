package io.flinkpersist.persist.state;

import java.time.Duration;

/**
 * What a shard records for one committer: the highest checkpoint whose data it appended, and when it last
 * recorded one. Like a lease, it is kept {@code retentionMs} after its last record and then dropped, so a shard
 * that many runs wrote to holds only the markers of recent ones.
 *
 * @param checkpointId the highest checkpoint recorded for the committer
 * @param lastRecordedMs the state clock's time of the last append or record that carried the marker
 * @param retentionMs how long after {@code lastRecordedMs} the marker is kept
 */
public record CommitMarkerState(long checkpointId, long lastRecordedMs, long retentionMs) {
    /** How long a marker is kept unless its committer says otherwise; also given to markers of earlier builds. */
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(30);

    public CommitMarkerState {
        if (retentionMs < 1) {
            throw new IllegalArgumentException("marker retention must be at least 1 ms, was " + retentionMs);
        }
    }

    public boolean isExpired(long nowMs) {
        return lastRecordedMs + retentionMs < nowMs;
    }

    /** This marker after another record: the higher checkpoint, the later time, the newest retention. */
    public CommitMarkerState recorded(long checkpoint, long nowMs, long retention) {
        return new CommitMarkerState(Math.max(checkpointId, checkpoint), Math.max(lastRecordedMs, nowMs), retention);
    }
}
