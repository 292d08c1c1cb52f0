package io.flinkpersist.flink.sink.writer;

import java.util.List;
import java.util.Objects;
import org.apache.flink.annotation.Internal;

/**
 * What a writer hands the commit aggregator at a checkpoint or at end of input: its finished batch, if it wrote
 * anything, and the sessions of a failed attempt whose leftover parts are to be deleted, if it was restored.
 *
 * @param batch the transmittable {@code ProtoBatch}, or null if the writer wrote nothing
 * @param abandonedSessions the sessions to clean up; empty except in the first result after a restore
 */
@Internal
public record PersistWriteResult(byte[] batch, List<AbandonedSession> abandonedSessions) {
    public PersistWriteResult {
        abandonedSessions = List.copyOf(Objects.requireNonNull(abandonedSessions, "abandonedSessions"));
        if (batch == null && abandonedSessions.isEmpty()) {
            throw new IllegalArgumentException("a write result carries a batch, sessions to clean up, or both");
        }
    }

    @Override
    public String toString() {
        return "PersistWriteResult{" + (batch == null ? "no batch" : batch.length + " batch bytes") + ", "
                + abandonedSessions.size() + " abandoned sessions}";
    }
}
