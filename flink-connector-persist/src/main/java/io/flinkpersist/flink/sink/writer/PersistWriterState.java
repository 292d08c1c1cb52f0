package io.flinkpersist.flink.sink.writer;

import java.util.Objects;
import java.util.UUID;
import org.apache.flink.annotation.Internal;

/**
 * What a writer's checkpoint records: where its part-id session stood. Every part it uploaded before the
 * checkpoint has a position below {@code nextPart} and belongs to a batch of this checkpoint or an earlier one;
 * every part at or past it was uploaded later, so after a failover that restores this checkpoint those parts
 * belong to no restorable batch and are deleted (unless a batch of the shard references them, or a savepoint was
 * taken after the checkpoint).
 *
 * @param sinkInstance the sink instance and job whose writer wrote the parts ({@link
 *     io.flinkpersist.flink.sink.PersistSinkConfig#instanceId()}{@code /<job id>}): only a failover of that
 *     instance may delete them. A job submitted anew and restored from a savepoint or a retained checkpoint is another instance,
 *     even under the same job id, and leaves them (another checkpoint of the old one may still need them). States
 *     of earlier builds name the job instead ({@code job:<id>}), which no instance matches.
 * @param session the session of the writer's part ids
 * @param writerKey the writer key its parts were written under (it names the build that wrote them)
 * @param nextPart the session's position when the checkpoint was taken
 * @param maxGap how many consecutive missing positions end the session (its max outstanding uploads)
 */
@Internal
public record PersistWriterState(String sinkInstance, UUID session, String writerKey, long nextPart, int maxGap) {
    public PersistWriterState {
        Objects.requireNonNull(sinkInstance, "sinkInstance");
        Objects.requireNonNull(session, "session");
        Objects.requireNonNull(writerKey, "writerKey");
    }
}
