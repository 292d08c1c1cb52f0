package io.flinkpersist.persist.read;

import io.flinkpersist.persist.testutils.Update;
import io.flinkpersist.persist.batch.BatchBuilder;
import io.flinkpersist.persist.batch.BatchBuilderConfig;
import io.flinkpersist.persist.batch.BatchWriteMetrics;
import io.flinkpersist.persist.batch.HollowBatch;
import io.flinkpersist.persist.batch.PartWriter;
import io.flinkpersist.persist.blob.MemBlob;
import io.flinkpersist.persist.ids.BuildVersion;
import io.flinkpersist.persist.ids.PartIdSequence;
import io.flinkpersist.persist.ids.ShardId;
import io.flinkpersist.persist.time.Frontier;
import java.util.List;

/** Writes real batches (blob and inline parts) of one shard to an in-memory blob, and reads them back. */
final class BatchWriting {
    private final ShardId shard = ShardId.random();
    private final MemBlob blob = new MemBlob();
    // Uploads run on the calling thread: nothing to shut down, and the tests stay deterministic.
    private final PartWriter writer;

    BatchWriting(BatchBuilderConfig config) {
        this.writer = new PartWriter(shard, blob, config, Runnable::run, new BatchWriteMetrics());
    }

    HollowBatch write(List<Update> updates, long lower, long upper) {
        BatchBuilder builder = new BatchBuilder(writer, BuildVersion.current(), Frontier.of(lower), Frontier.MINIMUM,
                PartIdSequence.random());
        for (Update u : updates) {
            builder.add(u.key(), u.value(), u.time(), u.diff());
        }
        return builder.finish(Frontier.of(upper)).intoHollowBatch();
    }

    PartFetcher fetcher() {
        return new PartFetcher(shard, blob);
    }
}
