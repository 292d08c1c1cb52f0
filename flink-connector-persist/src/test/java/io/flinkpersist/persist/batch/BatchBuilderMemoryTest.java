package io.flinkpersist.persist.batch;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkpersist.persist.batch.part.ColumnarRecords;
import io.flinkpersist.persist.blob.MemBlob;
import io.flinkpersist.persist.testutils.ForwardingBlob;
import io.flinkpersist.persist.time.Frontier;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What a writer's batch builder holds stays within the bound {@link BatchBuilder#heldBytes()} documents, whatever the
 * record size, with uploads slow enough that the parts in flight reach the limit: the writer's heap is a known
 * multiple of its part target (docs/datastream.md, sizing TaskManager memory).
 */
class BatchBuilderMemoryTest {
    private static final int TARGET = 64 * 1024;
    private static final long SLACK = 4 * 1024;

    /** One phase of records: {@code count} records of a key and a value of the given lengths. */
    private record Phase(int keyBytes, int valueBytes, int count) {
        long recordSize() {
            return ColumnarRecords.recordSize(keyBytes, valueBytes);
        }
    }

    static Stream<Arguments> shapes() {
        List<Arguments> cases = new ArrayList<>();
        for (int outstanding : new int[] {1, 2, 4}) {
            cases.add(Arguments.of("empty keys, 1-byte values", outstanding, false, List.of(phase(0, 1))));
            cases.add(Arguments.of("100-byte records", outstanding, false, List.of(phase(20, 80))));
            cases.add(Arguments.of("10 KiB records", outstanding, false, List.of(phase(16, 10_240))));
            cases.add(Arguments.of("records of three targets", outstanding, false, List.of(phase(8, 3 * TARGET))));
            cases.add(Arguments.of("parts of large keys, then of large values, then of tiny records", outstanding,
                    true, List.of(phase(4_000, 0), phase(0, 4_000), phase(0, 0))));
        }
        return cases.stream();
    }

    /** Records of the given shape worth 24 part targets. */
    private static Phase phase(int keyBytes, int valueBytes) {
        long size = ColumnarRecords.recordSize(keyBytes, valueBytes);
        return new Phase(keyBytes, valueBytes, (int) Math.max(3, 24L * TARGET / size));
    }

    @ParameterizedTest(name = "{0}, {1} outstanding")
    @MethodSource("shapes")
    void whatABuilderHoldsStaysWithinItsBound(String shape, int outstanding, boolean shapeChanges, List<Phase> phases) {
        BatchBuilderConfig config = BatchBuilderConfig.builder()
                .blobTargetSizeBytes(TARGET)
                .maxOutstandingParts(outstanding)
                .inlineWritesSingleMaxBytes(0)
                .build();
        long largest = phases.stream().mapToLong(Phase::recordSize).max().orElseThrow();
        long bound = (2L * outstanding + (shapeChanges ? 6 : 2)) * (TARGET + largest) + SLACK;
        long most = 0;
        long distinct = 0;
        try (BatchFixture f = new BatchFixture(config, new SlowBlob())) {
            BatchBuilder builder = f.builder(0);
            for (Phase phase : phases) {
                for (int i = 0; i < phase.count(); i++) {
                    // Distinct times: consolidation keeps every record, so every part is as large as the target.
                    builder.add(new byte[phase.keyBytes()], new byte[phase.valueBytes()], distinct++, 1);
                    long held = builder.heldBytes();
                    assertThat(held).as("held after record %d of %s", i, phase).isLessThanOrEqualTo(bound);
                    most = Math.max(most, held);
                }
            }
            assertThat(most).as("the parts in flight were counted").isGreaterThan((long) outstanding * TARGET);
            HollowBatch batch = builder.finish(Frontier.of(distinct)).intoHollowBatch();
            assertThat(batch.len()).isEqualTo(distinct);
            assertThat(builder.heldBytes()).as("after finish, only the buffer's arrays")
                    .isLessThanOrEqualTo((shapeChanges ? 6 : 2) * (TARGET + largest) + SLACK);
        }
    }

    /** Uploads that take a while, so that a writer cuts parts faster than they are uploaded. */
    private static final class SlowBlob extends ForwardingBlob {
        SlowBlob() {
            super(new MemBlob());
        }

        @Override
        public void set(String key, byte[] value) {
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while uploading " + key, e);
            }
            super.set(key, value);
        }
    }
}
