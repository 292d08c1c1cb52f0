package io.flinkpersist.persist.read;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flinkpersist.persist.batch.BatchPart;
import io.flinkpersist.persist.batch.part.BlobTraceBatchPart;
import io.flinkpersist.persist.batch.part.ColumnarRecords;
import io.flinkpersist.persist.batch.part.ParquetPartCodec;
import io.flinkpersist.persist.batch.part.PartDecodeException;
import io.flinkpersist.persist.blob.MemBlob;
import io.flinkpersist.persist.ids.PartId;
import io.flinkpersist.persist.ids.PartialBatchKey;
import io.flinkpersist.persist.ids.ShardId;
import io.flinkpersist.persist.ids.WriterKey;
import io.flinkpersist.persist.testutils.Update;
import io.flinkpersist.persist.time.Description;
import io.flinkpersist.persist.time.Frontier;
import io.flinkpersist.persist.time.FrontierProtos;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A fetched part is checked against what the shard recorded of it (its length and diffs sum): a valid Parquet part
 * in another's place, or one whose footer lost its row group, is an error naming the part, never other data.
 */
class PartFetcherTest {
    private static final ShardId SHARD = ShardId.random();
    private static final Description DESC = new Description(Frontier.of(0), Frontier.of(10), Frontier.MINIMUM);
    private static final ColumnarRecords UPDATES = Update.records(List.of(Update.of("a", "x", 1, 2),
            Update.of("b", "y", 2, 3), Update.of("c", "z", 3, -1)));

    private final MemBlob blob = new MemBlob();
    private final PartialBatchKey key = new PartialBatchKey(WriterKey.current(), PartId.random());
    private final byte[] written = ParquetPartCodec.encode(new BlobTraceBatchPart(DESC, 0, UPDATES));

    private BatchPart recorded(long encodedSize, long diffsSum) {
        return BatchPart.hollow(key, encodedSize, new byte[0], diffsSum, null);
    }

    private ColumnarRecords fetch(byte[] stored, BatchPart part) {
        return fetch(stored, part, DESC);
    }

    private ColumnarRecords fetch(byte[] stored, BatchPart part, Description registered) {
        blob.set(key.complete(SHARD), stored);
        return new PartFetcher(SHARD, blob).fetch(registered, part);
    }

    private static BatchPart rewrittenTo(BatchPart part, long time) {
        return new BatchPart(part.proto().toBuilder()
                .setTsRewrite(FrontierProtos.toStateAntichain(Frontier.of(time))).build());
    }

    @Test
    void thePartAsRecordedReadsBack() {
        assertThat(fetch(written, recorded(written.length, 4))).isEqualTo(UPDATES);
    }

    /** What a part appended with rewrite_ts reads as: every time advanced to the rewrite, nothing else changed. */
    @Test
    void aRewrittenPartReadsAtItsNewTimes() {
        ColumnarRecords read = fetch(written, rewrittenTo(recorded(written.length, 4), 2));

        assertThat(Update.list(read)).containsExactly(Update.of("a", "x", 2, 2), Update.of("b", "y", 2, 3),
                Update.of("c", "z", 3, -1));
    }

    /** A part registered in a narrower batch than it was written for keeps the updates inside that batch only. */
    @Test
    void aPartCutToANarrowerBatchKeepsTheUpdatesInsideIt() {
        Description narrower = new Description(Frontier.of(2), Frontier.of(3), Frontier.MINIMUM);

        assertThat(Update.list(fetch(written, recorded(written.length, 4), narrower)))
                .containsExactly(Update.of("b", "y", 2, 3));
        assertThat(Update.list(fetch(written, rewrittenTo(recorded(written.length, 4), 2), narrower)))
                .as("rewritten first, then cut").containsExactly(Update.of("a", "x", 2, 2), Update.of("b", "y", 2, 3));
        Description wholePart = new Description(Frontier.of(0), Frontier.of(4), Frontier.MINIMUM);
        assertThat(fetch(written, recorded(written.length, 4), wholePart)).isEqualTo(UPDATES);
    }

    /** A part whose description does not fit its batch (damaged, say) is an error naming its full key. */
    @Test
    void aPartThatDoesNotFitItsBatchIsAnErrorNamingItsKey() {
        Description wider = new Description(Frontier.of(0), Frontier.of(20), Frontier.MINIMUM);

        assertThatThrownBy(() -> fetch(written, recorded(written.length, 4), wider))
                .isInstanceOf(PartDecodeException.class)
                .hasMessageContaining(key.complete(SHARD))
                .hasMessageContaining("cannot be cut to the registered");
    }

    @Test
    void anotherValidPartInItsPlaceIsRefusedByItsLength() {
        byte[] other = ParquetPartCodec.encode(new BlobTraceBatchPart(DESC, 0,
                Update.records(List.of(Update.of("a", "x", 1, 2)))));
        assertThatThrownBy(() -> fetch(other, recorded(written.length, 4)))
                .isInstanceOf(PartDecodeException.class)
                .hasMessageContaining(key.complete(SHARD))
                .hasMessageContaining("recorded " + written.length + " bytes");
    }

    /** Persist records no length for some parts; the diffs sum still tells a part that lost its row group. */
    @Test
    void aPartWithoutItsRowGroupIsRefusedByItsDiffsSum() {
        byte[] empty = ParquetPartCodec.encode(new BlobTraceBatchPart(DESC, 0, ColumnarRecords.EMPTY));
        assertThatThrownBy(() -> fetch(empty, recorded(0, 4)))
                .isInstanceOf(PartDecodeException.class)
                .hasMessageContaining(key.complete(SHARD))
                .hasMessageContaining("sum to 0, but the shard recorded 4");
    }

    @Test
    void aPartOfTheSameLengthWithOtherDiffsIsRefused() {
        byte[] other = ParquetPartCodec.encode(new BlobTraceBatchPart(DESC, 0, Update.records(List.of(
                Update.of("a", "x", 1, 2), Update.of("b", "y", 2, 3), Update.of("c", "z", 3, -2)))));
        assertThat(other).hasSameSizeAs(written);
        assertThatThrownBy(() -> fetch(other, recorded(written.length, 4)))
                .isInstanceOf(PartDecodeException.class)
                .hasMessageContaining("sum to 3, but the shard recorded 4");
    }
}
