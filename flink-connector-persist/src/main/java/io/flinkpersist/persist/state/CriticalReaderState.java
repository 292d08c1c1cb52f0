package io.flinkpersist.persist.state;

import io.flinkpersist.persist.time.Frontier;

/**
 * A critical reader: a since that holds the shard back until its holder moves it, with no lease and no seqno hold.
 * {@code opaque} is the holder's token (persist's compare-and-downgrade fencing value) in {@code opaqueCodec}, and
 * {@code purpose} says who holds it, for operators reading the state.
 */
public record CriticalReaderState(Frontier since, long opaque, String opaqueCodec, String purpose) {
    /** With the since moved to {@code target}, never back. */
    public CriticalReaderState advancedTo(Frontier target) {
        return new CriticalReaderState(Frontier.max(since, target), opaque, opaqueCodec, purpose);
    }
}
