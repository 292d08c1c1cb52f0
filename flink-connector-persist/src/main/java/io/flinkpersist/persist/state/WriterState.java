package io.flinkpersist.persist.state;

import io.flinkpersist.persist.ids.IdempotencyToken;
import io.flinkpersist.persist.time.Frontier;

/**
 * A registered writer: its lease, and what it last appended, which is what recognises a retried
 * compare-and-append.
 */
public record WriterState(long lastHeartbeatMs, long leaseDurationMs, IdempotencyToken mostRecentWriteToken,
        Frontier mostRecentWriteUpper) {
    public static WriterState registered(long nowMs, long leaseDurationMs) {
        return new WriterState(nowMs, leaseDurationMs, IdempotencyToken.SENTINEL, Frontier.MINIMUM);
    }

    public boolean isExpired(long nowMs) {
        return lastHeartbeatMs + leaseDurationMs < nowMs;
    }

    public WriterState heartbeat(long nowMs) {
        return new WriterState(Math.max(lastHeartbeatMs, nowMs), leaseDurationMs, mostRecentWriteToken, mostRecentWriteUpper);
    }

    public WriterState wrote(IdempotencyToken token, Frontier upper, long nowMs) {
        return new WriterState(Math.max(lastHeartbeatMs, nowMs), leaseDurationMs, token, upper);
    }
}
