package io.flinkpersist.persist.shard;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import io.flinkpersist.persist.InvalidUsageException;
import io.flinkpersist.persist.InvalidUsageException.InvalidTransmittableBatch;
import io.flinkpersist.persist.PersistClient;
import io.flinkpersist.persist.PersistConfig;
import io.flinkpersist.persist.batch.Batch;
import io.flinkpersist.persist.batch.BatchBuilder;
import io.flinkpersist.persist.batch.BatchBuilderConfig;
import io.flinkpersist.persist.blob.MemBlob;
import io.flinkpersist.persist.consensus.MemConsensus;
import io.flinkpersist.persist.consensus.VersionedData;
import io.flinkpersist.persist.ids.ShardId;
import io.flinkpersist.persist.location.PersistLocation;
import io.flinkpersist.persist.proto.batch.ProtoBatch;
import io.flinkpersist.persist.read.Consolidator;
import io.flinkpersist.persist.read.ReadHandle;
import io.flinkpersist.persist.state.Codecs;
import io.flinkpersist.persist.time.Frontier;
import io.flinkpersist.persist.write.AppendResult;
import io.flinkpersist.persist.write.WriteHandle;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.constraints.IntRange;

/**
 * Damaged committables: transmittable batches written by the real builder (blob and inline parts, sorted and unsorted
 * runs, stats), with one bit flipped, decoded and appended as a committer does. Every outcome is either a typed error
 * with nothing appended, or a batch that reads back exactly as the undamaged one (the flip hit something no read
 * depends on: a key lower, a diffs sum, stats, a version suffix, an unknown field).
 *
 * <p>Half the batches are sent as earlier builds sent them, without a checksum and then without inline parts (whose
 * updates nothing but the checksum protects): there the checks of every field have to catch the damage alone.
 */
class TransmittableBatchFuzzTest {
    private static final Codecs CODECS = Codecs.of("utf8", "utf8");
    /** Times 0..2: small enough to read every time back exactly, one snapshot each. */
    private static final long UPPER = 3;
    private static final int FLIPS_PER_BATCH = 50;

    record Update(String key, String value, long time, long diff) {}

    @Provide
    Arbitrary<List<Update>> updates() {
        return Combinators.combine(
                        Arbitraries.of("a", "b", "c", "dd", "k\u0000", "long-key-".repeat(4)),
                        Arbitraries.of("", "x", "y"),
                        Arbitraries.longs().between(0, UPPER - 1),
                        Arbitraries.longs().between(-2, 2))
                .as(Update::new)
                .list().ofMinSize(1).ofMaxSize(40);
    }

    @Property(tries = 40)
    void aFlippedTransmittableIsRefusedOrReadsBackAsTheOriginal(@ForAll("updates") List<Update> input,
            @ForAll @IntRange(min = 0, max = 300) int targetSize, @ForAll @IntRange(min = 0, max = 200) int inline,
            @ForAll boolean consolidate, @ForAll boolean stats, @ForAll boolean checksum, @ForAll long seed) {
        MemBlob blob = new MemBlob();
        MemConsensus consensus = new MemConsensus();
        PersistConfig config = PersistConfig.builder()
                .batch(BatchBuilderConfig.builder().blobTargetSizeBytes(targetSize)
                        .inlineWritesSingleMaxBytes(checksum ? inline : 0)
                        .consolidate(consolidate).statsCollectionEnabled(stats).build())
                .build();
        try (PersistClient client = PersistClient.open(PersistLocation.parse("mem://fuzz", "mem://fuzz"), config, blob,
                consensus)) {
            ShardId original = ShardId.random();
            byte[] good;
            Map<List<Object>, Long> expected;
            try (WriteHandle writer = client.openWriter(original, CODECS)) {
                BatchBuilder builder = writer.builder(Frontier.MINIMUM);
                for (Update u : input) {
                    builder.add(bytes(u.key()), bytes(u.value()), u.time(), u.diff());
                }
                good = builder.finish(Frontier.of(UPPER)).toTransmittable();
                if (!checksum) {
                    good = parse(good).toBuilder().clearBatchCrc32C().build().toByteArray();
                }
                assertThat(writer.compareAndAppend(List.of(writer.batchFromTransmittable(good)), Frontier.MINIMUM,
                        Frontier.of(UPPER))).isInstanceOf(AppendResult.Committed.class);
                expected = exactly(client, original);
            }
            Random random = new Random(seed);
            for (int trial = 0; trial < FLIPS_PER_BATCH; trial++) {
                // Each damaged copy goes to a shard of its own, which holds copies of the original's parts.
                ShardId shard = ShardId.random();
                blob.list(original + "/", (key, size) -> blob.set(shard + key.substring(original.toString().length()),
                        blob.get(key).orElseThrow()));
                byte[] damaged = flipBit(withShard(good, shard), random);
                try (WriteHandle writer = client.openWriter(shard, CODECS)) {
                    writer.fetchRecentUpper();
                    Optional<VersionedData> before = consensus.head(shard.toString());
                    AppendResult result;
                    try {
                        Batch batch = writer.batchFromTransmittable(damaged);
                        result = writer.compareAndAppend(List.of(batch), Frontier.MINIMUM, Frontier.of(UPPER));
                    } catch (InvalidUsageException refused) {
                        Statistics.label("outcome").collect(refused instanceof InvalidTransmittableBatch invalid
                                ? invalid.defect().name() : refused.getClass().getSimpleName());
                        assertThat(refused.getMessage()).hasSizeLessThan(1000);
                        if (refused instanceof InvalidTransmittableBatch invalid) {
                            assertThat(invalid.shardId()).isEqualTo(shard);
                            assertThat(refused.getMessage()).contains(shard.toString());
                        }
                        Optional<VersionedData> after = consensus.head(shard.toString());
                        assertThat(after.map(VersionedData::seqNo)).isEqualTo(before.map(VersionedData::seqNo));
                        assertThat(writer.fetchRecentUpper()).isEqualTo(Frontier.MINIMUM);
                        continue;
                    }
                    Statistics.label("outcome").collect("committed, reads back the same");
                    assertThat(result).isInstanceOf(AppendResult.Committed.class);
                    assertThat(exactly(client, shard)).as("what a committed damaged batch reads back")
                            .isEqualTo(expected);
                }
            }
        }
    }

    /** Every update of the shard below {@link #UPPER} at its own time: the differences of one snapshot per time. */
    private static Map<List<Object>, Long> exactly(PersistClient client, ShardId shard) {
        Map<List<Object>, Long> updates = new TreeMap<>((a, b) -> a.toString().compareTo(b.toString()));
        Map<List<Object>, Long> previous = new HashMap<>();
        try (ReadHandle reader = client.openReader(shard, CODECS)) {
            for (long time = 0; time < UPPER; time++) {
                Map<List<Object>, Long> current = new HashMap<>();
                try (Consolidator snapshot = reader.snapshot(time, Duration.ofSeconds(5))) {
                    while (snapshot.next()) {
                        current.merge(List.of(new String(snapshot.key(), StandardCharsets.UTF_8),
                                new String(snapshot.value(), StandardCharsets.UTF_8)), snapshot.diff(), Long::sum);
                    }
                }
                for (List<Object> kv : union(current, previous)) {
                    long diff = current.getOrDefault(kv, 0L) - previous.getOrDefault(kv, 0L);
                    if (diff != 0) {
                        updates.put(List.of(kv.get(0), kv.get(1), time), diff);
                    }
                }
                previous = current;
            }
        }
        return updates;
    }

    private static List<List<Object>> union(Map<List<Object>, Long> a, Map<List<Object>, Long> b) {
        List<List<Object>> keys = new ArrayList<>(a.keySet());
        b.keySet().stream().filter(k -> !a.containsKey(k)).forEach(keys::add);
        return keys;
    }

    private static byte[] withShard(byte[] transmittable, ShardId shard) {
        return parse(transmittable).toBuilder().setShardId(shard.toString()).build().toByteArray();
    }

    private static ProtoBatch parse(byte[] transmittable) {
        try {
            return ProtoBatch.parseFrom(transmittable);
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }

    /** One bit flipped at a random position. */
    private static byte[] flipBit(byte[] bytes, Random random) {
        byte[] flipped = bytes.clone();
        int bit = random.nextInt(flipped.length * 8);
        flipped[bit / 8] ^= (byte) (1 << (bit % 8));
        return flipped;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
