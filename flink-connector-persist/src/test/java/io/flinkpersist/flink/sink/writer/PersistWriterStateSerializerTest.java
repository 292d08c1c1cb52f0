package io.flinkpersist.flink.sink.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class PersistWriterStateSerializerTest {
    private final PersistWriterStateSerializer serializer = new PersistWriterStateSerializer();

    @Test
    void aStateRoundTrips() throws IOException {
        PersistWriterState state = new PersistWriterState(UUID.randomUUID() + "/0f1e2d3c4b5a69788796a5b4c3d2e1f0",
                UUID.randomUUID(), "n0000100", 42, 3);

        assertThat(serializer.deserialize(serializer.getVersion(), serializer.serialize(state))).isEqualTo(state);
    }

    /** Version 1, as earlier builds wrote it: the job id stands where the sink instance is, and matches none. */
    @Test
    void version1IsReadWithItsJobIdAsAnInstanceNoneMatches() throws IOException {
        UUID session = UUID.randomUUID();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeUTF("0f1e2d3c4b5a69788796a5b4c3d2e1f0");
            out.writeLong(session.getMostSignificantBits());
            out.writeLong(session.getLeastSignificantBits());
            out.writeUTF("n0000100");
            out.writeLong(42);
            out.writeInt(3);
        }

        assertThat(serializer.deserialize(1, bytes.toByteArray())).isEqualTo(new PersistWriterState(
                "job:0f1e2d3c4b5a69788796a5b4c3d2e1f0", session, "n0000100", 42, 3));
    }

    @Test
    void anUnknownVersionNamesItAndTheVersionsThisBuildReads() {
        assertThatThrownBy(() -> serializer.deserialize(7, new byte[0]))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("unknown PersistWriterState version 7 (this build reads 1 and 2)");
    }
}
