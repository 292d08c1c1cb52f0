package io.flinkpersist.flink.sink.committer;

import java.util.List;
import java.util.Objects;
import org.apache.flink.annotation.Internal;

/**
 * Everything the writers of one checkpoint wrote, committed as one append. Its identity in the shard's
 * commit markers is {@link #marker()}: the job id is the one of the job that created the committable, so a
 * committable restored into a new job (savepoint) keeps it and is still recognised when replayed.
 *
 * @param sinkId the sink's stable id
 * @param jobId the id of the job that created this committable
 * @param checkpointId the checkpoint the batches belong to (at end of input: the last checkpoint + 1)
 * @param batches the transmittable {@code ProtoBatch} of each writer that wrote something
 */
@Internal
public record PersistCommittable(String sinkId, String jobId, long checkpointId, List<byte[]> batches) {
    public PersistCommittable {
        Objects.requireNonNull(sinkId, "sinkId");
        Objects.requireNonNull(jobId, "jobId");
        batches = List.copyOf(batches);
    }

    /** The committer name recorded with the data: {@link SinkMarkers#commits}. */
    public String marker() {
        return SinkMarkers.commits(sinkId, jobId);
    }

    @Override
    public String toString() {
        return "PersistCommittable{" + marker() + ", checkpoint " + checkpointId + ", " + batches.size() + " batches}";
    }
}
