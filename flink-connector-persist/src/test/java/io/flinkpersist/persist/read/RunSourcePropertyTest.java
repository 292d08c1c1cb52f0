package io.flinkpersist.persist.read;

import io.flinkpersist.persist.testutils.Update;
import static org.assertj.core.api.Assertions.assertThat;

import io.flinkpersist.persist.batch.BatchBuilderConfig;
import io.flinkpersist.persist.batch.HollowBatch;
import io.flinkpersist.persist.batch.part.ColumnarRecords;
import io.flinkpersist.persist.time.Frontier;
import java.util.List;
import java.util.function.UnaryOperator;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/** Real batches, cut into many parts, read back through fetch, time mapping and merge as the consolidated input. */
class RunSourcePropertyTest {
    private static final long LOWER = 10;
    private static final long UPPER = 20;

    @Provide
    Arbitrary<List<Update>> updates() {
        Arbitrary<byte[]> keys = Arbitraries.of(new byte[0], new byte[] {0}, new byte[] {(byte) 0xff},
                new byte[] {'a'}, new byte[] {'a', (byte) 0xff}, new byte[] {'b'}, "long-key-".repeat(4).getBytes());
        Arbitrary<byte[]> values = Arbitraries.of(new byte[0], new byte[] {0}, new byte[] {'x'});
        return Combinators.combine(keys, values, Arbitraries.longs().between(LOWER, UPPER - 1),
                        Arbitraries.longs().between(-3, 3))
                .as(Update::new)
                .list().ofMaxSize(200);
    }

    @Property(tries = 120)
    void batchReadsBackAsTheConsolidatedInput(@ForAll("updates") List<Update> input,
            @ForAll @IntRange(min = 0, max = 1500) int targetSize, @ForAll boolean consolidate,
            @ForAll boolean inlineSmallParts, @ForAll @LongRange(min = LOWER - 1, max = UPPER + 1) long asOf,
            @ForAll @LongRange(min = LOWER, max = UPPER) long listenFrontier) {
        BatchWriting writing = new BatchWriting(BatchBuilderConfig.builder()
                .blobTargetSizeBytes(targetSize)
                .inlineWritesSingleMaxBytes(inlineSmallParts ? 200 : 0)
                .consolidate(consolidate)
                .build());
        HollowBatch batch = writing.write(input, LOWER, UPPER);
        RunSource source = new RunSource(writing.fetcher());
        boolean sorted = batch.partsKnownSorted();

        assertThat(read(source, batch, sorted, UnaryOperator.identity()))
                .isEqualTo(ReferenceConsolidation.of(input));

        Frontier asOfFrontier = Frontier.of(asOf);
        assertThat(read(source, batch, sorted, part -> PartTimes.mapTimes(part, t -> t <= asOf, asOfFrontier::advance)))
                .isEqualTo(ReferenceConsolidation.of(input.stream()
                        .filter(u -> u.time() <= asOf).map(u -> u.withTime(Math.max(u.time(), asOf))).toList()));

        assertThat(read(source, batch, sorted,
                part -> PartTimes.mapTimes(part, t -> asOf < t && listenFrontier <= t, t -> t)))
                .isEqualTo(ReferenceConsolidation.of(input.stream()
                        .filter(u -> asOf < u.time() && listenFrontier <= u.time()).toList()));
    }

    private static List<Update> read(RunSource source, HollowBatch batch, boolean partsSorted,
            UnaryOperator<ColumnarRecords> transform) {
        return Update.drain(new Consolidator(source.runs(batch, batch.desc(), partsSorted, transform)));
    }
}
