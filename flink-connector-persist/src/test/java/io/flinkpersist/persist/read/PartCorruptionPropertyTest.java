package io.flinkpersist.persist.read;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * A part damaged anywhere (pages, page headers, footer, header metadata, magic) and read as the shard recorded it
 * (its length and diffs sum) is either a decode error naming the part, or exactly the part as written: never other
 * data. Before page checksums and the recorded-part checks, most damage read back as other data.
 */
class PartCorruptionPropertyTest {
    private static final ShardId SHARD = ShardId.random();
    private static final Description DESC = new Description(Frontier.of(0), Frontier.of(1_000_000), Frontier.MINIMUM);
    private static final PartialBatchKey KEY = new PartialBatchKey(WriterKey.current(), PartId.random());
    private static final ColumnarRecords UPDATES;
    private static final byte[] WRITTEN;
    private static final BatchPart RECORDED;

    static {
        List<Update> updates = new ArrayList<>();
        Random random = new Random(3);
        for (int i = 0; i < 2_000; i++) {
            updates.add(new Update(Update.randomBytes(1 + random.nextInt(30), i), Update.randomBytes(random.nextInt(5),
                    -i), random.nextInt(1_000_000), 1 + random.nextInt(3)));
        }
        UPDATES = Update.records(updates);
        WRITTEN = ParquetPartCodec.encode(new BlobTraceBatchPart(DESC, 0, UPDATES));
        long diffsSum = 0;
        for (int i = 0; i < UPDATES.len(); i++) {
            diffsSum += UPDATES.diff(i);
        }
        RECORDED = BatchPart.hollow(KEY, WRITTEN.length, new byte[0], diffsSum, null);
    }

    @Property(tries = 3_000)
    void aFlippedBitIsAnErrorNamingThePartOrChangesNothing(@ForAll @IntRange(min = 0, max = Integer.MAX_VALUE) int at,
            @ForAll @IntRange(min = 0, max = 7) int bit) {
        byte[] damaged = WRITTEN.clone();
        damaged[at % damaged.length] ^= (byte) (1 << bit);
        MemBlob blob = new MemBlob();
        blob.set(KEY.complete(SHARD), damaged);
        ColumnarRecords read;
        try {
            read = new PartFetcher(SHARD, blob).fetch(DESC, RECORDED);
        } catch (PartDecodeException e) {
            assertThat(e.getMessage()).contains(KEY.complete(SHARD));
            return;
        }
        assertThat(read).as("a part that decodes after a flip at byte %d", at % damaged.length).isEqualTo(UPDATES);
    }
}
