package io.flinkpersist.flink.source;

import java.io.IOException;
import java.io.Serializable;
import java.util.Objects;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.util.Collector;

/**
 * Turns an update the source read (key and value bytes in the shard's codecs, its time and its diff) into stream
 * elements. A snapshot's updates are consolidated (one per distinct key and value, all at the as-of time, with the
 * summed diff); a changelog's are consolidated per time.
 */
@PublicEvolving
public interface PersistRecordDeserializer<T> extends Serializable, ResultTypeQueryable<T> {
    /** Called once per reader before the first {@link #deserialize}. */
    default void open(DeserializationSchema.InitializationContext context) throws Exception {}

    void deserialize(byte[] key, byte[] value, long time, long diff, Collector<T> out) throws IOException;

    /**
     * The value of each update (deserialized by {@code schema}), once per unit of its diff. An update with a negative
     * diff (a retraction, as a changelog has) fails the read with a {@link RetractionNotSupportedException}: implement
     * this interface to see diffs.
     */
    static <T> PersistRecordDeserializer<T> valueOnly(DeserializationSchema<T> schema) {
        return new SchemaRecordDeserializer<>(Objects.requireNonNull(schema, "schema"), null);
    }

    /** Like {@link #valueOnly}, of the key. */
    static <T> PersistRecordDeserializer<T> keyOnly(DeserializationSchema<T> schema) {
        return new SchemaRecordDeserializer<>(null, Objects.requireNonNull(schema, "schema"));
    }

    /** Like {@link #valueOnly}, of the key and the value. */
    static <K, V> PersistRecordDeserializer<Tuple2<K, V>> keyAndValue(DeserializationSchema<K> key,
            DeserializationSchema<V> value) {
        return SchemaRecordDeserializer.keyAndValue(Objects.requireNonNull(key, "key"),
                Objects.requireNonNull(value, "value"));
    }
}
