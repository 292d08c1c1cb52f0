package io.flinkpersist.flink.sink.writer;

import java.util.Objects;
import java.util.UUID;
import org.apache.flink.annotation.Internal;

/**
 * What a writer's checkpoint records: where its part-id session stood. Every part it uploaded before the
 * checkpoint has a position below {@code nextPart} and belongs to a batch of this checkpoint or an earlier one;
 * every part at or past it was uploaded later, so after a failover that restores this checkpoint those parts
 * belong to no restorable batch and are deleted (unless a batch of the shard references them).
 *
 * @param jobId the job whose writer wrote the parts: only a failover within that job may delete them (a new job
 *     restored from a savepoint leaves them, since another checkpoint of the old job may still need them)
 * @param session the session of the writer's part ids
 * @param writerKey the writer key its parts were written under (it names the build that wrote them)
 * @param nextPart the session's position when the checkpoint was taken
 * @param maxGap how many consecutive missing positions end the session (its max outstanding uploads)
 */
@Internal
public record PersistWriterState(String jobId, UUID session, String writerKey, long nextPart, int maxGap) {
    public PersistWriterState {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(session, "session");
        Objects.requireNonNull(writerKey, "writerKey");
    }
}
