package io.flinkpersist.flink.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flinkpersist.persist.read.KeyRange;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class PersistSplitSerializerTest {
    private static final List<PersistSplit> SPLITS = List.of(
            PersistSplit.snapshot("keys-0", new KeyRange(new byte[0], new byte[] {5}), 42, true),
            PersistSplit.changesAfter("keys-1", new KeyRange(new byte[] {5}, null), 7),
            new PersistSplit("keys-2", KeyRange.ALL, 3, false, false, 19, 25,
                    new PersistSplit.Update(new byte[] {1, 2}, new byte[0], 20)),
            new PersistSplit("keys-3", KeyRange.ALL, 3, true, false, 4, PersistSplit.NO_STEP,
                    new PersistSplit.Update(new byte[] {9}, new byte[] {8}, 3)));

    @Test
    void splitsAndEnumeratorStatesRoundTrip() throws IOException {
        PersistSplitSerializer splits = PersistSplitSerializer.INSTANCE;
        for (PersistSplit split : SPLITS) {
            assertThat(splits.deserialize(splits.getVersion(), splits.serialize(split))).isEqualTo(split);
        }
        PersistEnumeratorStateSerializer states = new PersistEnumeratorStateSerializer();
        PersistEnumeratorState state = new PersistEnumeratorState(SPLITS);
        assertThat(states.deserialize(states.getVersion(), states.serialize(state))).isEqualTo(state);
    }

    @Test
    void whatASplitHoldsTheSinceAt() {
        assertThat(SPLITS.get(0).sinceHold()).as("a snapshot still to read: its as-of time").isEqualTo(42);
        assertThat(SPLITS.get(1).sinceHold()).as("changes after 7, nothing read yet: 7").isEqualTo(7);
        assertThat(SPLITS.get(2).sinceHold()).as("changes read through 18").isEqualTo(18);
    }

    @Test
    void damagedOrUnknownBytesAreRefused() throws IOException {
        byte[] bytes = PersistSplitSerializer.INSTANCE.serialize(SPLITS.get(2));
        assertThatThrownBy(() -> PersistSplitSerializer.INSTANCE.deserialize(2, bytes))
                .hasMessageContaining("unknown version 2");
        assertThatThrownBy(() -> PersistSplitSerializer.INSTANCE.deserialize(1, Arrays.copyOf(bytes, bytes.length - 3)))
                .isInstanceOf(IOException.class);
    }
}
