package io.flinkpersist.persist.state;

import java.util.Objects;

/**
 * The names of the codecs a shard's keys, values, times and diffs are written with. A shard remembers the
 * names it was created with, and a handle with other names is refused: its bytes would be misread.
 */
public record Codecs(String key, String value, String time, String diff) {
    /** Times are u64 and diffs i64, as persist's {@code u64} / {@code i64} codecs. */
    public static final String U64 = "u64";
    public static final String I64 = "i64";

    public Codecs {
        for (String name : new String[] {key, value, time, diff}) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("codec names must not be empty: " + key + ", " + value + ", " + time + ", " + diff);
            }
        }
    }

    /** Opaque byte keys and values named by the user (e.g. a Flink format), u64 times and i64 diffs. */
    public static Codecs of(String keyCodec, String valueCodec) {
        return new Codecs(Objects.requireNonNull(keyCodec, "keyCodec"), Objects.requireNonNull(valueCodec, "valueCodec"), U64, I64);
    }
}
