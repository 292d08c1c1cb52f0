package io.flinkpersist.persist.read;

import io.flinkpersist.persist.batch.part.PartDecodeException;
import io.flinkpersist.persist.testutils.Update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flinkpersist.persist.batch.BatchBuilderConfig;
import io.flinkpersist.persist.batch.HollowBatch;
import io.flinkpersist.persist.batch.part.ColumnarRecords;
import io.flinkpersist.persist.time.Description;
import io.flinkpersist.persist.time.Frontier;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class RunSourceTest {
    private static final long LOWER = 10;
    private static final long UPPER = 20;

    private static BatchBuilderConfig config(boolean consolidate) {
        // About five updates per part, all in blob.
        return BatchBuilderConfig.builder()
                .blobTargetSizeBytes(150)
                .inlineWritesSingleMaxBytes(0)
                .consolidate(consolidate)
                .build();
    }

    /** Keys descending: unsorted parts when written unconsolidated, one run per part when consolidated. */
    private static List<Update> descending(int count) {
        List<Update> updates = new ArrayList<>();
        for (int i = count - 1; i >= 0; i--) {
            updates.add(Update.of(String.format("k%03d", i), "v", LOWER + i % 5, 1));
        }
        return updates;
    }

    private static List<Update> read(RunSource source, HollowBatch batch, boolean partsSorted) {
        return Update.drain(new Consolidator(source.runs(batch, batch.desc(), partsSorted, UnaryOperator.identity())));
    }

    @Test
    void unconsolidatedBatchIsReadCorrectlyOnlyWhenItsPartsAreSorted() {
        BatchWriting writing = new BatchWriting(config(false));
        List<Update> input = new ArrayList<>(descending(40));
        input.add(Update.of("k005", "v", LOWER, -1));
        HollowBatch batch = writing.write(input, LOWER, UPPER);
        RunSource source = new RunSource(writing.fetcher());
        assertThat(batch.parts()).hasSizeGreaterThan(3);

        assertThat(batch.partsKnownSorted()).isFalse();
        assertThat(read(source, batch, false)).isEqualTo(ReferenceConsolidation.of(input));
        // Read as sorted, the run goes backwards: a typed error naming the part where it does.
        assertThatThrownBy(() -> read(source, batch, true)).isInstanceOf(PartDecodeException.class)
                .hasMessageContaining("sorts below the update before it")
                .satisfies(e -> assertThat(batch.parts()).anySatisfy(part -> assertThat(e.getMessage())
                        .contains(part.blobKey(writing.fetcher().shardId()))));
    }

    @Test
    void singlePartUnconsolidatedBatchIsNotTakenAsSorted() {
        BatchWriting writing = new BatchWriting(BatchBuilderConfig.builder().consolidate(false).build());
        List<Update> input = descending(10);
        HollowBatch batch = writing.write(input, LOWER, UPPER);
        assertThat(batch.parts()).hasSize(1);

        assertThat(batch.partsKnownSorted()).isFalse();
        assertThat(read(new RunSource(writing.fetcher()), batch, batch.partsKnownSorted()))
                .isEqualTo(ReferenceConsolidation.of(input));
    }

    @Test
    void consolidatedBatchReadsAsItsRuns() {
        BatchWriting writing = new BatchWriting(config(true));
        List<Update> ascending = new ArrayList<>(descending(30));
        ascending.sort(Update.KEY_VAL_TIME);
        // Two ascending sequences in a row: two sorted runs of several parts each.
        List<Update> input = new ArrayList<>(ascending);
        input.addAll(ascending);
        HollowBatch batch = writing.write(input, LOWER, UPPER);
        RunSource source = new RunSource(writing.fetcher());

        assertThat(batch.runSplits()).hasSize(1);
        assertThat(batch.partsKnownSorted()).isTrue();
        assertThat(source.runs(batch, batch.desc(), true, UnaryOperator.identity())).hasSize(2);
        assertThat(read(source, batch, true)).isEqualTo(ReferenceConsolidation.of(input));
        // Sorting again is never wrong, only slower.
        assertThat(read(source, batch, false)).isEqualTo(ReferenceConsolidation.of(input));
    }

    @Test
    void fetchesAPartOnlyWhenItsRunReachesIt() {
        BatchWriting writing = new BatchWriting(config(true));
        List<Update> input = new ArrayList<>(descending(30));
        input.sort(Update.KEY_VAL_TIME);
        HollowBatch batch = writing.write(input, LOWER, UPPER);
        AtomicInteger fetched = new AtomicInteger();
        List<Iterator<ColumnarRecords>> runs = new RunSource(writing.fetcher()).runs(batch, batch.desc(), true,
                records -> {
                    fetched.incrementAndGet();
                    return records;
                });
        assertThat(runs).hasSize(1);
        assertThat(batch.parts()).hasSizeGreaterThan(3);
        Consolidator merge = new Consolidator(runs);
        assertThat(fetched).hasValue(0);

        assertThat(merge.next()).isTrue();
        assertThat(fetched).hasValue(1);

        while (merge.next()) {
            // Drain.
        }
        assertThat(fetched).hasValue(batch.parts().size());
    }

    @Test
    void readsOnlyTheRegisteredInterval() {
        BatchWriting writing = new BatchWriting(config(false));
        List<Update> input = descending(40);
        HollowBatch batch = writing.write(input, LOWER, UPPER);
        Description registered = Description.of(Frontier.of(LOWER + 1), Frontier.of(LOWER + 3));

        List<Update> read = Update.drain(new Consolidator(new RunSource(writing.fetcher())
                .runs(batch, registered, false, UnaryOperator.identity())));

        assertThat(read).isEqualTo(ReferenceConsolidation.of(
                input.stream().filter(u -> u.time() == LOWER + 1 || u.time() == LOWER + 2).toList()));
    }
}
