package io.flinkpersist.flink.sink.writer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class PersistWriteResultSerializerTest {
    @Test
    void resultsRoundTripAndVersion1IsABatchAlone() throws IOException {
        PersistWriteResultSerializer results = new PersistWriteResultSerializer();
        PersistWriteResult result = new PersistWriteResult(new byte[] {1, 2, 3},
                List.of(new AbandonedSession("n0000100", UUID.randomUUID(), 5, 2, 9)));
        PersistWriteResult sessionsOnly = new PersistWriteResult(null,
                List.of(new AbandonedSession("n0000100", UUID.randomUUID(), 0, 1, 3)));

        PersistWriteResult back = results.deserialize(results.getVersion(), results.serialize(result));
        assertThat(back.batch()).containsExactly(1, 2, 3);
        assertThat(back.abandonedSessions()).isEqualTo(result.abandonedSessions());
        PersistWriteResult backSessions = results.deserialize(results.getVersion(), results.serialize(sessionsOnly));
        assertThat(backSessions.batch()).isNull();
        assertThat(backSessions.abandonedSessions()).isEqualTo(sessionsOnly.abandonedSessions());
        // Unaligned checkpoints of earlier builds hold write results in flight: version 1 is the batch's bytes.
        PersistWriteResult legacy = results.deserialize(1, new byte[] {4, 5});
        assertThat(legacy.batch()).containsExactly(4, 5);
        assertThat(legacy.abandonedSessions()).isEmpty();
    }
}
