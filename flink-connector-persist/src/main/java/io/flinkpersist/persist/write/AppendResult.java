package io.flinkpersist.persist.write;

import io.flinkpersist.persist.ids.SeqNo;
import io.flinkpersist.persist.time.Frontier;

/** The outcome of a {@link WriteHandle#compareAndAppend}. */
public sealed interface AppendResult permits AppendResult.Committed, AppendResult.AlreadyCommitted, AppendResult.UpperMismatch {
    /** The batches were appended as state version {@code seqNo}. */
    record Committed(SeqNo seqNo) implements AppendResult {}

    /**
     * This writer's append with the same idempotency token and upper was committed before (by an earlier
     * attempt or a replay): nothing was appended again.
     */
    record AlreadyCommitted(Frontier upper) implements AppendResult {}

    /** The shard's upper was not the expected one; nothing was appended. */
    record UpperMismatch(Frontier expected, Frontier current) implements AppendResult {}

    /** Whether the batches are (now or earlier) part of the shard. */
    default boolean isAppended() {
        return !(this instanceof UpperMismatch);
    }
}
