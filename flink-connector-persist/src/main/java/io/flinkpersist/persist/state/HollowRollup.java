package io.flinkpersist.persist.state;

import io.flinkpersist.persist.ids.PartialRollupKey;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * A rollup as the state records it: where the full state of one version sits in blob, and its size when
 * known (a shard's first rollup names itself, so its own size cannot be in it).
 */
public record HollowRollup(PartialRollupKey key, OptionalLong encodedSizeBytes) {
    public HollowRollup {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(encodedSizeBytes, "encodedSizeBytes");
    }
}
