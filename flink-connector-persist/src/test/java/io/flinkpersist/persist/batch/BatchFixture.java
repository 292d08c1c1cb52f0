package io.flinkpersist.persist.batch;

import io.flinkpersist.persist.batch.part.ColumnarRecords;
import io.flinkpersist.persist.blob.Blob;
import io.flinkpersist.persist.blob.MemBlob;
import io.flinkpersist.persist.ids.BuildVersion;
import io.flinkpersist.persist.ids.PartIdSequence;
import io.flinkpersist.persist.ids.ShardId;
import io.flinkpersist.persist.read.PartFetcher;
import io.flinkpersist.persist.time.Frontier;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** A shard's worth of batch-writing machinery on an in-memory (or given) blob, for tests. */
final class BatchFixture implements AutoCloseable {
    final ShardId shard = ShardId.random();
    final Blob blob;
    final BatchWriteMetrics metrics = new BatchWriteMetrics();
    final ExecutorService executor = Executors.newFixedThreadPool(8);
    final PartWriter writer;

    BatchFixture(BatchBuilderConfig config) {
        this(config, new MemBlob());
    }

    BatchFixture(BatchBuilderConfig config, Blob blob) {
        this.blob = blob;
        this.writer = new PartWriter(shard, blob, config, executor, metrics);
    }

    BatchBuilder builder(long lower) {
        return new BatchBuilder(writer, BuildVersion.current(), Frontier.of(lower), Frontier.MINIMUM,
                PartIdSequence.random());
    }

    /** One update, with string key and value for readable failures. */
    record Update(String key, String value, long time, long diff) {
        static Update of(String key, String value, long time, long diff) {
            return new Update(key, value, time, diff);
        }
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Every update of a batch read back from its parts (blob or inline), in part order. */
    List<Update> readBack(HollowBatch batch) {
        PartFetcher fetcher = new PartFetcher(shard, blob);
        List<Update> updates = new ArrayList<>();
        for (BatchPart part : batch.parts()) {
            ColumnarRecords records = fetcher.fetch(batch.desc(), part);
            for (int i = 0; i < records.len(); i++) {
                updates.add(new Update(new String(records.key(i), StandardCharsets.UTF_8),
                        new String(records.value(i), StandardCharsets.UTF_8), records.time(i), records.diff(i)));
            }
        }
        return updates;
    }

    /** The reference semantics: sum the diffs of equal (key, value, time), drop zeros, sort. */
    static Map<List<Object>, Long> consolidate(List<Update> updates) {
        Map<List<Object>, Long> sums = new TreeMap<>((a, b) -> {
            int c = ((String) a.get(0)).compareTo((String) b.get(0));
            if (c == 0) {
                c = ((String) a.get(1)).compareTo((String) b.get(1));
            }
            return c != 0 ? c : Long.compare((Long) a.get(2), (Long) b.get(2));
        });
        for (Update u : updates) {
            sums.merge(List.of(u.key(), u.value(), u.time()), u.diff(), Long::sum);
        }
        sums.values().removeIf(d -> d == 0);
        return sums;
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
