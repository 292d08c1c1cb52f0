package io.flinkpersist.persist.shard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flinkpersist.persist.InvalidUsageException;
import io.flinkpersist.persist.PersistClient;
import io.flinkpersist.persist.PersistConfig;
import io.flinkpersist.persist.batch.Batch;
import io.flinkpersist.persist.batch.BatchBuilder;
import io.flinkpersist.persist.batch.BatchBuilderConfig;
import io.flinkpersist.persist.ids.IdempotencyToken;
import io.flinkpersist.persist.ids.ShardId;
import io.flinkpersist.persist.ids.WriterId;
import io.flinkpersist.persist.location.PersistLocation;
import io.flinkpersist.persist.maintenance.CompactionOutcome;
import io.flinkpersist.persist.maintenance.CompactionRequest;
import io.flinkpersist.persist.maintenance.CompactionSettings;
import io.flinkpersist.persist.maintenance.OrphanSweepResult;
import io.flinkpersist.persist.maintenance.ShardMaintenance;
import io.flinkpersist.persist.testutils.EmbeddedPostgresServer;
import io.flinkpersist.persist.testutils.FaultyStores;
import io.flinkpersist.persist.blob.Blob;
import io.flinkpersist.persist.consensus.Consensus;
import io.flinkpersist.persist.consensus.VersionedData;
import io.flinkpersist.persist.ids.PartialRollupKey;
import io.flinkpersist.persist.ids.SeqNo;
import io.flinkpersist.persist.proto.diff.ProtoStateDiff;
import io.flinkpersist.persist.state.ShardState;
import io.flinkpersist.persist.state.StateCodec;
import io.flinkpersist.persist.state.StateVersions;
import com.google.protobuf.InvalidProtocolBufferException;
import io.flinkpersist.persist.testutils.S3ProxyServer;
import io.flinkpersist.persist.read.Consolidator;
import io.flinkpersist.persist.read.Listen;
import io.flinkpersist.persist.read.ListenBatch;
import io.flinkpersist.persist.read.ReadHandle;
import io.flinkpersist.persist.read.UpperTimeoutException;
import io.flinkpersist.persist.state.Codecs;
import io.flinkpersist.persist.time.Frontier;
import io.flinkpersist.persist.write.AppendResult;
import io.flinkpersist.persist.write.WriteHandle;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterTry;
import net.jqwik.api.state.Action;
import net.jqwik.api.state.ActionChain;
import net.jqwik.api.state.Transformer;

/**
 * One shard driven through the public API by random interleavings of appends (at the right or a stale upper,
 * truncated, combined, empty, rewritten, transmitted, replayed with their idempotency token, refused), snapshots,
 * listens, since downgrades, writer restarts and clock jumps, each checked against a model that is nothing but the
 * list of updates appended so far with the shard's upper and since.
 *
 * <p>Actions are drawn as plans relative to the model (how far below the upper a batch starts, how wide an append
 * is), so that every plan can run in every state and shrinking keeps them meaningful. A failure names the plans of
 * the shrunk chain and, for the failing one, every concrete call made so far.
 */
class ShardModelTest {
    private static final Codecs CODECS = Codecs.of("utf8", "utf8");
    private static final long WRITER_LEASE_MS = PersistConfig.DEFAULT_WRITER_LEASE.toMillis();
    // Readers never expire here: the model's since is the one reader's, and clock jumps only end writer leases.
    private static final Duration READER_LEASE = Duration.ofDays(3650);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(5);
    private static final int MAX_WRITER_HANDLES = 4;
    private static final List<String> KEYS = List.of("a", "b", "c");
    private static final List<String> VALUES = List.of("x", "y");

    private final List<ShardUnderTest> opened = new ArrayList<>();

    /** Where a try's shard lives. */
    enum Stores { MEMORY, SQLITE_AND_LOCAL_FILES, POSTGRES_AND_S3 }

    @Property(tries = 80)
    void aShardBehavesLikeAListOfUpdatesWithAnUpperAndASince(@ForAll("runs") ActionChain<ShardUnderTest> chain) {
        chain.withInvariant("upper and since follow the model", ShardUnderTest::checkFrontiers).run();
    }

    /** The same model on the embedded defaults: fewer tries, as every step goes to disk. */
    @Property(tries = 12)
    void onSqliteAndLocalFiles(@ForAll("embeddedRuns") ActionChain<ShardUnderTest> chain) {
        chain.withInvariant("upper and since follow the model", ShardUnderTest::checkFrontiers).run();
    }

    /** The same model on real PostgreSQL and S3 servers started by the test. */
    @Property(tries = 6)
    void onPostgresAndS3(@ForAll("postgresS3Runs") ActionChain<ShardUnderTest> chain) {
        chain.withInvariant("upper and since follow the model", ShardUnderTest::checkFrontiers).run();
    }

    @AfterTry
    void closeClients() {
        opened.forEach(ShardUnderTest::close);
        opened.clear();
    }

    @Provide
    Arbitrary<ActionChain<ShardUnderTest>> runs() {
        return chains(Stores.MEMORY);
    }

    @Provide
    Arbitrary<ActionChain<ShardUnderTest>> embeddedRuns() {
        return chains(Stores.SQLITE_AND_LOCAL_FILES);
    }

    @Provide
    Arbitrary<ActionChain<ShardUnderTest>> postgresS3Runs() {
        return chains(Stores.POSTGRES_AND_S3);
    }

    private Arbitrary<ActionChain<ShardUnderTest>> chains(Stores stores) {
        return setups().flatMap(setup -> ActionChain.<ShardUnderTest>startWith(() -> open(setup, stores))
                .withAction(8, action(appendPlans()))
                .withAction(3, action(rewritePlans()))
                .withAction(2, action(retryPlans()))
                .withAction(3, action(snapshotPlans()))
                .withAction(2, action(listenPlans()))
                .withAction(1, action(downgradePlans()))
                .withAction(1, action(clockPlans()))
                .withAction(1, action(openWriterPlans()))
                .withAction(1, action(misbuildPlans()))
                .withAction(2, action(compactPlans()))
                .withAction(1, action(Arbitraries.just(new SweepPlan())))
                .withMaxTransformations(30));
    }

    private ShardUnderTest open(Setup setup, Stores stores) {
        ShardUnderTest shard = new ShardUnderTest(setup, stores);
        opened.add(shard);
        return shard;
    }

    private static Action.Independent<ShardUnderTest> action(Arbitrary<? extends Plan> plans) {
        return () -> plans.map(plan -> Transformer.mutate(plan.toString(), shard -> shard.step(plan)));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Plans: what an action does, relative to the model's upper and since when it runs.

    /**
     * The two clients of one try, on the same stores (mem stores are JVM-wide, so each try gets stores of its own):
     * the second has the opposite consolidate setting and a part size of its own, like another process.
     */
    record Setup(long partTargetBytes, long otherPartTargetBytes, long inlinePartMaxBytes, long inlineTotalMaxBytes,
            boolean consolidate, int rollupThreshold, long faultSeed) {}

    sealed interface Plan permits AppendPlan, RewritePlan, RetryPlan, SnapshotPlan, ListenPlan, DowngradePlan,
            ClockPlan, OpenWriterPlan, MisbuildPlan, CompactPlan, SweepPlan {
        void runOn(ShardUnderTest shard);
    }

    /** An update whose time is {@code timeSeed} folded into the bounds of the batch it goes into. */
    record UpdatePlan(int key, int value, int timeSeed, long diff) {
        @Override
        public String toString() {
            return KEYS.get(key) + "/" + VALUES.get(value) + "~" + timeSeed + (diff < 0 ? "" : "+") + diff;
        }
    }

    /**
     * A plain batch of an append: it starts {@code lowerBack} below the append's lower (negative: above it, which
     * is refused) and ends {@code upperExtra} past the append's upper (negative: short of it, refused). Built by
     * handle {@code builder}, which may be of the other client, and sent as transmittable bytes if {@code transmit}.
     */
    record BatchPlan(int builder, int lowerBack, int upperExtra, List<UpdatePlan> updates, boolean transmit) {}

    /** compareAndAppend of plain batches at the model's upper plus {@code expectedSkew}, {@code width} wide. */
    record AppendPlan(int writer, int expectedSkew, int width, List<BatchPlan> batches) implements Plan {
        @Override
        public void runOn(ShardUnderTest shard) {
            shard.append(this);
        }
    }

    /** How a rewritten batch goes wrong before it is appended properly. */
    enum Misstep { NONE, STALE_UPPER, REWRITE_BACKWARDS, TRUNCATED_APPEND, PLAIN_COMPANION }

    /**
     * A batch built below the upper ({@code lowerBack}), moved with rewriteTs to the upper and appended as
     * {@code [upper, upper + width)}, as a sink's committer does; {@code companion} joins it for
     * {@link Misstep#PLAIN_COMPANION}.
     */
    record RewritePlan(int writer, int lowerBack, int width, int spanSeed, List<UpdatePlan> updates, boolean transmit,
            Misstep misstep, BatchPlan companion) implements Plan {
        @Override
        public void runOn(ShardUnderTest shard) {
            shard.appendRewritten(this);
        }
    }

    /** The last committed append of the writer of handle {@code writer} again, with its token. */
    record RetryPlan(int writer, boolean reopen) implements Plan {
        @Override
        public void runOn(ShardUnderTest shard) {
            shard.retry(this);
        }
    }

    enum AsOf { READABLE, BELOW_SINCE, NOT_YET_WRITTEN }

    record SnapshotPlan(AsOf asOf, int seed) implements Plan {
        @Override
        public void runOn(ShardUnderTest shard) {
            shard.snapshot(this);
        }
    }

    record ListenPlan(int seed) implements Plan {
        @Override
        public void runOn(ShardUnderTest shard) {
            shard.listen(this);
        }
    }

    /** The reader asks for its since to move by {@code delta} (backwards is ignored by the shard). */
    record DowngradePlan(int delta) implements Plan {
        @Override
        public void runOn(ShardUnderTest shard) {
            shard.downgradeSince(this);
        }
    }

    record ClockPlan(boolean pastWriterLease) implements Plan {
        @Override
        public void runOn(ShardUnderTest shard) {
            shard.advanceClock(this);
        }
    }

    /** Another write handle: with the writer id of handle {@code slot} (a restart) or a new one. */
    record OpenWriterPlan(int slot, boolean sameId, boolean otherClient) implements Plan {
        @Override
        public void runOn(ShardUnderTest shard) {
            shard.openWriter(this);
        }
    }

    enum Misbuild { UPDATE_BELOW_LOWER, UPDATE_AT_UPPER, UPPER_BELOW_LOWER }

    /** A batch the builder must refuse, after some valid updates (which may already have become parts). */
    record MisbuildPlan(Misbuild kind, int writer, List<UpdatePlan> valid) implements Plan {
        @Override
        public void runOn(ShardUnderTest shard) {
            shard.misbuild(this);
        }
    }

    /**
     * Maintenance compacts the shard; with {@code race}, a second maintainer (of the other client) compacts first
     * what the first one was asked to merge, so the first one's merge loses and its output must go; with
     * {@code crash}, the maintainer dies at the compare-and-set that applies its merge, its output written and
     * maybe applied, and nothing cleaned up (the next sweep must find what it left).
     */
    record CompactPlan(boolean race, boolean crash) implements Plan {
        @Override
        public void runOn(ShardUnderTest shard) {
            shard.compact(this);
        }
    }

    /** An orphan sweep with no grace period: between steps no batch is on its way to the shard. */
    record SweepPlan() implements Plan {
        @Override
        public void runOn(ShardUnderTest shard) {
            shard.sweep();
        }
    }

    private static Arbitrary<CompactPlan> compactPlans() {
        return Arbitraries.of(new CompactPlan(false, false), new CompactPlan(true, false),
                new CompactPlan(false, true));
    }

    private static Arbitrary<Setup> setups() {
        // 26 bytes an update here: a part of every update, of two, or of eight.
        Arbitrary<Long> partTargets = Arbitraries.of(0L, 40L, 200L);
        return Combinators.combine(
                partTargets,
                partTargets,
                Arbitraries.of(0L, 64L, 4096L),
                // A small total makes appends of inline parts hit backpressure and flush them to blob.
                Arbitraries.of(256L, PersistConfig.DEFAULT_INLINE_WRITES_TOTAL_MAX_BYTES),
                Arbitraries.of(true, false),
                // Tiny thresholds roll up, record and collect rollups and truncate consensus every few steps.
                Arbitraries.of(1, 2, 3, 128),
                // 0: no faults; otherwise the seed of the maintenance faults injected in this try.
                Arbitraries.frequencyOf(Tuple.of(1, Arbitraries.just(0L)), Tuple.of(2, Arbitraries.longs().between(1, 1_000_000))))
                .as(Setup::new);
    }

    private static Arbitrary<Integer> slots() {
        return Arbitraries.integers().between(0, MAX_WRITER_HANDLES - 1);
    }

    private static Arbitrary<UpdatePlan> updatePlans() {
        return Combinators.combine(
                Arbitraries.integers().between(0, KEYS.size() - 1),
                Arbitraries.integers().between(0, VALUES.size() - 1),
                Arbitraries.integers().between(0, 99),
                Arbitraries.frequency(Tuple.of(6, 1L), Tuple.of(4, -1L), Tuple.of(2, 2L), Tuple.of(1, -2L), Tuple.of(1, 0L)))
                .as(UpdatePlan::new);
    }

    private static Arbitrary<BatchPlan> batchPlans() {
        return Combinators.combine(
                slots(),
                Arbitraries.frequency(Tuple.of(6, 0), Tuple.of(2, 1), Tuple.of(1, 3), Tuple.of(1, -1)),
                Arbitraries.frequency(Tuple.of(6, 0), Tuple.of(2, 2), Tuple.of(1, -1)),
                updatePlans().list().ofMaxSize(6),
                Arbitraries.of(true, false)).as(BatchPlan::new);
    }

    private static Arbitrary<AppendPlan> appendPlans() {
        return Combinators.combine(
                slots(),
                Arbitraries.frequency(Tuple.of(8, 0), Tuple.of(1, -1), Tuple.of(1, 1), Tuple.of(1, -3)),
                Arbitraries.frequency(Tuple.of(1, -1), Tuple.of(1, 0), Tuple.of(8, 1), Tuple.of(4, 2), Tuple.of(2, 4)),
                batchPlans().list().ofMaxSize(3)).as(AppendPlan::new);
    }

    private static Arbitrary<RewritePlan> rewritePlans() {
        Arbitrary<BatchPlan> companions = Combinators.combine(slots(), Arbitraries.of(0, 1), Arbitraries.of(0, 1),
                updatePlans().list().ofMaxSize(3), Arbitraries.of(true, false)).as(BatchPlan::new);
        return Combinators.combine(
                slots(),
                // 1000 reaches back to time 0: a batch built before anything was known about the shard.
                Arbitraries.of(0, 1, 3, 1000),
                Arbitraries.integers().between(1, 4),
                Arbitraries.integers().between(0, 99),
                updatePlans().list().ofMaxSize(6),
                Arbitraries.of(true, false),
                Arbitraries.of(Misstep.class),
                companions).as(RewritePlan::new);
    }

    private static Arbitrary<RetryPlan> retryPlans() {
        return Combinators.combine(slots(), Arbitraries.of(true, false)).as(RetryPlan::new);
    }

    private static Arbitrary<SnapshotPlan> snapshotPlans() {
        return Combinators.combine(
                Arbitraries.frequency(Tuple.of(6, AsOf.READABLE), Tuple.of(1, AsOf.BELOW_SINCE), Tuple.of(1, AsOf.NOT_YET_WRITTEN)),
                Arbitraries.integers().between(0, 99)).as(SnapshotPlan::new);
    }

    private static Arbitrary<ListenPlan> listenPlans() {
        return Arbitraries.integers().between(0, 99).map(ListenPlan::new);
    }

    private static Arbitrary<DowngradePlan> downgradePlans() {
        return Arbitraries.integers().between(-2, 5).map(DowngradePlan::new);
    }

    private static Arbitrary<ClockPlan> clockPlans() {
        return Arbitraries.of(true, false).map(ClockPlan::new);
    }

    private static Arbitrary<OpenWriterPlan> openWriterPlans() {
        return Combinators.combine(slots(), Arbitraries.of(true, false), Arbitraries.of(true, false)).as(OpenWriterPlan::new);
    }

    private static Arbitrary<MisbuildPlan> misbuildPlans() {
        return Combinators.combine(Arbitraries.of(Misbuild.class), slots(), updatePlans().list().ofMaxSize(4))
                .as(MisbuildPlan::new);
    }

    // ---------------------------------------------------------------------------------------------------------
    // The model.

    /** An update as the model holds it and as reads return it. */
    record Update(String key, String value, long time, long diff) {
        static final Comparator<Update> ORDER =
                Comparator.comparing(Update::key).thenComparing(Update::value).thenComparingLong(Update::time);

        Update at(long newTime) {
            return new Update(key, value, newTime, diff);
        }

        @Override
        public String toString() {
            return key + "/" + value + "@" + time + (diff < 0 ? "" : "+") + diff;
        }
    }

    /** Equal (key, value, time) summed, zero sums dropped, in the order reads return them. */
    static List<Update> consolidate(Stream<Update> updates) {
        Map<Update, Long> sums = new TreeMap<>(Update.ORDER);
        updates.forEach(u -> sums.merge(u, u.diff(), Long::sum));
        return sums.entrySet().stream()
                .filter(e -> e.getValue() != 0)
                .map(e -> new Update(e.getKey().key(), e.getKey().value(), e.getKey().time(), e.getValue()))
                .toList();
    }

    /**
     * A batch as the model sees it: its bounds, the updates it was built with, the frontier of its rewriteTs if any,
     * and whether it has parts at all (the part layout is the implementation's business; only an empty batch may be
     * appended over an empty interval).
     */
    record ModelBatch(long lower, long upper, List<Update> updates, OptionalLong rewrite, boolean hasParts) {
        ModelBatch rewritten(long frontier, long newUpper) {
            return new ModelBatch(lower, newUpper, updates, OptionalLong.of(frontier), hasParts);
        }

        /** The updates a reader sees once this batch is appended as [appendLower, appendUpper). */
        Stream<Update> appendedAs(long appendLower, long appendUpper) {
            return updates.stream()
                    .map(u -> rewrite.isPresent() ? u.at(Math.max(u.time(), rewrite.getAsLong())) : u)
                    .filter(u -> appendLower <= u.time() && u.time() < appendUpper);
        }

        @Override
        public String toString() {
            return "[" + lower + ", " + upper + ")" + (rewrite.isPresent() ? " rewritten to " + rewrite.getAsLong() : "")
                    + " " + updates;
        }
    }

    /** What compareAndAppend must answer. */
    sealed interface Expected {
        default boolean appended() {
            return this instanceof Committed || this instanceof AlreadyCommitted;
        }
    }

    record Committed() implements Expected {}

    record AlreadyCommitted(long upper) implements Expected {}

    record Mismatch(long current) implements Expected {}

    record Refused(Class<? extends InvalidUsageException> kind) implements Expected {
        @Override
        public String toString() {
            return "Refused[" + kind.getSimpleName() + "]";
        }
    }

    /** A writer as shard state holds it: its lease, and the token of its last append, which recognises a replay. */
    record RegisteredWriter(long heartbeatMs, IdempotencyToken token) {}

    /** A committed append as a committer would keep it to replay after a restart. */
    record CommittedAppend(List<ModelBatch> batches, List<byte[]> transmittables, long expected, long newUpper,
            IdempotencyToken token) {}

    /** What the shard must hold: every update appended so far, its upper and since, and its writers. */
    static final class ShardModel {
        private final List<Update> updates = new ArrayList<>();
        private final Map<WriterId, RegisteredWriter> writers = new HashMap<>();
        private final Map<WriterId, CommittedAppend> lastAppends = new HashMap<>();
        private long upper;
        private long since;

        /** The answer to an append, in the order persist checks: bounds, batches, interval, token, upper. */
        Expected predict(WriterId writer, List<ModelBatch> batches, long expected, long newUpper, IdempotencyToken token) {
            if (newUpper < expected) {
                return new Refused(InvalidUsageException.InvalidBounds.class);
            }
            // The rewrite is recorded on the parts, so a batch without parts counts as plain, as in persist.
            boolean anyRewrite = batches.stream().anyMatch(b -> b.rewrite().isPresent() && b.hasParts());
            for (ModelBatch batch : batches) {
                // A rewritten append may not be truncated at all: neither above nor below (persist-facts §5.2).
                if (anyRewrite && (batch.upper() != newUpper
                        || batch.hasParts() && expected > batch.rewrite().orElse(batch.lower()))) {
                    return new Refused(InvalidUsageException.InvalidRewrite.class);
                }
                if (batch.lower() > expected || batch.upper() < newUpper) {
                    return new Refused(InvalidUsageException.InvalidBatchBounds.class);
                }
            }
            if (expected == newUpper && batches.stream().anyMatch(ModelBatch::hasParts)) {
                return new Refused(InvalidUsageException.InvalidEmptyTimeInterval.class);
            }
            if (isLastToken(writer, token)) {
                return new AlreadyCommitted(newUpper);
            }
            return upper == expected ? new Committed() : new Mismatch(upper);
        }

        void commit(WriterId writer, CommittedAppend append, long nowMs) {
            append.batches().forEach(b -> b.appendedAs(append.expected(), append.newUpper()).forEach(updates::add));
            upper = append.newUpper();
            writers.put(writer, new RegisteredWriter(nowMs, append.token()));
            lastAppends.put(writer, append);
            stateWritten(nowMs);
        }

        /** A reader's since only moves forward, and the shard's is its one reader's, even past the upper. */
        void downgradeSince(long target, long nowMs) {
            since = Math.max(since, target);
            stateWritten(nowMs);
        }

        /** Every transition that writes state drops the writers whose lease is over by then. */
        void stateWritten(long nowMs) {
            writers.values().removeIf(w -> w.heartbeatMs() + WRITER_LEASE_MS < nowMs);
        }

        boolean isRegistered(WriterId writer) {
            return writers.containsKey(writer);
        }

        boolean isLastToken(WriterId writer, IdempotencyToken token) {
            RegisteredWriter registered = writers.get(writer);
            return registered != null && registered.token().equals(token);
        }

        CommittedAppend lastAppend(WriterId writer) {
            return lastAppends.get(writer);
        }

        /** §6: every update at or before asOf, advanced to asOf, consolidated. */
        List<Update> snapshot(long asOf) {
            return consolidate(updates.stream().filter(u -> u.time() <= asOf).map(u -> u.at(asOf)));
        }

        /** §6: every update after asOf (and before the upper, which every update is), consolidated per time. */
        List<Update> changesAfter(long asOf) {
            return consolidate(updates.stream().filter(u -> asOf < u.time()));
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // The system under test, next to its model.

    /** A write handle with a readable name: the writer id's number and the handle's. */
    record WriterSlot(WriteHandle handle, PersistClient client, String name) {
        WriterId id() {
            return handle.writerId();
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** The stores a client was opened on. */
    record StoresOfClient(Blob blob, Consensus consensus) {}

    /** A batch as built, with its model twin. */
    record Built(Batch batch, ModelBatch shape) {}

    static final class ShardUnderTest {
        private final AtomicLong clock = new AtomicLong(1_000_000);
        private final ShardId shard = ShardId.random();
        private final PersistClient client;
        // Same stores, the opposite consolidate setting: batches built by a differently configured process.
        private final PersistClient otherClient;
        private final List<WriterSlot> writers = new ArrayList<>();
        private final Map<WriterId, String> writerNames = new HashMap<>();
        private final ReadHandle reader;
        private final ShardMaintenance maintenance;
        private final ShardMaintenance otherMaintenance;
        private final FaultyStores faults;
        private StoresOfClient stores;
        private final ShardModel model = new ShardModel();
        private final List<String> journal = new ArrayList<>();
        private int handlesOpened;
        private Frontier upperSeen = Frontier.MINIMUM;
        private Frontier sinceSeen = Frontier.MINIMUM;

        // The embedded stores' directory, removed when the try ends; null for other stores.
        private java.nio.file.Path localDir;

        ShardUnderTest(Setup setup, Stores stores) {
            String name = "shard-model-" + UUID.randomUUID();
            PersistLocation location;
            Map<String, String> hadoopOptions = Map.of();
            switch (stores) {
                case SQLITE_AND_LOCAL_FILES -> {
                    try {
                        localDir = java.nio.file.Files.createTempDirectory(name);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                    location = PersistLocation.embedded(localDir);
                }
                case POSTGRES_AND_S3 -> {
                    S3ProxyServer s3 = S3ProxyServer.shared();
                    location = PersistLocation.parse("s3a://" + s3.createBucket() + "/model",
                            EmbeddedPostgresServer.shared().createDatabase());
                    hadoopOptions = s3.s3aOptions();
                }
                default -> location = PersistLocation.parse("mem://" + name, "mem://" + name);
            }
            faults = new FaultyStores(setup.faultSeed(), setup.faultSeed() == 0 ? 0 : 0.15);
            client = open(location, config(setup, setup.partTargetBytes(), setup.consolidate(), hadoopOptions));
            otherClient = open(location, config(setup, setup.otherPartTargetBytes(), !setup.consolidate(), hadoopOptions));
            writers.add(newHandle(client, WriterId.random()));
            writers.add(newHandle(otherClient, WriterId.random()));
            reader = client.openReader(shard, CODECS);
            maintenance = client.openMaintenance(shard, CODECS);
            otherMaintenance = otherClient.openMaintenance(shard, CODECS);
            faults.arm();
            journal.add(setup.toString());
        }

        private PersistClient open(PersistLocation location, PersistConfig config) {
            Blob blob = faults.blob(location.openBlob(config.hadoopOptions(), config.retryPolicy()));
            Consensus consensus = faults.consensus(location.openConsensus(config.postgres(), config.sqlite()));
            if (stores == null) {
                // Reads never fail: the first client's stores serve the checks too.
                stores = new StoresOfClient(blob, consensus);
            }
            return PersistClient.open(location, config, blob, consensus);
        }

        private PersistConfig config(Setup setup, long partTargetBytes, boolean consolidate,
                Map<String, String> hadoopOptions) {
            return PersistConfig.builder()
                    .rollupThreshold(setup.rollupThreshold())
                    .hadoopOptions(hadoopOptions)
                    .clockMs(clock::get)
                    .readerLease(READER_LEASE)
                    .inlineWritesTotalMaxBytes(setup.inlineTotalMaxBytes())
                    .uploadThreads(2)
                    // Every merge the policy finds runs at once; the reader's since caps the retention.
                    .compaction(CompactionSettings.defaults().withThresholds(2, 1, 1).withHistoryRetention(Duration.ZERO)
                            .withMemoryBound(Math.max(4 * partTargetBytes, 1)))
                    .batch(BatchBuilderConfig.builder()
                            .blobTargetSizeBytes(partTargetBytes)
                            .inlineWritesSingleMaxBytes(setup.inlinePartMaxBytes())
                            .consolidate(consolidate)
                            .build())
                    .build();
        }

        void close() {
            try {
                client.close();
            } finally {
                otherClient.close();
                deleteLocalDir();
            }
        }

        private void deleteLocalDir() {
            if (localDir == null) {
                return;
            }
            try (Stream<java.nio.file.Path> paths = java.nio.file.Files.walk(localDir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        private WriterSlot newHandle(PersistClient on, WriterId id) {
            String idName = writerNames.computeIfAbsent(id, unused -> "w" + (writerNames.size() + 1));
            String name = idName + "/h" + ++handlesOpened + (on == otherClient ? " (other config)" : "");
            return new WriterSlot(on.openWriter(shard, CODECS, id), on, name);
        }

        private int slot(int plan) {
            return plan % writers.size();
        }

        private WriterSlot writer(int plan) {
            return writers.get(slot(plan));
        }

        /** Runs one plan; a failure carries every concrete call made so far in this try. */
        void step(Plan plan) {
            try {
                plan.runOn(this);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("step " + (journal.size()) + ", " + plan + ", failed after:\n  "
                        + String.join("\n  ", journal) + "\n" + e, e);
            }
        }

        private void note(String line) {
            journal.add(line);
        }

        /** After every step: the shard's frontiers are the model's, and neither went back. */
        void checkFrontiers() {
            Frontier upper = reader.fetchRecentUpper();
            Frontier since = reader.since();
            String context = "after:\n  " + String.join("\n  ", journal);
            assertThat(upper).as("upper " + context).isEqualTo(Frontier.of(model.upper)).isGreaterThanOrEqualTo(upperSeen);
            // Handle 0 reads it too; the other handles keep stale caches, as real ones do.
            assertThat(writers.get(0).handle().fetchRecentUpper()).as("writer's upper " + context).isEqualTo(upper);
            assertThat(since).as("since " + context).isEqualTo(Frontier.of(model.since)).isGreaterThanOrEqualTo(sinceSeen);
            upperSeen = upper;
            sinceSeen = since;
            checkStoredVersions(context);
        }

        /**
         * Read from the stores alone (the newest rollup and the diffs after it), the shard has the model's frontiers;
         * every consensus version is a persist state diff and every rollup the state names is in blob.
         */
        private void checkStoredVersions(String context) {
            ShardState stored = StateVersions.readLatest(shard, stores.consensus(), stores.blob()).orElseThrow();
            assertThat(stored.upper()).as("upper read from the stores " + context).isEqualTo(Frontier.of(model.upper));
            assertThat(stored.since()).as("since read from the stores " + context).isEqualTo(Frontier.of(model.since));
            List<VersionedData> versions = stores.consensus().scan(shard.toString(), SeqNo.MINIMUM, 100_000);
            // Consensus starts at a rollup, so a reader of any version it still holds can start from one.
            assertThat(stored.rollups()).as("rollups " + context).containsKey(versions.get(0).seqNo());
            for (VersionedData version : versions) {
                ProtoStateDiff diff;
                try {
                    diff = ProtoStateDiff.parseFrom(version.data());
                } catch (InvalidProtocolBufferException e) {
                    throw new AssertionError("version " + version.seqNo() + " is not a state diff " + context, e);
                }
                assertThat(diff.getSeqnoTo()).as("diff of " + version.seqNo()).isEqualTo(version.seqNo().value());
                assertThat(PartialRollupKey.parse(diff.getLatestRollupKey()).seqNo()).as("rollup named by " + version.seqNo())
                        .isLessThanOrEqualTo(version.seqNo());
            }
            checkRetainedPartsExist(versions, stored, context);
            stored.rollups().forEach((seqNo, rollup) -> {
                if (seqNo.equals(stored.rollups().lastKey())) {
                    byte[] bytes = stores.blob().get(rollup.key().complete(shard)).orElseThrow(
                            () -> new AssertionError("the newest rollup " + rollup.key() + " is missing " + context));
                    assertThat(StateCodec.decode(shard, seqNo, bytes).seqNo()).isEqualTo(seqNo);
                }
            });
        }

        /**
         * Garbage collection never deletes a part that a version some reader may still read references: every version
         * from the least seqno hold of the readers on (a collection that stopped midway may have deleted the parts
         * and rollups of older versions and not yet truncated them; no reader can read those any more).
         */
        private void checkRetainedPartsExist(List<VersionedData> versions, ShardState latest, String context) {
            long hold = latest.readers().values().stream().mapToLong(r -> r.seqNoHold().value()).min()
                    .orElse(latest.seqNo().value());
            SeqNo seqNoSince = SeqNo.of(Math.min(hold, latest.seqNo().value()));
            java.util.Set<String> referenced = partsOfVersionsFrom(seqNoSince, versions, latest);
            java.util.Set<String> stored = new java.util.HashSet<>();
            stores.blob().list(shard.toString() + "/", (key, size) -> stored.add(key));
            referenced.removeAll(stored);
            assertThat(referenced).as("parts referenced by retained versions but missing from blob " + context).isEmpty();
        }

        /**
         * The parts the versions from {@code from} on reference, read from the newest rollup in blob at or below it
         * (the oldest one still in blob when {@code from} is below every rollup) and the diffs after it.
         */
        private java.util.Set<String> partsOfVersionsFrom(SeqNo from, List<VersionedData> versions, ShardState latest) {
            ShardState state = null;
            for (var rollup : latest.rollups().values()) {
                if (state != null && rollup.key().seqNo().compareTo(from) > 0) {
                    break;
                }
                Optional<byte[]> bytes = stores.blob().get(rollup.key().complete(shard));
                if (bytes.isPresent()) {
                    state = StateCodec.decode(shard, rollup.key().seqNo(), bytes.get());
                }
            }
            assertThat(state).as("a readable rollup for the versions from " + from).isNotNull();
            java.util.Set<String> referenced = new java.util.HashSet<>();
            SeqNo base = state.seqNo();
            for (VersionedData version : versions.stream().filter(v -> v.seqNo().compareTo(base) > 0).toList()) {
                if (state.seqNo().compareTo(from) >= 0) {
                    referencedParts(state, referenced);
                }
                try {
                    state = io.flinkpersist.persist.state.StateDiff.apply(state, ProtoStateDiff.parseFrom(version.data()));
                } catch (InvalidProtocolBufferException e) {
                    throw new AssertionError(e);
                }
            }
            referencedParts(state, referenced);
            return referenced;
        }

        private void referencedParts(ShardState state, java.util.Set<String> keys) {
            state.batches().forEach(b -> b.parts().stream().filter(p -> !p.isInline())
                    .forEach(p -> keys.add(p.blobKey(shard))));
        }

        // ---- building batches

        private Built build(WriterSlot builder, long lower, long upper, List<UpdatePlan> plans) {
            List<Update> updates = new ArrayList<>();
            BatchBuilder batchBuilder = builder.handle().builder(Frontier.of(lower));
            if (upper > lower) {
                for (UpdatePlan plan : plans) {
                    Update update = new Update(KEYS.get(plan.key()), VALUES.get(plan.value()),
                            lower + plan.timeSeed() % (upper - lower), plan.diff());
                    batchBuilder.add(bytes(update.key()), bytes(update.value()), update.time(), update.diff());
                    updates.add(update);
                }
            }
            Batch batch = batchBuilder.finish(Frontier.of(upper));
            return new Built(batch, new ModelBatch(lower, upper, updates, OptionalLong.empty(),
                    !batch.hollowBatch().parts().isEmpty()));
        }

        /** A plain batch of an append [expected, newUpper), as its plan places it. */
        private Built build(BatchPlan plan, WriterSlot committer, long expected, long newUpper) {
            long lower = Math.max(0, expected - plan.lowerBack());
            long upper = Math.max(lower, newUpper + plan.upperExtra());
            Built built = build(writer(plan.builder()), lower, upper, plan.updates());
            return plan.transmit() ? transmitted(built, committer) : built;
        }

        /** The batch as the committer receives it from whoever built it. */
        private Built transmitted(Built built, WriterSlot committer) {
            Batch received = committer.handle().batchFromTransmittable(built.batch().toTransmittable());
            assertThat(received.isDangling()).as("a received batch owns its parts").isEqualTo(built.shape().hasParts());
            return new Built(received, built.shape());
        }

        // ---- appending

        /** One compareAndAppend, checked against the model's prediction; batches that were not appended stay the caller's. */
        private Expected compareAndAppend(WriterSlot committer, List<Built> built, long expected, long newUpper,
                IdempotencyToken token) {
            List<Batch> batches = built.stream().map(Built::batch).toList();
            List<ModelBatch> shapes = built.stream().map(Built::shape).toList();
            Expected outcome = model.predict(committer.id(), shapes, expected, newUpper, token);
            String call = committer + " appends " + shapes + " as [" + expected + ", " + newUpper + ") with token "
                    + (model.isLastToken(committer.id(), token) ? "of its last append" : "new to the shard");
            Frontier lower = Frontier.of(expected);
            Frontier upper = Frontier.of(newUpper);
            if (outcome instanceof Refused refused) {
                assertThatThrownBy(() -> committer.handle().compareAndAppend(batches, lower, upper, token))
                        .as(call).isExactlyInstanceOf(refused.kind());
            } else {
                AppendResult result = committer.handle().compareAndAppend(batches, lower, upper, token);
                if (outcome instanceof Committed) {
                    assertThat(result).as(call).isInstanceOf(AppendResult.Committed.class);
                    model.commit(committer.id(), new CommittedAppend(shapes,
                            batches.stream().map(Batch::toTransmittable).toList(), expected, newUpper, token), clock.get());
                } else if (outcome instanceof AlreadyCommitted already) {
                    assertThat(result).as(call).isEqualTo(new AppendResult.AlreadyCommitted(Frontier.of(already.upper())));
                } else {
                    assertThat(result).as(call).isEqualTo(
                            new AppendResult.UpperMismatch(lower, Frontier.of(((Mismatch) outcome).current())));
                }
            }
            for (Built b : built) {
                assertThat(b.batch().isDangling()).as(call + ": whether " + b.shape() + " still owns parts")
                        .isEqualTo(!outcome.appended() && b.shape().hasParts());
            }
            note(call + " -> " + outcome);
            return outcome;
        }

        /** A batch that was not appended: its parts must go. */
        private static void discard(List<Built> built) {
            built.forEach(b -> b.batch().delete());
        }

        void append(AppendPlan plan) {
            WriterSlot committer = writer(plan.writer());
            long expected = Math.max(0, model.upper + plan.expectedSkew());
            long newUpper = Math.max(0, expected + plan.width());
            List<Built> built = plan.batches().stream().map(b -> build(b, committer, expected, newUpper)).toList();
            if (!compareAndAppend(committer, built, expected, newUpper, IdempotencyToken.random()).appended()) {
                discard(built);
            }
        }

        void appendRewritten(RewritePlan plan) {
            WriterSlot committer = writer(plan.writer());
            long upper = model.upper;
            long width = plan.width();
            long lower = Math.max(0, upper - plan.lowerBack());
            long batchUpper = lower + 1 + plan.spanSeed() % (upper + width - lower);
            Built built = build(committer, lower, batchUpper, plan.updates());
            Batch batch = built.batch();
            ModelBatch shape = built.shape();

            if (plan.misstep() == Misstep.REWRITE_BACKWARDS) {
                assertThatThrownBy(() -> batch.rewriteTs(Frontier.of(upper + width), Frontier.of(upper + width)))
                        .isExactlyInstanceOf(InvalidUsageException.InvalidRewrite.class);
                if (lower > 0) {
                    assertThatThrownBy(() -> batch.rewriteTs(Frontier.of(lower - 1), Frontier.of(upper + width)))
                            .isExactlyInstanceOf(InvalidUsageException.InvalidRewrite.class);
                }
                assertThatThrownBy(() -> batch.rewriteTs(Frontier.of(upper), Frontier.of(batchUpper - 1)))
                        .isExactlyInstanceOf(InvalidUsageException.InvalidRewrite.class);
                assertThat(batch.upper()).as("a refused rewrite changes nothing").isEqualTo(Frontier.of(batchUpper));
                note("rewrites of " + shape + " to an empty interval, below its lower and below its upper -> refused");
            }
            if (plan.misstep() == Misstep.STALE_UPPER && lower < upper) {
                // The committer's view of the upper is one behind: it rewrites to it, loses, and rewrites again.
                long stale = upper - 1;
                long staleUpper = Math.max(stale + width, batchUpper);
                batch.rewriteTs(Frontier.of(stale), Frontier.of(staleUpper));
                shape = shape.rewritten(stale, staleUpper);
                Built staleBatch = new Built(batch, shape);
                if (compareAndAppend(committer, List.of(staleBatch), stale, staleUpper, IdempotencyToken.random()).appended()) {
                    return;
                }
            }
            batch.rewriteTs(Frontier.of(upper), Frontier.of(upper + width));
            Built rewritten = new Built(batch, shape.rewritten(upper, upper + width));
            if (plan.transmit()) {
                rewritten = transmitted(rewritten, committer);
            }
            if (plan.misstep() == Misstep.TRUNCATED_APPEND
                    && compareAndAppend(committer, List.of(rewritten), upper, upper + width - 1, IdempotencyToken.random())
                            .appended()) {
                return;
            }
            if (plan.misstep() == Misstep.PLAIN_COMPANION) {
                Built companion = build(plan.companion(), committer, upper, upper + width);
                if (compareAndAppend(committer, List.of(rewritten, companion), upper, upper + width,
                        IdempotencyToken.random()).appended()) {
                    return;
                }
                discard(List.of(companion));
            }
            if (!compareAndAppend(committer, List.of(rewritten), upper, upper + width, IdempotencyToken.random()).appended()) {
                discard(List.of(rewritten));
            }
        }

        void retry(RetryPlan plan) {
            int slot = slot(plan.writer());
            WriterSlot committer = writers.get(slot);
            CommittedAppend last = model.lastAppend(committer.id());
            if (last == null) {
                note(committer + " has no committed append to retry");
                return;
            }
            // A writer whose lease ended is replayed by a restarted committer, whose view of the state is current
            // (an old handle's cached state may still show the writer and recognise the token, truthfully).
            if (plan.reopen() || !model.isRegistered(committer.id())) {
                committer = newHandle(committer.client(), committer.id());
                writers.set(slot, committer);
            }
            WriteHandle handle = committer.handle();
            List<Built> replayed = IntStream.range(0, last.batches().size())
                    .mapToObj(i -> new Built(handle.batchFromTransmittable(last.transmittables().get(i)), last.batches().get(i)))
                    .toList();
            Expected outcome = compareAndAppend(committer, replayed, last.expected(), last.newUpper(), last.token());
            if (!outcome.appended()) {
                // Their parts have been the shard's since the first commit: deleting them would lose data.
                replayed.forEach(b -> b.batch().markConsumed());
            }
            // Nothing was appended twice: the latest readable snapshot is still the model's.
            if (model.since < model.upper) {
                long asOf = model.upper - 1;
                assertThat(drain(reader.snapshot(asOf, READ_TIMEOUT))).as("snapshot as of " + asOf + " after the replay")
                        .isEqualTo(model.snapshot(asOf));
            }
        }

        // ---- reading

        void snapshot(SnapshotPlan plan) {
            long since = model.since;
            long upper = model.upper;
            switch (plan.asOf()) {
                case READABLE -> {
                    if (since >= upper) {
                        note("no snapshot: nothing is readable with since " + since + " and upper " + upper);
                        return;
                    }
                    long asOf = since + plan.seed() % (upper - since);
                    assertThat(drain(reader.snapshot(asOf, READ_TIMEOUT))).as("snapshot as of " + asOf)
                            .isEqualTo(model.snapshot(asOf));
                    note("snapshot as of " + asOf + " = " + model.snapshot(asOf));
                }
                case BELOW_SINCE -> {
                    if (since == 0) {
                        note("no snapshot: nothing is below since 0");
                        return;
                    }
                    long asOf = plan.seed() % since;
                    assertThatThrownBy(() -> reader.snapshot(asOf, READ_TIMEOUT))
                            .isExactlyInstanceOf(InvalidUsageException.AsOfBelowSince.class);
                    assertThatThrownBy(() -> reader.listen(asOf))
                            .isExactlyInstanceOf(InvalidUsageException.AsOfBelowSince.class);
                    note("snapshot and listen as of " + asOf + " below since " + since + " -> refused");
                }
                case NOT_YET_WRITTEN -> {
                    long asOf = Math.max(since, upper) + plan.seed() % 2;
                    assertThatThrownBy(() -> reader.snapshot(asOf, Duration.ofMillis(1)))
                            .isExactlyInstanceOf(UpperTimeoutException.class);
                    note("snapshot as of " + asOf + " with upper " + upper + " -> times out");
                }
            }
        }

        void listen(ListenPlan plan) {
            long since = model.since;
            long upper = model.upper;
            if (since >= upper) {
                note("no listen: nothing is readable with since " + since + " and upper " + upper);
                return;
            }
            long asOf = since + plan.seed() % (upper - since);
            Listen listen = reader.listen(asOf);
            List<Update> changes = new ArrayList<>();
            Frontier progress = Frontier.of(asOf);
            while (progress.lessThan(Frontier.of(upper))) {
                ListenBatch batch = listen.next(READ_TIMEOUT);
                assertThat(batch.progress()).as("listen progress").isGreaterThan(progress);
                changes.addAll(drain(batch.updates()));
                progress = batch.progress();
            }
            assertThat(progress).as("listen progress").isEqualTo(Frontier.of(upper));
            // Batches cover disjoint times, so their consolidated updates, merged, are the consolidated whole.
            changes.sort(Update.ORDER);
            assertThat(changes).as("changes after " + asOf).isEqualTo(model.changesAfter(asOf));
            note("listen after " + asOf + " = " + changes);
        }

        /** Every update of a read in the order returned, so that unsorted or unconsolidated output shows. */
        private static List<Update> drain(Consolidator updates) {
            List<Update> all = new ArrayList<>();
            while (updates.next()) {
                all.add(new Update(string(updates.key()), string(updates.value()), updates.time(), updates.diff()));
            }
            return all;
        }

        // ---- maintenance

        void compact(CompactPlan plan) {
            SeqNo before = latestSeqNo();
            try {
                compactAndRead(plan);
            } finally {
                if (!latestSeqNo().equals(before)) {
                    model.stateWritten(clock.get());
                }
            }
        }

        private SeqNo latestSeqNo() {
            return StateVersions.readLatest(shard, stores.consensus(), stores.blob()).orElseThrow().seqNo();
        }

        private void compactAndRead(CompactPlan plan) {
            Optional<CompactionRequest> first = maintenance.nextRequest();
            if (first.isEmpty()) {
                note("compact: nothing to merge in " + reader.fetchRecentUpper());
                return;
            }
            if (plan.crash()) {
                faults.crashAtNextCommit();
                assertThatThrownBy(() -> maintenance.compact(first.get())).as("a merge whose maintainer dies")
                        .isInstanceOf(FaultyStores.Crash.class);
                note("compact " + first.get() + " -> crashed");
            } else if (plan.race()) {
                List<CompactionOutcome> others = otherMaintenance.compact(10);
                List<io.flinkpersist.persist.batch.HollowBatch> batches =
                        StateVersions.readLatest(shard, stores.consensus(), stores.blob()).orElseThrow().batches();
                List<io.flinkpersist.persist.batch.HollowBatch> inputs = first.get().inputs();
                int at = batches.indexOf(inputs.get(0));
                boolean inputsLeft = at >= 0 && at + inputs.size() <= batches.size()
                        && batches.subList(at, at + inputs.size()).equals(inputs);
                CompactionOutcome lost = maintenance.compact(first.get());
                if (!inputsLeft) {
                    // Unless the other one made the very same batch: an empty one over the same interval.
                    assertThat(lost.applied() && lost.outputParts() > 0).as("a merge of " + inputs
                            + " whose inputs another one replaced, in " + batches + " after " + others).isFalse();
                } else if (faults.injected() == 0) {
                    assertThat(lost.applied()).as("a merge whose inputs are all still there").isTrue();
                }
                note("compact " + first.get() + " after another maintainer's " + others.size() + " merges -> applied "
                        + lost.applied());
            } else {
                List<CompactionOutcome> outcomes = maintenance.compact(10);
                note("compact -> " + outcomes.stream().filter(CompactionOutcome::applied).count() + " of "
                        + outcomes.size() + " merges applied");
            }
            long asOf = model.upper - 1;
            if (model.since <= asOf) {
                assertThat(drain(reader.snapshot(asOf, READ_TIMEOUT))).as("snapshot as of " + asOf + " after compaction")
                        .isEqualTo(model.snapshot(asOf));
            }
        }

        /** After a sweep, every part in blob is one that a retained version references. */
        void sweep() {
            OrphanSweepResult result = maintenance.sweepOrphans(Duration.ZERO);
            ShardState latest = StateVersions.readLatest(shard, stores.consensus(), stores.blob()).orElseThrow();
            List<VersionedData> versions = stores.consensus().scan(shard.toString(), SeqNo.MINIMUM, 100_000);
            java.util.Set<String> referenced = partsOfVersionsFrom(SeqNo.MINIMUM, versions, latest);
            java.util.Set<String> left = new java.util.HashSet<>();
            stores.blob().list(shard.toString() + "/", (key, size) -> {
                if (!key.startsWith(shard + "/v")) {
                    left.add(key);
                }
            });
            left.removeAll(referenced);
            assertThat(left).as("parts no retained version references, after a sweep without grace").isEmpty();
            note("sweep -> " + result);
        }

        // ---- handles, since and clock

        void downgradeSince(DowngradePlan plan) {
            long target = Math.max(0, model.since + plan.delta());
            reader.downgradeSince(Frontier.of(target));
            model.downgradeSince(target, clock.get());
            note("downgrade since to " + target + " -> since " + model.since + " (upper " + model.upper + ")");
        }

        void advanceClock(ClockPlan plan) {
            long now = clock.addAndGet(plan.pastWriterLease() ? WRITER_LEASE_MS + 1 : 1_000);
            note("clock to " + now + (plan.pastWriterLease() ? ", past every writer lease" : ""));
        }

        void openWriter(OpenWriterPlan plan) {
            WriterId id = plan.sameId() ? writer(plan.slot()).id() : WriterId.random();
            WriterSlot opened = newHandle(plan.otherClient() ? otherClient : client, id);
            if (writers.size() < MAX_WRITER_HANDLES) {
                writers.add(opened);
            } else {
                writers.set(slot(plan.slot()), opened);
            }
            note("open " + opened + " -> handles " + writers);
        }

        void misbuild(MisbuildPlan plan) {
            WriteHandle handle = writer(plan.writer()).handle();
            long upper = model.upper;
            switch (plan.kind()) {
                case UPDATE_BELOW_LOWER -> {
                    try (BatchBuilder builder = handle.builder(Frontier.of(upper + 1))) {
                        addAll(builder, plan.valid(), upper + 1);
                        assertThatThrownBy(() -> builder.add(bytes("a"), bytes("x"), upper, 1))
                                .isExactlyInstanceOf(InvalidUsageException.UpdateNotBeyondLower.class)
                                .hasMessageContaining("timestamp " + upper + " is not beyond the batch lower [" + (upper + 1) + "]");
                    }
                }
                case UPDATE_AT_UPPER -> {
                    try (BatchBuilder builder = handle.builder(Frontier.of(upper))) {
                        addAll(builder, plan.valid(), upper);
                        builder.add(bytes("a"), bytes("x"), upper + 1, 1);
                        assertThatThrownBy(() -> builder.finish(Frontier.of(upper + 1)))
                                .isExactlyInstanceOf(InvalidUsageException.UpdateBeyondUpper.class)
                                .hasMessageContaining("timestamp " + (upper + 1) + " is not less than the batch upper");
                    }
                }
                case UPPER_BELOW_LOWER -> {
                    try (BatchBuilder builder = handle.builder(Frontier.of(upper + 2))) {
                        addAll(builder, plan.valid(), upper + 2);
                        assertThatThrownBy(() -> builder.finish(Frontier.of(upper + 1)))
                                .isExactlyInstanceOf(InvalidUsageException.InvalidBounds.class);
                    }
                }
            }
            note(plan.kind() + " at upper " + upper + " -> refused");
        }

        private static void addAll(BatchBuilder builder, List<UpdatePlan> plans, long time) {
            plans.forEach(p -> builder.add(bytes(KEYS.get(p.key())), bytes(VALUES.get(p.value())), time, p.diff()));
        }

        private static byte[] bytes(String s) {
            return s.getBytes(StandardCharsets.UTF_8);
        }

        private static String string(byte[] b) {
            return new String(b, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return "shard with upper " + model.upper + " and since " + model.since + ", handles " + writers;
        }
    }
}
