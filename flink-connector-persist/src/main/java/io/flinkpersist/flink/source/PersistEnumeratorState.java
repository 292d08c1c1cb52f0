package io.flinkpersist.flink.source;

import java.util.List;
import org.apache.flink.annotation.Internal;

/** The splits the enumerator has not assigned yet; their planning is done once, when the source first starts. */
@Internal
public record PersistEnumeratorState(List<PersistSplit> unassigned) {
    public PersistEnumeratorState {
        unassigned = List.copyOf(unassigned);
    }
}
