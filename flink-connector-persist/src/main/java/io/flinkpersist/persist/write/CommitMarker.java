package io.flinkpersist.persist.write;

import io.flinkpersist.persist.state.CommitMarkerState;
import java.time.Duration;
import java.util.Objects;

/**
 * Which checkpoint of which committer an append carries, recorded in the shard in the same compare-and-set
 * as the data. An append whose checkpoint is at or below the one recorded for its committer is recognised as
 * already committed: this is what deduplicates a replayed committable after a restore, however long the job
 * was down, as long as the shard keeps the marker: {@code retention} after the committer last recorded one.
 *
 * <p>Past that, a replay cannot be told from new data. An append whose data was prepared longer than the
 * retention ago and whose committer the shard no longer knows is refused with {@link ExpiredCommitMarkerException}
 * instead of being guessed at.
 *
 * @param committer a name that belongs to one committer (for a Flink sink: its id and one run's random id);
 *     at most 512 printable characters
 * @param checkpointId a number that grows with each append of this committer
 * @param preparedAtMs wall-clock time the data was prepared (the committable created), or
 *     {@link #UNKNOWN_PREPARED_AT} for data from builds that did not record it
 * @param retention how long the shard keeps the marker after its last record
 */
public record CommitMarker(String committer, long checkpointId, long preparedAtMs, Duration retention) {
    public static final long UNKNOWN_PREPARED_AT = -1;

    public CommitMarker {
        Objects.requireNonNull(committer, "committer");
        Objects.requireNonNull(retention, "retention");
        if (committer.isEmpty() || committer.length() > 512 || committer.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new IllegalArgumentException("committer name must be 1 to 512 printable characters, was \""
                    + committer.replaceAll("\\p{Cntrl}", "?") + "\"");
        }
        if (checkpointId < 0) {
            throw new IllegalArgumentException("checkpoint id must not be negative, was " + checkpointId);
        }
        if (preparedAtMs < 0 && preparedAtMs != UNKNOWN_PREPARED_AT) {
            throw new IllegalArgumentException("preparedAtMs must be a time or UNKNOWN_PREPARED_AT, was " + preparedAtMs);
        }
        if (retention.toMillis() < 1) {
            throw new IllegalArgumentException("marker retention must be at least 1 ms, was " + retention);
        }
    }

    /** A marker with the default retention whose data's age is not known (never refused as too old). */
    public CommitMarker(String committer, long checkpointId) {
        this(committer, checkpointId, UNKNOWN_PREPARED_AT, CommitMarkerState.DEFAULT_RETENTION);
    }

    /** Whether the data was prepared longer than the retention before {@code nowMs}. */
    boolean preparedBeyondRetention(long nowMs) {
        return preparedAtMs != UNKNOWN_PREPARED_AT && preparedAtMs + retention.toMillis() < nowMs;
    }
}
