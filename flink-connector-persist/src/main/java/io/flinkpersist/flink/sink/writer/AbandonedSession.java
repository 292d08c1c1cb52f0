package io.flinkpersist.flink.sink.writer;

import java.util.Objects;
import java.util.UUID;
import org.apache.flink.annotation.Internal;

/**
 * A writer session of a failed attempt, restored by a failover of the same job: the parts it uploaded at or past
 * {@code from} were written after checkpoint {@code checkpointId} and belong to no batch that can still be
 * committed, unless a savepoint was taken after that checkpoint. The restored writer cannot tell (it opens no
 * consensus connection), so it hands the session to the commit aggregator, which checks and deletes.
 *
 * @param writerKey the writer key the session's parts were written under
 * @param session the session of their part ids
 * @param from the session's position at the restored checkpoint
 * @param maxGap how many consecutive missing positions end the session
 * @param checkpointId the restored checkpoint
 */
@Internal
public record AbandonedSession(String writerKey, UUID session, long from, int maxGap, long checkpointId) {
    public AbandonedSession {
        Objects.requireNonNull(writerKey, "writerKey");
        Objects.requireNonNull(session, "session");
    }
}
