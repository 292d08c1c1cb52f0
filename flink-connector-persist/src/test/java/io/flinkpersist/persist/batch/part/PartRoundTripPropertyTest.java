package io.flinkpersist.persist.batch.part;

import io.flinkpersist.persist.testutils.Update;
import static org.assertj.core.api.Assertions.assertThat;

import io.flinkpersist.persist.time.Description;
import io.flinkpersist.persist.time.Frontier;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Any valid part comes back from either encoding exactly as it went in. */
class PartRoundTripPropertyTest {
    @Property(tries = 200)
    void parquetRoundTrip(@ForAll("validParts") BlobTraceBatchPart part) {
        assertThat(ParquetPartCodec.decode("key", ParquetPartCodec.encode(part))).isEqualTo(part);
    }

    @Property(tries = 200)
    void inlineRoundTrip(@ForAll("validParts") BlobTraceBatchPart part) {
        assertThat(InlinePartCodec.decode("inline", InlinePartCodec.encode(part))).isEqualTo(part);
    }

    @Provide
    Arbitrary<BlobTraceBatchPart> validParts() {
        Arbitrary<Long> lowers = Arbitraries.oneOf(Arbitraries.just(0L), Arbitraries.longs().between(0, Long.MAX_VALUE - 1));
        return lowers.flatMap(lower -> {
            Arbitrary<Frontier> uppers = Arbitraries.oneOf(
                    Arbitraries.just(Frontier.EMPTY),
                    Arbitraries.longs().between(lower + 1, Long.MAX_VALUE).map(Frontier::of));
            return uppers.flatMap(upper -> {
                long lastTime = upper.element().orElse(Long.MIN_VALUE) - 1; // Long.MAX_VALUE for the empty upper
                Arbitrary<Long> times = Arbitraries.oneOf(
                        Arbitraries.just(lower), Arbitraries.just(lastTime), Arbitraries.longs().between(lower, lastTime));
                Arbitrary<Update> updates = Combinators.combine(bytes(), bytes(), times, diffs()).as(Update::new);
                return Combinators.combine(updates.list().ofMaxSize(40), Arbitraries.longs().between(0, Long.MAX_VALUE))
                        .as((list, index) -> new BlobTraceBatchPart(
                                Description.of(Frontier.of(lower), upper), index, Update.records(list)));
            });
        });
    }

    private static Arbitrary<byte[]> bytes() {
        return Arbitraries.oneOf(
                Arbitraries.just(new byte[0]),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(64),
                Arbitraries.bytes().array(byte[].class).ofMinSize(1000).ofMaxSize(5000));
    }

    private static Arbitrary<Long> diffs() {
        return Arbitraries.oneOf(
                Arbitraries.of(1L, -1L, Long.MIN_VALUE, Long.MAX_VALUE),
                Arbitraries.longs().filter(d -> d != 0));
    }
}
