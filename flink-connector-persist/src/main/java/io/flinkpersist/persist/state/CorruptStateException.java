package io.flinkpersist.persist.state;

import io.flinkpersist.persist.ids.SeqNo;
import io.flinkpersist.persist.ids.ShardId;

/**
 * A stored state version that cannot be what it claims: undecodable bytes, a diff whose changes do not fit the
 * version it follows, a rollup of another version. Never retried and never guessed at: the shard is not opened
 * from it.
 */
public final class CorruptStateException extends IllegalStateException {
    private static final long serialVersionUID = 1L;
    private final ShardId shardId;
    private final SeqNo seqNo;

    public CorruptStateException(ShardId shardId, SeqNo seqNo, String detail) {
        this(shardId, seqNo, detail, null);
    }

    public CorruptStateException(ShardId shardId, SeqNo seqNo, String detail, Throwable cause) {
        super("state version " + seqNo + " of shard " + shardId + " is corrupt: " + detail, cause);
        this.shardId = shardId;
        this.seqNo = seqNo;
    }

    public ShardId shardId() {
        return shardId;
    }

    public SeqNo seqNo() {
        return seqNo;
    }
}
