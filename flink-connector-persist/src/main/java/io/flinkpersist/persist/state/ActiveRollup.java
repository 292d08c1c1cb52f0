package io.flinkpersist.persist.state;

import io.flinkpersist.persist.ids.SeqNo;
import java.util.Objects;

/**
 * A rollup some handle was assigned to write: the version it rolls up and when it was assigned. While it is
 * recent, no other handle is assigned one, so that a busy shard writes one rollup per threshold, not one per
 * handle.
 */
public record ActiveRollup(SeqNo seqNo, long startMs) {
    public ActiveRollup {
        Objects.requireNonNull(seqNo, "seqNo");
    }
}
