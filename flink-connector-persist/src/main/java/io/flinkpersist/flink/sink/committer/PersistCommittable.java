package io.flinkpersist.flink.sink.committer;

import io.flinkpersist.persist.write.CommitMarker;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.apache.flink.annotation.Internal;

/**
 * Everything the writers of one checkpoint wrote, committed as one append, with the identity it is recorded
 * under in the shard's commit markers: the run of the sink that created it. A committable that comes back from
 * restored state keeps its run, so a replay is recognised; committables created after a restore belong to a new
 * run, so no earlier run's marker can ever make them look committed.
 *
 * @param committer the marker name: {@link SinkMarkers#commits} of the sink id and the creating run
 * @param checkpointId the checkpoint the batches belong to (at end of input: the last checkpoint + 1)
 * @param preparedAtMs when the committable was created, or {@link CommitMarker#UNKNOWN_PREPARED_AT} for
 *     committables of earlier builds
 * @param batches the transmittable {@code ProtoBatch} of each writer that wrote something; empty for a
 *     checkpoint in which nothing was written
 * @param endOfInput whether every writer had reached the end of its input: the sink's last committable, after which
 *     the committer does not keep the job waiting for a merge of the shard
 */
@Internal
public record PersistCommittable(String committer, long checkpointId, long preparedAtMs, List<byte[]> batches,
        boolean endOfInput) {
    public PersistCommittable {
        Objects.requireNonNull(committer, "committer");
        batches = List.copyOf(batches);
    }

    /** The commit marker its append carries, kept {@code retention} after the run's last append. */
    public CommitMarker marker(Duration retention) {
        return new CommitMarker(committer, checkpointId, preparedAtMs, retention);
    }

    @Override
    public String toString() {
        return "PersistCommittable{" + committer + ", checkpoint " + checkpointId + ", " + batches.size() + " batches"
                + (endOfInput ? ", end of input}" : "}");
    }
}
