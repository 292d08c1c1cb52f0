package io.flinkpersist.persist.read;

import io.flinkpersist.persist.ids.ShardId;
import io.flinkpersist.persist.time.Frontier;
import java.time.Duration;

/** A read that needed the shard's upper to pass a time, and it did not within the timeout. */
public final class UpperTimeoutException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UpperTimeoutException(ShardId shardId, Frontier upper, long time, Duration timeout) {
        super("the upper of shard " + shardId + " is still " + upper + ", not beyond " + time + ", after " + timeout);
    }
}
