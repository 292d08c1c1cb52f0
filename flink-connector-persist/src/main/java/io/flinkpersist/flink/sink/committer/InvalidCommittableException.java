package io.flinkpersist.flink.sink.committer;

import io.flinkpersist.persist.InvalidUsageException;
import io.flinkpersist.persist.ids.ShardId;
import org.apache.flink.annotation.Internal;

/**
 * A committable that can never be appended: one of its batches is corrupt or breaks persist's rules (the cause says
 * which part of which shard, and what is wrong). Nothing of the checkpoint is appended; the job fails, and a restore
 * replays the same committable, so it keeps failing until the checkpoint is dropped or the batch repaired.
 */
@Internal
public final class InvalidCommittableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long checkpointId;

    public InvalidCommittableException(PersistCommittable committable, ShardId shardId, InvalidUsageException cause) {
        super("cannot commit checkpoint " + committable.checkpointId() + " of committer " + committable.committer()
                + " to shard " + shardId + ": " + cause.getMessage(), cause);
        this.checkpointId = committable.checkpointId();
    }

    public long checkpointId() {
        return checkpointId;
    }
}
