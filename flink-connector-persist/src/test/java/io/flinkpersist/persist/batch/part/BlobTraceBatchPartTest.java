package io.flinkpersist.persist.batch.part;

import io.flinkpersist.persist.testutils.Update;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flinkpersist.persist.time.Description;
import io.flinkpersist.persist.time.Frontier;
import org.junit.jupiter.api.Test;

class BlobTraceBatchPartTest {
    private static final Description TEN_TO_TWENTY = Description.of(Frontier.of(10), Frontier.of(20));

    private static BlobTraceBatchPart part(Description desc, Update... updates) {
        return new BlobTraceBatchPart(desc, 0, Update.records(updates));
    }

    @Test
    void theIntervalMustBeNonEmptyEvenWithoutUpdates() {
        assertThatCode(() -> part(Description.of(Frontier.of(10), Frontier.of(11))).validate())
                .doesNotThrowAnyException();
        assertThatCode(() -> part(Description.of(Frontier.of(10), Frontier.EMPTY)).validate())
                .doesNotThrowAnyException();

        assertThatThrownBy(() -> part(Description.of(Frontier.of(10), Frontier.of(10))).validate())
                .isInstanceOf(InvalidPartException.class)
                .hasMessageContaining("empty interval: upper [10] is not beyond lower [10]");
        assertThatThrownBy(() -> part(Description.of(Frontier.of(10), Frontier.of(3))).validate())
                .isInstanceOf(InvalidPartException.class)
                .hasMessageContaining("upper [3] is not beyond lower [10]");
        assertThatThrownBy(() -> part(Description.of(Frontier.EMPTY, Frontier.EMPTY)).validate())
                .isInstanceOf(InvalidPartException.class)
                .hasMessageContaining("upper [] is not beyond lower []");
    }

    @Test
    void everyTimeIsAtOrBeyondLower() {
        assertThatCode(() -> part(TEN_TO_TWENTY, Update.of("a", "", 10, 1)).validate()).doesNotThrowAnyException();

        assertThatThrownBy(() -> part(TEN_TO_TWENTY, Update.of("a", "", 10, 1), Update.of("b", "", 7, 1)).validate())
                .isInstanceOf(InvalidPartException.class)
                .hasMessage("update 1: timestamp 7 is not beyond the part's lower [10]");
    }

    @Test
    void uncompactedPartsKeepEveryTimeBeforeUpper() {
        assertThatCode(() -> part(TEN_TO_TWENTY, Update.of("a", "", 19, 1)).validate()).doesNotThrowAnyException();
        assertThatCode(() -> part(Description.of(Frontier.of(10), Frontier.EMPTY),
                        Update.of("a", "", Long.MAX_VALUE, 1)).validate())
                .doesNotThrowAnyException();

        assertThatThrownBy(() -> part(TEN_TO_TWENTY, Update.of("a", "", 20, 1)).validate())
                .isInstanceOf(InvalidPartException.class)
                .hasMessage("update 0: timestamp 20 is not before the part's upper [20] (the part is uncompacted:"
                        + " since [0] <= lower [10])");
        // since == lower still counts as uncompacted.
        assertThatThrownBy(() -> part(new Description(Frontier.of(10), Frontier.of(20), Frontier.of(10)),
                        Update.of("a", "", 25, 1)).validate())
                .isInstanceOf(InvalidPartException.class)
                .hasMessageContaining("timestamp 25 is not before the part's upper [20]");
    }

    @Test
    void compactedPartsMayHoldTimesAtOrBeyondUpper() {
        // since > lower: compaction advanced times, so persist skips the upper check.
        Description compacted = new Description(Frontier.of(10), Frontier.of(20), Frontier.of(30));
        assertThatCode(() -> part(compacted, Update.of("a", "", 30, 1)).validate()).doesNotThrowAnyException();
        // The lower check still applies.
        assertThatThrownBy(() -> part(compacted, Update.of("a", "", 9, 1)).validate())
                .isInstanceOf(InvalidPartException.class)
                .hasMessageContaining("timestamp 9 is not beyond the part's lower [10]");
    }

    @Test
    void noDiffIsZero() {
        assertThatCode(() -> part(TEN_TO_TWENTY, Update.of("a", "", 11, -1), Update.of("a", "", 11, Long.MIN_VALUE))
                        .validate())
                .doesNotThrowAnyException();

        assertThatThrownBy(() -> part(TEN_TO_TWENTY, Update.of("a", "", 11, 1), Update.of("b", "", 12, 0)).validate())
                .isInstanceOf(InvalidPartException.class)
                .hasMessage("update 1 (timestamp 12) has diff 0; parts never hold zero diffs");
    }

    @Test
    void timesOfTwoToThe63AndAboveAreRejected() {
        assertThatThrownBy(() -> part(Description.of(Frontier.MINIMUM, Frontier.EMPTY), Update.of("a", "", -1, 1))
                        .validate())
                .isInstanceOf(InvalidPartException.class)
                .hasMessage("update 0: timestamp 18446744073709551615 is beyond the largest supported time "
                        + Long.MAX_VALUE);
    }

    @Test
    void indexIsNonNegative() {
        assertThatThrownBy(() -> new BlobTraceBatchPart(TEN_TO_TWENTY, -1, ColumnarRecords.EMPTY))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("18446744073709551615");
    }
}
