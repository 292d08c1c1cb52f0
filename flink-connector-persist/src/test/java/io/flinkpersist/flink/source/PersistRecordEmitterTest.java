package io.flinkpersist.flink.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkpersist.persist.read.KeyRange;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.serialization.SimpleStringSchema;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.metrics.SimpleCounter;
import org.junit.jupiter.api.Test;

/** Elements carry their update's time; progress watermarks are one below the frontier a step moved the split to. */
class PersistRecordEmitterTest {
    /** What reached the output, in order: "key@timestamp" or "watermark N". */
    private static final class RecordingOutput implements SourceOutput<String> {
        final List<String> seen = new ArrayList<>();

        @Override
        public void collect(String record) {
            seen.add(record + "@none");
        }

        @Override
        public void collect(String record, long timestamp) {
            seen.add(record + "@" + timestamp);
        }

        @Override
        public void emitWatermark(Watermark watermark) {
            seen.add("watermark " + watermark.getTimestamp());
        }

        @Override
        public void markIdle() {}

        @Override
        public void markActive() {}
    }

    private static List<String> emit(boolean progressWatermarks, PersistSplit split, SourceElement... elements)
            throws Exception {
        SimpleCounter recordsIn = new SimpleCounter();
        recordsIn.inc(elements.length);
        PersistRecordEmitter<String> emitter = new PersistRecordEmitter<>(
                PersistRecordDeserializer.keyOnly(new SimpleStringSchema()), new SimpleCounter(), recordsIn,
                progressWatermarks);
        PersistSplitState state = new PersistSplitState(split);
        RecordingOutput output = new RecordingOutput();
        for (SourceElement element : elements) {
            emitter.emitRecord(element, output, state);
        }
        assertThat(recordsIn.getCount()).as("updates read; the ends of steps are not")
                .isEqualTo(output.seen.stream().filter(s -> !s.startsWith("watermark")).count());
        return output.seen;
    }

    private static SourceElement update(String key, long time, boolean snapshot, long stepUpper) {
        return SourceElement.update(key.getBytes(StandardCharsets.UTF_8), new byte[0], time, 1, snapshot, stepUpper);
    }

    @Test
    void theEndOfTheSnapshotAndOfEachStepIsFollowedByAWatermarkBelowTheNewFrontier() throws Exception {
        PersistSplit split = PersistSplit.snapshot("keys-0", KeyRange.ALL, 5, false);
        assertThat(emit(true, split,
                update("a", 5, true, PersistSplit.NO_STEP), SourceElement.endOfSnapshot(),
                update("b", 7, false, 9), update("c", 8, false, 9), SourceElement.endOfStep(9),
                SourceElement.endOfStep(12),
                update("d", 12, false, Long.MAX_VALUE), SourceElement.endOfStep(Long.MAX_VALUE)))
                .containsExactly("a@5", "watermark 5", "b@7", "c@8", "watermark 8", "watermark 11", "d@12",
                        "watermark " + Long.MAX_VALUE);
    }

    @Test
    void withoutProgressWatermarksOnlyTheElementsAreEmitted() throws Exception {
        PersistSplit split = PersistSplit.changesAfter("keys-0", KeyRange.ALL, 5);
        assertThat(emit(false, split, update("b", 7, false, 9), SourceElement.endOfStep(9)))
                .containsExactly("b@7");
    }
}
