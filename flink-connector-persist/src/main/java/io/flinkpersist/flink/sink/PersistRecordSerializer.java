package io.flinkpersist.flink.sink;

import java.io.Serializable;
import java.util.Objects;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.serialization.SerializationSchema;

/** Turns a stream element into the update the sink writes: key bytes, value bytes and a diff. */
@PublicEvolving
public interface PersistRecordSerializer<T> extends Serializable {
    /** Called once per writer before the first {@link #serialize}. */
    default void open(SerializationSchema.InitializationContext context) throws Exception {}

    PersistRecord serialize(T element);

    /** Each element becomes the value (serialized by {@code schema}) with an empty key and diff +1. */
    static <T> PersistRecordSerializer<T> valueOnly(SerializationSchema<T> schema) {
        return new SerializationSchemaRecordSerializer<>(Objects.requireNonNull(schema, "schema"), false);
    }

    /** Each element becomes the key (serialized by {@code schema}) with an empty value and diff +1. */
    static <T> PersistRecordSerializer<T> keyOnly(SerializationSchema<T> schema) {
        return new SerializationSchemaRecordSerializer<>(Objects.requireNonNull(schema, "schema"), true);
    }
}
