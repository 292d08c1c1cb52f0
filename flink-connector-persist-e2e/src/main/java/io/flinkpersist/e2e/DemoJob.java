package io.flinkpersist.e2e;

import io.flinkpersist.persist.blob.Blob;
import io.flinkpersist.persist.consensus.CasResult;
import io.flinkpersist.persist.consensus.Consensus;
import io.flinkpersist.persist.consensus.VersionedData;
import io.flinkpersist.persist.external.RetryPolicy;
import io.flinkpersist.persist.ids.PartId;
import io.flinkpersist.persist.ids.PartialBatchKey;
import io.flinkpersist.persist.ids.SeqNo;
import io.flinkpersist.persist.ids.ShardId;
import io.flinkpersist.persist.ids.WriterKey;
import io.flinkpersist.persist.location.PersistLocation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The demo on the embedded defaults (a local directory and a SQLite file under {@code ./data}, or the
 * directory given as the first argument). Until the sink lands it exercises the two stores a shard lives in:
 * it writes part-sized objects to blob and a chain of versions to consensus, then reads both back.
 */
public final class DemoJob {
    private DemoJob() {}

    public static void main(String[] args) {
        Path dir = Paths.get(args.length > 0 ? args[0] : "data").toAbsolutePath().normalize();
        PersistLocation location = PersistLocation.embedded(dir);
        ShardId shard = ShardId.random();
        System.out.println("persist demo: " + location);
        System.out.println("shard " + shard);

        try (Blob blob = location.openBlob(Map.of(), RetryPolicy.DEFAULT);
                Consensus consensus = location.openConsensus()) {
            Random random = new Random();
            for (int part = 0; part < 3; part++) {
                String key = new PartialBatchKey(WriterKey.current(), PartId.random()).complete(shard);
                byte[] bytes = new byte[1 << 20];
                random.nextBytes(bytes);
                blob.set(key, bytes);
                System.out.println("  blob set " + key + " (" + bytes.length + " bytes)");
            }
            AtomicLong listedBytes = new AtomicLong();
            AtomicLong listedKeys = new AtomicLong();
            blob.list(shard.toString(), (key, size) -> {
                listedKeys.incrementAndGet();
                listedBytes.addAndGet(size);
            });
            System.out.println("  blob list " + shard + ": " + listedKeys + " keys, " + listedBytes + " bytes");

            Optional<SeqNo> expected = Optional.empty();
            for (long seqNo = 1; seqNo <= 3; seqNo++) {
                byte[] state = ("state v" + seqNo).getBytes(StandardCharsets.UTF_8);
                CasResult result = consensus.compareAndSet(shard.toString(), expected, new VersionedData(SeqNo.of(seqNo), state));
                System.out.println("  consensus compare-and-set " + expected.map(SeqNo::toString).orElse("(none)")
                        + " -> v" + seqNo + ": " + result);
                expected = Optional.of(SeqNo.of(seqNo));
            }
            CasResult stale = consensus.compareAndSet(shard.toString(), Optional.of(SeqNo.of(1)),
                    new VersionedData(SeqNo.of(2), new byte[0]));
            System.out.println("  consensus compare-and-set v1 -> v2 again (a stale writer): " + stale);
            List<VersionedData> versions = consensus.scan(shard.toString(), SeqNo.MINIMUM, 10);
            System.out.println("  consensus scan: " + versions.stream()
                    .map(v -> v.seqNo() + "=" + new String(v.data(), StandardCharsets.UTF_8)).toList());
            long truncated = consensus.truncate(shard.toString(), SeqNo.of(3));
            System.out.println("  consensus truncate below v3: " + truncated + " versions removed, head "
                    + consensus.head(shard.toString()).map(VersionedData::seqNo).orElseThrow());
        }
        System.out.println("done: data under " + dir);
    }
}
