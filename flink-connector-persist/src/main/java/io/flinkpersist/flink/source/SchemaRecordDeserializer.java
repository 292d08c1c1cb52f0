package io.flinkpersist.flink.source;

import java.io.IOException;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.api.java.typeutils.TupleTypeInfo;
import org.apache.flink.util.Collector;

/** The ready-made deserializers: an element from the value, the key, or both, once per unit of a positive diff. */
final class SchemaRecordDeserializer<T> implements PersistRecordDeserializer<T> {
    private static final long serialVersionUID = 1L;

    private final DeserializationSchema<?> valueSchema;
    private final DeserializationSchema<?> keySchema;

    /** One of the two schemas is null: the element is the other's. */
    SchemaRecordDeserializer(DeserializationSchema<?> valueSchema, DeserializationSchema<?> keySchema) {
        this.valueSchema = valueSchema;
        this.keySchema = keySchema;
    }

    static <K, V> PersistRecordDeserializer<Tuple2<K, V>> keyAndValue(DeserializationSchema<K> key,
            DeserializationSchema<V> value) {
        return new SchemaRecordDeserializer<>(value, key);
    }

    @Override
    public void open(DeserializationSchema.InitializationContext context) throws Exception {
        if (valueSchema != null) {
            valueSchema.open(context);
        }
        if (keySchema != null) {
            keySchema.open(context);
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public void deserialize(byte[] key, byte[] value, long time, long diff, Collector<T> out) throws IOException {
        if (diff < 0) {
            throw new RetractionNotSupportedException(time, diff);
        }
        T element;
        if (keySchema == null) {
            element = (T) valueSchema.deserialize(value);
        } else if (valueSchema == null) {
            element = (T) keySchema.deserialize(key);
        } else {
            element = (T) Tuple2.of(keySchema.deserialize(key), valueSchema.deserialize(value));
        }
        for (long i = 0; i < diff; i++) {
            out.collect(element);
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public TypeInformation<T> getProducedType() {
        if (keySchema == null) {
            return (TypeInformation<T>) valueSchema.getProducedType();
        }
        if (valueSchema == null) {
            return (TypeInformation<T>) keySchema.getProducedType();
        }
        return (TypeInformation<T>) new TupleTypeInfo<Tuple2<?, ?>>(keySchema.getProducedType(),
                valueSchema.getProducedType());
    }
}
