package io.flinkpersist.persist.batch;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkpersist.persist.batch.part.ColumnarRecords;
import io.flinkpersist.persist.read.PartFetcher;
import io.flinkpersist.persist.testutils.WrittenStatsLayout;
import io.flinkpersist.persist.time.Frontier;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Whatever is written, consolidated or not, every blob part's stats are the bounds of the updates it holds: in
 * particular a consolidated part's key bounds, taken from its first and last update, are its least and greatest key.
 */
class PartStatsPropertyTest {
    private static final long LOWER = 10;
    private static final long UPPER = 20;

    /** An update of random bytes: keys from a small alphabet with 0xff, so that ties and missing uppers happen. */
    record Update(byte[] key, byte[] value, long time, long diff) {}

    @Provide
    Arbitrary<List<Update>> updates() {
        Arbitrary<byte[]> bytes = Arbitraries.of((byte) 0, (byte) 'a', (byte) 'b', (byte) 0xfe, (byte) 0xff)
                .array(byte[].class).ofMaxSize(6);
        return Combinators.combine(bytes, bytes, Arbitraries.longs().between(LOWER, UPPER - 1),
                        Arbitraries.longs().between(-3, 3))
                .as(Update::new)
                .list().ofMaxSize(150);
    }

    @Property(tries = 200)
    void statsAreTheBoundsOfEachPartsUpdates(@ForAll("updates") List<Update> input, @ForAll boolean consolidate,
            @ForAll @IntRange(min = 0, max = 1500) int targetSize, @ForAll @IntRange(min = 1, max = 5) int maxBoundBytes) {
        BatchBuilderConfig config = BatchBuilderConfig.builder()
                .blobTargetSizeBytes(targetSize)
                .inlineWritesSingleMaxBytes(0)
                .keyLowerMaxBytes(maxBoundBytes)
                .consolidate(consolidate)
                .build();
        try (BatchFixture f = new BatchFixture(config)) {
            BatchBuilder builder = f.builder(LOWER);
            for (Update u : input) {
                builder.add(u.key(), u.value(), u.time(), u.diff());
            }
            HollowBatch batch = builder.finish(Frontier.of(UPPER)).intoHollowBatch();
            PartFetcher fetcher = new PartFetcher(f.shard, f.blob);
            for (BatchPart part : batch.parts()) {
                ColumnarRecords records = fetcher.fetch(batch.desc(), part);
                assertThat(WrittenStatsLayout.parse(part.proto().getKeyStats()))
                        .hasValue(WrittenStatsLayout.expected(records, maxBoundBytes));
            }
        }
    }
}
