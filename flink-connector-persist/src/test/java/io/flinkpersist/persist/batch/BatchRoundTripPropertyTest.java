package io.flinkpersist.persist.batch;

import static io.flinkpersist.persist.batch.BatchFixture.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.flinkpersist.persist.batch.BatchFixture.Update;
import io.flinkpersist.persist.batch.part.ColumnarRecords;
import io.flinkpersist.persist.read.PartFetcher;
import io.flinkpersist.persist.time.Frontier;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** Whatever is added, with whatever part size, reads back from its parts as the same collection. */
class BatchRoundTripPropertyTest {
    private static final long LOWER = 10;
    private static final long UPPER = 20;

    @Provide
    Arbitrary<List<Update>> updates() {
        Arbitrary<Update> update = Combinators.combine(
                        Arbitraries.of("", "a", "b", "bb", "c", "k\u0000", "long-key-".repeat(5)),
                        Arbitraries.of("", "x", "y"),
                        Arbitraries.longs().between(LOWER, UPPER - 1),
                        Arbitraries.longs().between(-3, 3))
                .as(Update::of);
        return update.list().ofMaxSize(200);
    }

    @Property(tries = 150)
    void partsReadBackAsTheConsolidatedInput(@ForAll("updates") List<Update> input,
            @ForAll @IntRange(min = 0, max = 3000) int targetSize, @ForAll boolean consolidate,
            @ForAll @IntRange(min = 0, max = 3) int maxOutstanding, @ForAll("inlineThresholds") long inline) {
        BatchBuilderConfig config = BatchBuilderConfig.builder()
                .blobTargetSizeBytes(targetSize)
                .maxOutstandingParts(maxOutstanding + 1)
                .inlineWritesSingleMaxBytes(inline)
                .consolidate(consolidate)
                .statsBudgetBytes(64)
                .build();
        try (BatchFixture f = new BatchFixture(config)) {
            BatchBuilder builder = f.builder(LOWER);
            for (Update u : input) {
                builder.add(bytes(u.key()), bytes(u.value()), u.time(), u.diff());
            }
            HollowBatch batch = builder.finish(Frontier.of(UPPER)).intoHollowBatch();

            List<Update> read = f.readBack(batch);
            assertThat(BatchFixture.consolidate(read)).isEqualTo(BatchFixture.consolidate(input));
            assertThat(batch.len()).isEqualTo(read.size());
            assertThat(read).noneMatch(u -> u.diff() == 0);
            PartFetcher fetcher = new PartFetcher(f.shard, f.blob);
            for (BatchPart part : batch.parts()) {
                ColumnarRecords records = fetcher.fetch(batch.desc(), part);
                assertThat(records.len()).isPositive();
                if (!part.isInline()) {
                    assertThat(part.diffsSum()).hasValue(PartWriter.diffsSum(records));
                    assertThat(java.util.Arrays.compareUnsigned(part.keyLower(), records.key(records.minKeyIndex())))
                            .isLessThanOrEqualTo(0);
                }
            }
            if (consolidate) {
                assertThat(batch.parts().size()).isLessThanOrEqualTo(Math.max(1, read.size()));
            }
        }
    }

    @Provide
    Arbitrary<Long> inlineThresholds() {
        return Arbitraries.of(0L, 64L, 4096L);
    }
}
