package io.flinkpersist.persist.read;

import io.flinkpersist.persist.testutils.Update;
import static org.assertj.core.api.Assertions.assertThat;

import io.flinkpersist.persist.batch.part.ColumnarRecords;
import org.junit.jupiter.api.Test;

class PartSorterTest {
    @Test
    void sortsSumsAndDropsZeros() {
        ColumnarRecords unsorted = Update.records(Update.of("b", "x", 1, 1), Update.of("a", "y", 1, 2),
                Update.of("a", "x", 2, 1), Update.of("c", "", 0, 1), Update.of("a", "y", 1, 3),
                Update.of("a", "x", 1, 4), Update.of("c", "", 0, -1));

        assertThat(Update.list(PartSorter.sortAndConsolidate(unsorted))).containsExactly(
                Update.of("a", "x", 1, 4), Update.of("a", "x", 2, 1), Update.of("a", "y", 1, 5),
                Update.of("b", "x", 1, 1));
    }

    @Test
    void keepsAPartThatIsAlreadyConsolidated() {
        ColumnarRecords consolidated = Update.records(Update.of("a", "", 0, 1), Update.of("a", "", 1, -1));

        assertThat(PartSorter.sortAndConsolidate(consolidated)).isSameAs(consolidated);
        assertThat(PartSorter.sortAndConsolidate(ColumnarRecords.EMPTY)).isSameAs(ColumnarRecords.EMPTY);
    }

    @Test
    void sortsAPartLargerThanTheInsertionSortCutoff() {
        ColumnarRecords.Builder descending = ColumnarRecords.builder();
        for (int i = 999; i >= 0; i--) {
            descending.push(new byte[] {(byte) (i >> 8), (byte) i}, new byte[0], i % 3, 1);
        }

        ColumnarRecords sorted = PartSorter.sortAndConsolidate(descending.build());

        assertThat(sorted.len()).isEqualTo(1000);
        for (int i = 1; i < sorted.len(); i++) {
            assertThat(sorted.compareKeyValTime(i - 1, i)).isNegative();
        }
    }
}
