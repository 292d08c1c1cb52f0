package io.flinkpersist.persist.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flinkpersist.persist.PersistClient;
import io.flinkpersist.persist.PersistConfig;
import io.flinkpersist.persist.batch.Batch;
import io.flinkpersist.persist.batch.BatchBuilder;
import io.flinkpersist.persist.batch.BatchBuilderConfig;
import io.flinkpersist.persist.blob.Blob;
import io.flinkpersist.persist.blob.MemBlob;
import io.flinkpersist.persist.consensus.Consensus;
import io.flinkpersist.persist.consensus.MemConsensus;
import io.flinkpersist.persist.consensus.VersionedData;
import io.flinkpersist.persist.ids.PartialRollupKey;
import io.flinkpersist.persist.ids.SeqNo;
import io.flinkpersist.persist.ids.ShardId;
import io.flinkpersist.persist.location.PersistLocation;
import io.flinkpersist.persist.proto.diff.ProtoStateDiff;
import io.flinkpersist.persist.read.ReadHandle;
import io.flinkpersist.persist.testutils.ForwardingBlob;
import io.flinkpersist.persist.time.Frontier;
import io.flinkpersist.persist.write.AppendResult;
import io.flinkpersist.persist.write.CommitMarker;
import io.flinkpersist.persist.write.WriteHandle;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Test;

/**
 * Consensus values and rollups written by the real code for a shard with several batches (inline and in blob),
 * two writers, a leased and a critical reader and a commit marker, damaged as storage or an operator could damage
 * them: bits flipped, cut at any offset (every field boundary among them), bytes inserted. Each damaged value
 * opens as exactly the original state or fails with a {@link CorruptStateException} naming the shard and the
 * version of the damaged value, with a short message on one line.
 */
class StateCorruptionPropertyTest {
    private static final ShardId SHARD = ShardId.of(UUID.fromString("15150000-0000-4000-8000-000000000003"));
    private static final Codecs CODECS = Codecs.of("utf8", "utf8");
    private static final Shard WRITTEN = Shard.write();

    /** What a mutation may do to a value; positions are taken modulo the value's length. */
    sealed interface Mutation {
        byte[] apply(byte[] value);
    }

    record FlipBits(int[] bits) implements Mutation {
        @Override
        public byte[] apply(byte[] value) {
            byte[] flipped = value.clone();
            for (int bit : bits) {
                int at = Math.floorMod(bit, value.length * 8);
                flipped[at / 8] ^= (byte) (1 << (at % 8));
            }
            return flipped;
        }

        @Override
        public String toString() {
            return "FlipBits" + Arrays.toString(bits);
        }
    }

    record Truncate(int at) implements Mutation {
        @Override
        public byte[] apply(byte[] value) {
            return Arrays.copyOf(value, Math.floorMod(at, value.length));
        }
    }

    record Insert(int at, byte[] bytes) implements Mutation {
        @Override
        public byte[] apply(byte[] value) {
            int position = Math.floorMod(at, value.length + 1);
            byte[] extended = new byte[value.length + bytes.length];
            System.arraycopy(value, 0, extended, 0, position);
            System.arraycopy(bytes, 0, extended, position, bytes.length);
            System.arraycopy(value, position, extended, position + bytes.length, value.length - position);
            return extended;
        }

        @Override
        public String toString() {
            return "Insert(" + at + ", " + Arrays.toString(bytes) + ")";
        }
    }

    @Provide
    Arbitrary<Mutation> mutations() {
        Arbitrary<Integer> position = Arbitraries.integers().between(0, Integer.MAX_VALUE);
        return Arbitraries.oneOf(
                position.array(int[].class).ofMinSize(1).ofMaxSize(3).map(FlipBits::new),
                position.map(Truncate::new),
                Combinators.combine(position, Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(4))
                        .as(Insert::new));
    }

    @Property(tries = 4000)
    void aDamagedHeadDiffOpensAsWrittenOrFailsNamingIt(@ForAll("mutations") Mutation mutation) {
        assertOpensAsWrittenOrFails(WRITTEN.withHead(mutation.apply(WRITTEN.head.data())), WRITTEN.head.seqNo());
    }

    @Property(tries = 4000)
    void aDamagedRollupOpensAsWrittenOrFailsNamingIt(@ForAll("mutations") Mutation mutation) {
        assertOpensAsWrittenOrFails(WRITTEN.withRollup(mutation.apply(WRITTEN.rollup)), WRITTEN.rollupKey.seqNo());
    }

    /**
     * A flipped bit in the header's tag, or a byte inserted into it, makes it another field, which protobuf skips:
     * were such a value taken for one without a header, damage in the body would go unseen. Every bit of the header
     * flipped, and every byte value inserted at every position of it, each with the last byte of the body damaged too.
     */
    @Test
    void aDamagedHeaderDoesNotPassForNone() {
        for (byte[] value : List.of(WRITTEN.head.data(), WRITTEN.rollup)) {
            int headerBytes = value.length - StateIntegrity.open(SHARD, SeqNo.of(1), value,
                    ProtoStateDiff.getDescriptor()).bytes().size();
            assertThat(headerBytes).isBetween(8, 16);
            List<byte[]> damaged = new ArrayList<>();
            for (int bit = 0; bit < headerBytes * 8; bit++) {
                damaged.add(new FlipBits(new int[] {bit, value.length * 8 - 1}).apply(value));
            }
            for (int at = 0; at <= headerBytes; at++) {
                for (int b = 0; b < 256; b++) {
                    byte[] inserted = new Insert(at, new byte[] {(byte) b}).apply(value);
                    damaged.add(new FlipBits(new int[] {inserted.length * 8 - 1}).apply(inserted));
                }
            }
            for (byte[] d : damaged) {
                if (value == WRITTEN.rollup) {
                    assertFails(WRITTEN.withRollup(d), WRITTEN.rollupKey.seqNo());
                } else {
                    assertFails(WRITTEN.withHead(d), WRITTEN.head.seqNo());
                }
            }
        }
    }

    /**
     * Bytes inserted in front of the header can make a field of the message that swallows the header's tag (0x10,
     * field 2 as a varint, found by the property above): what is left parsed as a value without a header, and opened
     * as another state. Every byte value, and every pair of a field's tag and a byte, in front of the diff and the
     * rollup is refused.
     */
    @Test
    void bytesInsertedBeforeTheHeaderAreRefused() {
        for (byte[] value : List.of(WRITTEN.head.data(), WRITTEN.rollup)) {
            List<byte[]> damaged = new ArrayList<>();
            for (int b = 0; b < 256; b++) {
                damaged.add(new Insert(0, new byte[] {(byte) b}).apply(value));
                for (int tag = 1; tag < 128; tag++) {
                    damaged.add(new Insert(0, new byte[] {(byte) tag, (byte) b}).apply(value));
                }
            }
            for (byte[] d : damaged) {
                if (value == WRITTEN.rollup) {
                    assertFails(WRITTEN.withRollup(d), WRITTEN.rollupKey.seqNo());
                } else {
                    assertFails(WRITTEN.withHead(d), WRITTEN.head.seqNo());
                }
            }
        }
    }

    @Test
    void aValueCutAnywhereIsRefused() {
        byte[] diff = WRITTEN.head.data();
        for (int length = 0; length < diff.length; length++) {
            assertFails(WRITTEN.withHead(Arrays.copyOf(diff, length)), WRITTEN.head.seqNo());
        }
        for (int length = 0; length < WRITTEN.rollup.length; length++) {
            assertFails(WRITTEN.withRollup(Arrays.copyOf(WRITTEN.rollup, length)), WRITTEN.rollupKey.seqNo());
        }
    }

    /**
     * The cuts that protobuf alone cannot see: at the boundaries of the top-level fields, what is left parses. Each
     * is refused, for the values this build writes (header first) and for a diff as the build before wrote it
     * (no header: its walltime, written last, is lost, and a diff's walltime always moves forward).
     */
    @Test
    void aValueCutAtAFieldBoundaryIsRefused() throws IOException {
        byte[] diff = WRITTEN.head.data();
        byte[] unsealed = ProtoStateDiff.parseFrom(diff).toBuilder().clearIntegrity().build().toByteArray();
        List<Integer> diffBoundaries = FieldBoundaries.of(diff);
        List<Integer> rollupBoundaries = FieldBoundaries.of(WRITTEN.rollup);
        assertThat(diffBoundaries).hasSizeGreaterThanOrEqualTo(5);
        assertThat(rollupBoundaries).hasSizeGreaterThanOrEqualTo(10);
        for (int at : diffBoundaries) {
            assertFails(WRITTEN.withHead(Arrays.copyOf(diff, at)), WRITTEN.head.seqNo());
        }
        for (int at : FieldBoundaries.of(unsealed)) {
            assertFails(WRITTEN.withHead(Arrays.copyOf(unsealed, at)), WRITTEN.head.seqNo());
        }
        for (int at : rollupBoundaries) {
            assertFails(WRITTEN.withRollup(Arrays.copyOf(WRITTEN.rollup, at)), WRITTEN.rollupKey.seqNo());
        }
        // Without the checks, the same cut diff parses: protobuf does not see the cut.
        assertThat(ProtoStateDiff.parseFrom(Arrays.copyOf(unsealed, FieldBoundaries.of(unsealed).get(3))).getSeqnoTo())
                .isEqualTo(WRITTEN.head.seqNo().value());
    }

    @Test
    void theUndamagedValuesOpenAsWritten() {
        assertThat(WRITTEN.withHead(WRITTEN.head.data()).read()).isEqualTo(WRITTEN.state);
        assertThat(WRITTEN.state.batches()).hasSizeGreaterThanOrEqualTo(3);
        assertThat(WRITTEN.state.writers()).hasSize(2);
        assertThat(WRITTEN.state.readers()).hasSize(1);
        assertThat(WRITTEN.state.criticalReaders()).hasSize(1);
        assertThat(WRITTEN.state.commitMarkers()).containsKey("fuzz/run");
        assertThat(WRITTEN.state.batches().stream().flatMap(b -> b.parts().stream()).anyMatch(p -> p.isInline())).isTrue();
        assertThat(WRITTEN.state.batches().stream().flatMap(b -> b.parts().stream()).anyMatch(p -> !p.isInline())).isTrue();
    }

    private static void assertOpensAsWrittenOrFails(Stores stores, SeqNo damaged) {
        ShardState opened;
        try {
            opened = stores.read();
        } catch (CorruptStateException e) {
            assertNamesShardAndVersion(e, damaged);
            Statistics.collect("refused");
            return;
        }
        assertThat(opened).isEqualTo(WRITTEN.state);
        Statistics.collect("opened as written");
    }

    private static void assertFails(Stores stores, SeqNo damaged) {
        assertThatThrownBy(stores::read).isInstanceOfSatisfying(CorruptStateException.class,
                e -> assertNamesShardAndVersion(e, damaged));
    }

    private static void assertNamesShardAndVersion(CorruptStateException e, SeqNo damaged) {
        assertThat(e.shardId()).isEqualTo(SHARD);
        assertThat(e.seqNo()).as(e.getMessage()).isEqualTo(damaged);
        assertThat(e.getMessage()).contains(SHARD.toString(), damaged.toString()).hasSizeLessThan(1_000)
                .doesNotContainPattern("[\\p{Cntrl}]");
    }


    /** The consensus and blob of the written shard, with one value replaced. */
    private record Stores(Consensus consensus, Blob blob) {
        ShardState read() {
            return StateVersions.readLatest(SHARD, consensus, blob).orElseThrow();
        }
    }

    /** The shard as the real code wrote it, its latest state, head version and the rollup the head names. */
    private record Shard(MemConsensus consensus, MemBlob blob, ShardState state, VersionedData head,
            PartialRollupKey rollupKey, byte[] rollup) {
        static Shard write() {
            MemConsensus consensus = new MemConsensus();
            MemBlob blob = new MemBlob();
            AtomicLong clock = new AtomicLong(1_700_000_000_000L);
            PersistConfig config = PersistConfig.builder()
                    .clockMs(() -> clock.addAndGet(1_000))
                    .rollupThreshold(4)
                    .batch(BatchBuilderConfig.builder().blobTargetSizeBytes(512).inlineWritesSingleMaxBytes(256).build())
                    .build();
            try (PersistClient client = PersistClient.open(PersistLocation.parse("mem://unused", "mem://unused"), config,
                    blob, consensus)) {
                WriteHandle first = client.openWriter(SHARD, CODECS);
                WriteHandle second = client.openWriter(SHARD, CODECS);
                ReadHandle reader = client.openReader(SHARD, CODECS);
                client.openMaintenance(SHARD, CODECS).holdHistory();
                long t = 0;
                for (int i = 0; i < 9; i++, t += 10) {
                    WriteHandle writer = i % 2 == 0 ? first : second;
                    BatchBuilder builder = writer.builder(Frontier.of(t));
                    int updates = i % 3 == 0 ? 60 : 2;
                    for (int u = 0; u < updates; u++) {
                        builder.add(("key-" + i + "-" + u).getBytes(StandardCharsets.UTF_8),
                                ("value-" + u).getBytes(StandardCharsets.UTF_8), t + u % 10, 1);
                    }
                    Batch batch = builder.finish(Frontier.of(t + 10));
                    AppendResult result = i == 7
                            ? writer.compareAndAppend(List.of(batch), Frontier.of(t), Frontier.of(t + 10),
                                    io.flinkpersist.persist.ids.IdempotencyToken.random(), new CommitMarker("fuzz/run", 3))
                            : writer.compareAndAppend(List.of(batch), Frontier.of(t), Frontier.of(t + 10));
                    assertThat(result).isInstanceOf(AppendResult.Committed.class);
                    if (i == 4) {
                        reader.downgradeSince(Frontier.of(20));
                    }
                }
                // The last transition is an append: the head diff adds a batch, a writer's upper and a marker.
                BatchBuilder last = first.builder(Frontier.of(t));
                last.add("last".getBytes(StandardCharsets.UTF_8), "v".getBytes(StandardCharsets.UTF_8), t, 1);
                assertThat(first.compareAndAppend(List.of(last.finish(Frontier.of(t + 10))), Frontier.of(t),
                        Frontier.of(t + 10), io.flinkpersist.persist.ids.IdempotencyToken.random(),
                        new CommitMarker("fuzz/run", 4))).isInstanceOf(AppendResult.Committed.class);
            }
            VersionedData head = consensus.head(SHARD.toString()).orElseThrow();
            PartialRollupKey rollupKey;
            try {
                rollupKey = PartialRollupKey.parse(ProtoStateDiff.parseFrom(head.data()).getLatestRollupKey());
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            assertThat(rollupKey.seqNo()).isLessThan(head.seqNo());
            byte[] rollup = blob.get(rollupKey.complete(SHARD)).orElseThrow();
            ShardState state = StateVersions.readLatest(SHARD, consensus, blob).orElseThrow();
            return new Shard(consensus, blob, state, head, rollupKey, rollup);
        }

        Stores withHead(byte[] data) {
            return new Stores(new VersionReplacedConsensus(consensus, head.seqNo(), data), blob);
        }

        Stores withRollup(byte[] data) {
            String key = rollupKey.complete(SHARD);
            return new Stores(consensus, new ForwardingBlob(blob) {
                @Override
                public Optional<byte[]> get(String k) {
                    return k.equals(key) ? Optional.of(data.clone()) : delegate.get(k);
                }
            });
        }
    }
}
