package io.flinkpersist.flink.source;

import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.connector.base.source.reader.RecordEmitter;
import org.apache.flink.util.Collector;

/** Deserializes an update into elements stamped with its time, and moves its split's state past it. */
final class PersistRecordEmitter<T> implements RecordEmitter<SourceElement, T, PersistSplitState> {
    private final PersistRecordDeserializer<T> deserializer;
    private final StampingCollector<T> collector = new StampingCollector<>();

    PersistRecordEmitter(PersistRecordDeserializer<T> deserializer) {
        this.deserializer = deserializer;
    }

    @Override
    public void emitRecord(SourceElement element, SourceOutput<T> output, PersistSplitState state) throws Exception {
        if (!element.end()) {
            collector.output = output;
            collector.time = element.time();
            deserializer.deserialize(element.key(), element.value(), element.time(), element.diff(), collector);
        }
        state.emitted(element);
    }

    private static final class StampingCollector<T> implements Collector<T> {
        private SourceOutput<T> output;
        private long time;

        @Override
        public void collect(T record) {
            output.collect(record, time);
        }

        @Override
        public void close() {}
    }
}
