package io.flinkpersist.e2e;

import io.flinkpersist.persist.PersistClient;
import io.flinkpersist.persist.PersistConfig;
import io.flinkpersist.persist.batch.Batch;
import io.flinkpersist.persist.batch.BatchBuilder;
import io.flinkpersist.persist.batch.BatchBuilderConfig;
import io.flinkpersist.persist.batch.BatchWriteMetrics;
import io.flinkpersist.persist.ids.IdempotencyToken;
import io.flinkpersist.persist.ids.ShardId;
import io.flinkpersist.persist.location.PersistLocation;
import io.flinkpersist.persist.read.Consolidator;
import io.flinkpersist.persist.read.ReadHandle;
import io.flinkpersist.persist.state.Codecs;
import io.flinkpersist.persist.time.Frontier;
import io.flinkpersist.persist.write.AppendResult;
import io.flinkpersist.persist.write.WriteHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The demo on the embedded defaults (a local directory and a SQLite file under {@code ./data}, or the
 * directory given as the first argument). Until the Flink sink lands it does what the sink will do, with the
 * persist core alone: each "checkpoint" builds a batch of (word, line) updates, moves it to the commit timestamp with
 * rewrite_ts and appends it with one compare-and-append; a replayed commit is recognised; then it reads the
 * shard back.
 */
public final class DemoJob {
    private static final Codecs CODECS = Codecs.of("utf8", "utf8");

    private DemoJob() {}

    public static void main(String[] args) {
        Path dir = Paths.get(args.length > 0 ? args[0] : "data").toAbsolutePath().normalize();
        PersistLocation location = PersistLocation.embedded(dir);
        ShardId shard = ShardId.random();
        PersistConfig config = PersistConfig.builder()
                .batch(BatchBuilderConfig.builder().blobTargetSizeBytes(16 * 1024).build())
                .build();
        System.out.println("persist demo on " + location);
        System.out.println("shard " + shard);

        String[] checkpoints = {"to be or not to be", "that is the question", "to be is to do"};
        try (PersistClient client = PersistClient.open(location, config);
                WriteHandle writer = client.openWriter(shard, CODECS)) {
            for (int checkpoint = 0; checkpoint < checkpoints.length; checkpoint++) {
                BatchBuilder builder = writer.builder(Frontier.MINIMUM);
                for (int copy = 0; copy < 500; copy++) {
                    for (String word : checkpoints[checkpoint].split(" ")) {
                        builder.add(bytes(word), bytes("line " + copy), 0, 1);
                    }
                }
                Batch batch = builder.finish(Frontier.of(1));

                // The commit: a timestamp at or past the shard's upper, one compare-and-append.
                Frontier upper = writer.fetchRecentUpper();
                long ts = Math.max(upper.element().orElseThrow(), System.currentTimeMillis());
                batch.rewriteTs(Frontier.of(ts), Frontier.of(ts + 1));
                byte[] committable = batch.toTransmittable();
                IdempotencyToken token = IdempotencyToken.random();
                AppendResult result = writer.compareAndAppend(List.of(writer.batchFromTransmittable(committable)),
                        upper, Frontier.of(ts + 1), token);
                System.out.println("  checkpoint " + (checkpoint + 1) + ": " + result + ", "
                        + committable.length + " bytes of committable");
                if (checkpoint == 1) {
                    AppendResult replay = writer.compareAndAppend(List.of(writer.batchFromTransmittable(committable)),
                            upper, Frontier.of(ts + 1), token);
                    System.out.println("  checkpoint 2 replayed after a pretend failure: " + replay);
                }
            }
            BatchWriteMetrics metrics = client.metrics();
            System.out.println("  wrote " + metrics.parts() + " parts (" + metrics.bytes() + " bytes) and "
                    + metrics.inlineParts() + " inline parts; " + metrics.stalls() + " stalls");

            try (ReadHandle reader = client.openReader(shard, CODECS)) {
                long asOf = reader.fetchRecentUpper().element().orElseThrow() - 1;
                Consolidator snapshot = reader.snapshot(asOf, Duration.ofSeconds(10));
                Map<String, Long> counts = new TreeMap<>();
                long updates = 0;
                while (snapshot.next()) {
                    counts.merge(new String(snapshot.key(), StandardCharsets.UTF_8), snapshot.diff(), Long::sum);
                    updates++;
                }
                System.out.println("  snapshot as of " + asOf + ": " + updates + " updates, word counts " + counts);
            }
        }
        System.out.println("done: data under " + dir);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
