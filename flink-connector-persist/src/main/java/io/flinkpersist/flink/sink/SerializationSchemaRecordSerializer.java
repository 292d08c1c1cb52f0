package io.flinkpersist.flink.sink;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.serialization.SerializationSchema;

/** Appends elements (diff +1) serialized by a Flink {@link SerializationSchema} as the key or the value. */
@Internal
final class SerializationSchemaRecordSerializer<T> implements PersistRecordSerializer<T> {
    private static final long serialVersionUID = 1L;
    private static final byte[] EMPTY = new byte[0];

    private final SerializationSchema<T> schema;
    private final boolean asKey;

    SerializationSchemaRecordSerializer(SerializationSchema<T> schema, boolean asKey) {
        this.schema = schema;
        this.asKey = asKey;
    }

    @Override
    public void open(SerializationSchema.InitializationContext context) throws Exception {
        schema.open(context);
    }

    @Override
    public PersistRecord serialize(T element) {
        byte[] bytes = schema.serialize(element);
        return asKey ? new PersistRecord(bytes, EMPTY, 1) : new PersistRecord(EMPTY, bytes, 1);
    }
}
