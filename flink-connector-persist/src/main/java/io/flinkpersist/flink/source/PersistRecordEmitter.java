package io.flinkpersist.flink.source;

import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.connector.base.source.reader.RecordEmitter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.util.Collector;

/**
 * Deserializes an update into elements stamped with its time, and moves its split's state past it. With progress
 * watermarks, the end of a step is followed by a watermark one below the split's new frontier, on the split's own
 * output: Flink forwards the least over the reader's splits, and creates a split's output as the split is added, so
 * a split not yet read holds the watermark back.
 */
final class PersistRecordEmitter<T> implements RecordEmitter<SourceElement, T, PersistSplitState> {
    private final PersistRecordDeserializer<T> deserializer;
    private final Counter bytesIn;
    private final Counter recordsIn;
    private final boolean progressWatermarks;
    private final StampingCollector<T> collector = new StampingCollector<>();

    /**
     * @param bytesIn counts the key and value bytes of every update read
     * @param recordsIn Flink's count of the elements the split reader handed over: the ends of steps are not updates
     *     read, so they are taken off again
     */
    PersistRecordEmitter(PersistRecordDeserializer<T> deserializer, Counter bytesIn, Counter recordsIn,
            boolean progressWatermarks) {
        this.deserializer = deserializer;
        this.bytesIn = bytesIn;
        this.recordsIn = recordsIn;
        this.progressWatermarks = progressWatermarks;
    }

    @Override
    public void emitRecord(SourceElement element, SourceOutput<T> output, PersistSplitState state) throws Exception {
        if (!element.end()) {
            bytesIn.inc(element.key().length + element.value().length);
            collector.output = output;
            collector.time = element.time();
            deserializer.deserialize(element.key(), element.value(), element.time(), element.diff(), collector);
            state.emitted(element);
        } else {
            recordsIn.dec();
            state.emitted(element);
            if (progressWatermarks) {
                long frontier = state.toSplit().frontier();
                output.emitWatermark(new Watermark(frontier == Long.MAX_VALUE ? Long.MAX_VALUE : frontier - 1));
            }
        }
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
