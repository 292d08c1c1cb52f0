package io.flinkpersist.flink.sink.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class PersistWriterStateSerializerTest {
    private final PersistWriterStateSerializer serializer = new PersistWriterStateSerializer();

    @Test
    void aStateRoundTrips() throws IOException {
        PersistWriterState state = new PersistWriterState("0f1e2d3c4b5a69788796a5b4c3d2e1f0", UUID.randomUUID(),
                "n0000100", 42, 3);

        assertThat(serializer.deserialize(serializer.getVersion(), serializer.serialize(state))).isEqualTo(state);
    }

    @Test
    void anUnknownVersionNamesItAndTheVersionThisBuildReads() {
        assertThatThrownBy(() -> serializer.deserialize(7, new byte[0]))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("unknown PersistWriterState version 7 (this build reads 1)");
    }
}
