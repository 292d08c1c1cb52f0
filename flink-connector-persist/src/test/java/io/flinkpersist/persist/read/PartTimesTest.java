package io.flinkpersist.persist.read;

import io.flinkpersist.persist.testutils.Update;
import static org.assertj.core.api.Assertions.assertThat;

import io.flinkpersist.persist.batch.part.ColumnarRecords;
import io.flinkpersist.persist.time.Frontier;
import java.util.List;
import org.junit.jupiter.api.Test;

class PartTimesTest {
    private static final ColumnarRecords PART = Update.records(Update.of("a", "x", 1, 1), Update.of("a", "x", 3, 2),
            Update.of("b", "", 5, -1), Update.of("c", "y", 7, 4));

    @Test
    void snapshotKeepsTimesUpToAsOfAndAdvancesThemToIt() {
        long asOf = 5;

        ColumnarRecords mapped = PartTimes.mapTimes(PART, t -> t <= asOf, Frontier.of(asOf)::advance);

        assertThat(Update.list(mapped)).containsExactly(Update.of("a", "x", 5, 1), Update.of("a", "x", 5, 2),
                Update.of("b", "", 5, -1));
    }

    @Test
    void listenKeepsTimesBeyondAsOfAndAtOrBeyondTheFrontier() {
        long asOf = 1;
        Frontier frontier = Frontier.of(4);

        ColumnarRecords mapped = PartTimes.mapTimes(PART, t -> asOf < t && frontier.lessEqual(t), t -> t);

        assertThat(Update.list(mapped)).containsExactly(Update.of("b", "", 5, -1), Update.of("c", "y", 7, 4));
    }

    @Test
    void movingTimesOnlyKeepsEveryUpdateInItsPlace() {
        ColumnarRecords mapped = PartTimes.mapTimes(PART, t -> true, Frontier.of(4)::advance);

        assertThat(Update.list(mapped)).containsExactly(Update.of("a", "x", 4, 1), Update.of("a", "x", 4, 2),
                Update.of("b", "", 5, -1), Update.of("c", "y", 7, 4));
        assertThat(Update.list(PART)).as("the part itself").containsExactly(Update.of("a", "x", 1, 1),
                Update.of("a", "x", 3, 2), Update.of("b", "", 5, -1), Update.of("c", "y", 7, 4));
    }

    @Test
    void returnsThePartItselfWhenNothingChanges() {
        assertThat(PartTimes.mapTimes(PART, t -> true, t -> t)).isSameAs(PART);
        assertThat(PartTimes.mapTimes(PART, t -> false, t -> t).len()).isZero();
    }

    @Test
    void advancedSortedPartMergesWithItsNewNeighboursSummed() {
        ColumnarRecords advanced = PartTimes.mapTimes(PART, t -> true, Frontier.of(6)::advance);

        assertThat(Update.list(Consolidator.consolidate(List.of(List.of(advanced).iterator()))))
                .containsExactly(Update.of("a", "x", 6, 3), Update.of("b", "", 6, -1), Update.of("c", "y", 7, 4));
    }
}
