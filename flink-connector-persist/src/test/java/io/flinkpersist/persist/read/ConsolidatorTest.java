package io.flinkpersist.persist.read;

import io.flinkpersist.persist.batch.part.PartDecodeException;
import io.flinkpersist.persist.testutils.Update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flinkpersist.persist.batch.part.ColumnarRecords;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConsolidatorTest {
    private static Iterator<ColumnarRecords> run(ColumnarRecords... parts) {
        return List.of(parts).iterator();
    }

    private static List<Update> merge(List<Iterator<ColumnarRecords>> runs) {
        return Update.drain(new Consolidator(runs));
    }

    @Test
    void noRunsAndEmptyRunsAndEmptyPartsGiveNothing() {
        assertThat(merge(List.of())).isEmpty();
        assertThat(merge(List.of(run(), run(ColumnarRecords.EMPTY, ColumnarRecords.EMPTY)))).isEmpty();
    }

    @Test
    void interleavesRunsInKeyValueTimeOrder() {
        List<Update> merged = merge(List.of(
                run(Update.records(Update.of("a", "x", 1, 1), Update.of("c", "x", 1, 1))),
                run(ColumnarRecords.EMPTY, Update.records(Update.of("a", "x", 2, 1)), ColumnarRecords.EMPTY,
                        Update.records(Update.of("b", "", 0, 5), Update.of("b", "x", 0, 1)))));

        assertThat(merged).containsExactly(Update.of("a", "x", 1, 1), Update.of("a", "x", 2, 1),
                Update.of("b", "", 0, 5), Update.of("b", "x", 0, 1), Update.of("c", "x", 1, 1));
    }

    @Test
    void sumsEqualUpdatesAcrossRunsPartsAndNeighboursAndDropsZeros() {
        List<Update> merged = merge(List.of(
                // Equal neighbours within a part and across a part boundary, as advancing times produces.
                run(Update.records(Update.of("a", "x", 5, 1), Update.of("a", "x", 5, 2)),
                        Update.records(Update.of("a", "x", 5, 3), Update.of("b", "x", 5, 1))),
                run(Update.records(Update.of("a", "x", 5, -1), Update.of("b", "x", 5, -1))),
                run(Update.records(Update.of("c", "x", 5, 7)))));

        assertThat(merged).containsExactly(Update.of("a", "x", 5, 5), Update.of("c", "x", 5, 7));
    }

    @Test
    void sumsWrapLikeSigned64BitIntegers() {
        List<Update> merged = merge(List.of(
                run(Update.records(Update.of("k", "", 0, Long.MAX_VALUE))),
                run(Update.records(Update.of("k", "", 0, 1)))));

        assertThat(merged).containsExactly(Update.of("k", "", 0, Long.MIN_VALUE));
    }

    @Test
    void comparesBytesAndTimesUnsigned() {
        Update high = new Update(new byte[] {(byte) 0xff}, new byte[0], 0, 1);
        Update low = new Update(new byte[] {0x7f}, new byte[0], 0, 1);
        Update lateTime = new Update(new byte[] {0x7f}, new byte[0], -1L, 1);

        assertThat(merge(List.of(run(Update.records(high)), run(Update.records(low, lateTime)))))
                .containsExactly(low, lateTime, high);
    }

    @Test
    void pullsARunsNextPartOnlyWhenTheMergeReachesIt() {
        CountingRun first = new CountingRun(Update.records(Update.of("a", "", 0, 1), Update.of("b", "", 0, 1)),
                Update.records(Update.of("y", "", 0, 1)), Update.records(Update.of("z", "", 0, 1)));
        CountingRun second = new CountingRun(Update.records(Update.of("c", "", 0, 1), Update.of("d", "", 0, 1)));
        Consolidator merge = new Consolidator(List.of(first, second));
        assertThat(first.pulled).isZero();

        assertThat(merge.next()).isTrue();
        assertThat(merge.key()).containsExactly('a');
        assertThat(first.pulled).isEqualTo(1);
        assertThat(second.pulled).isEqualTo(1);

        // Summing "b" needs the first run's next update, so its second part comes in, but not its third.
        assertThat(merge.next()).isTrue();
        assertThat(merge.key()).containsExactly('b');
        assertThat(first.pulled).isEqualTo(2);

        assertThat(merge.next()).isTrue();
        assertThat(merge.next()).isTrue();
        assertThat(merge.key()).containsExactly('d');
        assertThat(first.pulled).isEqualTo(2);

        assertThat(merge.next()).isTrue();
        assertThat(merge.key()).containsExactly('y');
        assertThat(first.pulled).isEqualTo(3);
    }

    @Test
    void refusesARunThatGoesBackwardsAcrossParts() {
        Consolidator merge = new Consolidator(List.of(
                run(Update.records(Update.of("b", "", 0, 1)), Update.records(Update.of("a", "", 0, 1)))));

        assertThatThrownBy(() -> Update.drain(merge))
                .isInstanceOf(PartDecodeException.class)
                .hasMessageContaining("sorts below the update before it");
    }

    @Test
    void hasNoCurrentUpdateBeforeNextOrAfterTheEnd() {
        Consolidator merge = new Consolidator(List.of(run(Update.records(Update.of("a", "", 0, 1)))));
        assertThatThrownBy(merge::key).isInstanceOf(IllegalStateException.class);

        assertThat(merge.next()).isTrue();
        assertThat(merge.next()).isFalse();
        assertThatThrownBy(merge::diff).isInstanceOf(IllegalStateException.class);
        assertThat(merge.next()).isFalse();
    }

    @Test
    void consolidatesIntoOnePart() {
        ColumnarRecords merged = Consolidator.consolidate(List.of(
                run(Update.records(Update.of("a", "", 0, 1), Update.of("b", "", 0, 1))),
                run(Update.records(Update.of("a", "", 0, -1)))));

        assertThat(merged).isEqualTo(Update.records(Update.of("b", "", 0, 1)));
    }

    /** A run that counts how many of its parts were pulled. */
    private static final class CountingRun implements Iterator<ColumnarRecords> {
        private final Iterator<ColumnarRecords> parts;
        int pulled;

        CountingRun(ColumnarRecords... parts) {
            this.parts = List.of(parts).iterator();
        }

        @Override
        public boolean hasNext() {
            return parts.hasNext();
        }

        @Override
        public ColumnarRecords next() {
            pulled++;
            return parts.next();
        }
    }
}
