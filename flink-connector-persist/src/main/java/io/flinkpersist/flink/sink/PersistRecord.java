package io.flinkpersist.flink.sink;

import java.util.Objects;
import org.apache.flink.annotation.PublicEvolving;

/**
 * One update for a persist shard: key and value bytes (encoded with the codecs the sink names) and a diff
 * (+1 inserts, -1 retracts).
 */
@PublicEvolving
public record PersistRecord(byte[] key, byte[] value, long diff) {
    public PersistRecord {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
    }
}
