package io.flinkpersist.persist.state;

import io.flinkpersist.persist.ids.SeqNo;
import io.flinkpersist.persist.time.Frontier;

/**
 * A leased reader: the since it holds the shard back to, and the state version it may still be reading
 * (its seqno hold), both released when it expires or goes away.
 */
public record ReaderState(Frontier since, SeqNo seqNoHold, long lastHeartbeatMs, long leaseDurationMs) {
    public boolean isExpired(long nowMs) {
        return lastHeartbeatMs + leaseDurationMs < nowMs;
    }

    public ReaderState heartbeat(long nowMs, SeqNo seqNo) {
        return new ReaderState(since, seqNo, Math.max(lastHeartbeatMs, nowMs), leaseDurationMs);
    }
}
