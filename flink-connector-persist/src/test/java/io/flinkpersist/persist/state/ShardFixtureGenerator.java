package io.flinkpersist.persist.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkpersist.persist.PersistClient;
import io.flinkpersist.persist.PersistConfig;
import io.flinkpersist.persist.batch.Batch;
import io.flinkpersist.persist.batch.BatchBuilder;
import io.flinkpersist.persist.batch.BatchBuilderConfig;
import io.flinkpersist.persist.batch.BatchPart;
import io.flinkpersist.persist.consensus.Consensus;
import io.flinkpersist.persist.consensus.VersionedData;
import io.flinkpersist.persist.ids.BuildVersion;
import io.flinkpersist.persist.ids.IdempotencyToken;
import io.flinkpersist.persist.ids.PartIdSequence;
import io.flinkpersist.persist.ids.ShardId;
import io.flinkpersist.persist.ids.WriterId;
import io.flinkpersist.persist.ids.WriterKey;
import io.flinkpersist.persist.location.PersistLocation;
import io.flinkpersist.persist.read.Consolidator;
import io.flinkpersist.persist.read.ReadHandle;
import io.flinkpersist.persist.testutils.FileTrees;
import io.flinkpersist.persist.testutils.SqliteFixtureFiles;
import io.flinkpersist.persist.time.Frontier;
import io.flinkpersist.persist.write.AppendResult;
import io.flinkpersist.persist.write.CommitMarker;
import io.flinkpersist.persist.write.WriteHandle;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Writes the core upgrade fixture: one shard, written through the public core API only (client, write and read
 * handles, batch builders), by the code of this commit, for a later test to open with a changed consensus format
 * (e.g. versions stored as state diffs instead of whole states).
 *
 * <p>Runs only when {@code persist.fixtures.out} names the fixture directory (created; if it exists, only what this
 * generator writes there is replaced). It writes:
 * <pre>
 *   shard/consensus.db              the SQLite consensus (no -wal or -shm file; vacuumed)
 *   shard/blob/...                  the blob parts
 *   fixture.properties              what produced it and what the shard holds
 *   expected-snapshot.txt           the snapshot as of upper - 1: key\tvalue\ttime\tdiff, sorted
 *   expected-snapshot-at-1995.txt   the snapshot as of 1995 (at or beyond the since)
 * </pre>
 * The shard (a fixed id, codecs utf8/utf8) gets {@value #APPENDS} appends, append {@code i} being the interval
 * {@code [10 i, 10 i + 10)}: small inline batches, batches of several blob parts (512-byte parts, 256-byte inline
 * threshold), two batches appended as one, empty appends, batches built below the upper and moved there with
 * {@code rewriteTs}, keys updated many times (retractions, diffs of 2), and appends that carry the commit markers
 * of {@code fixture/run-a} and {@code fixture/run-b}. One writer (fixed id) and one leased reader (random id, since
 * downgraded to {@value #SINCE}) are registered at the end, both with leases of 3650 days on a fixed clock that
 * starts at 2025-01-01T00:00:00Z (they expire about 2034-12-30). Every update is also kept in a model here, and the
 * snapshots read back through the reader must equal the model's.
 *
 * <p>Then the fixture is verified on this code from a copy, with the original moved away: the snapshots, the since
 * (still held by the fixture's reader), the markers and the writer's registration (its last append is recognised
 * by its idempotency token) are as recorded, on the real clock.
 *
 * <pre>
 * mvn -o -B -q -pl flink-connector-persist test -Dtest=ShardFixtureGenerator \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dpersist.fixtures.out=/abs/out/18ba5cf-core
 * </pre>
 *
 * <p>{@code src/test/resources/upgrade/18ba5cf-core/} was written by this class at commit 18ba5cf, whose consensus
 * rows are whole shard states (ProtoRollup) and which truncates consensus every 32 versions below the least
 * reader hold.
 */
@EnabledIfSystemProperty(named = ShardFixtureGenerator.OUT, matches = ".+")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ShardFixtureGenerator {
    static final String OUT = "persist.fixtures.out";
    private static final String THIS_FILE =
            "flink-connector-persist/src/test/java/io/flinkpersist/persist/state/ShardFixtureGenerator.java";

    static final ShardId SHARD = ShardId.of(UUID.fromString("18ba5cf0-f1c7-4e5e-8a11-5ca1ab1e0001"));
    static final WriterId WRITER = WriterId.of(UUID.fromString("18ba5cf0-f1c7-4e5e-8a11-5ca1ab1e000a"));
    static final Codecs CODECS = Codecs.of("utf8", "utf8");
    static final String RUN_A = "fixture/run-a";
    static final String RUN_B = "fixture/run-b";

    static final int APPENDS = 220;
    static final long WIDTH = 10;
    /** The reader's since at the end, and so the shard's. */
    static final long SINCE = 1800;
    /** The earlier snapshot time (at or beyond the since, below upper - 1). */
    static final long EARLIER = 1995;
    /**
     * The last downgrade of the since comes right before this append: its version is 222, two below the truncation
     * at version 224 (every 32 versions, keeping from the reader's hold), so consensus keeps only versions 221…226.
     */
    static final int FINAL_DOWNGRADE_BEFORE = 216;
    /** Earlier downgrades (append index → since), so that the shard's since follows the data. */
    static final Map<Integer, Long> DOWNGRADES = Map.of(50, 300L, 100, 800L, 150, 1300L, FINAL_DOWNGRADE_BEFORE, SINCE);
    /** Appends that carry a marker: index → committer and checkpoint. */
    static final Map<Integer, Map.Entry<String, Long>> MARKERS = Map.of(
            30, Map.entry(RUN_A, 1L), 60, Map.entry(RUN_A, 2L), 90, Map.entry(RUN_A, 3L), 120, Map.entry(RUN_A, 4L),
            140, Map.entry(RUN_B, 5L), 170, Map.entry(RUN_B, 6L), 200, Map.entry(RUN_B, 7L), 219, Map.entry(RUN_B, 8L));

    static final long CLOCK_START_MS = Instant.parse("2025-01-01T00:00:00Z").toEpochMilli();
    static final Duration LEASE = Duration.ofDays(3650);
    static final Duration MARKER_RETENTION = Duration.ofDays(3650);
    static final long BLOB_TARGET_SIZE_BYTES = 512;
    static final long INLINE_SINGLE_MAX_BYTES = 256;
    static final long SEED = 0x18ba5cfL;
    static final int HOT_KEYS = 40;

    @Test
    void generate() throws Exception {
        Path fixture = freshFixtureDir();
        Map<String, String> props = write(fixture);
        verify(fixture, props);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Writing the shard

    static PersistLocation location(Path fixture) {
        Path shard = fixture.resolve("shard").toAbsolutePath().normalize();
        return PersistLocation.parse(shard.resolve("blob").toUri().toString(),
                "sqlite://" + shard.resolve("consensus.db").toUri().getPath());
    }

    static PersistConfig config(AtomicLong clock) {
        return PersistConfig.builder()
                .clockMs(clock::get)
                .writerLease(LEASE)
                .readerLease(LEASE)
                .uploadThreads(1)
                .batch(BatchBuilderConfig.builder()
                        .blobTargetSizeBytes(BLOB_TARGET_SIZE_BYTES)
                        .inlineWritesSingleMaxBytes(INLINE_SINGLE_MAX_BYTES)
                        .build())
                .build();
    }

    private static Map<String, String> write(Path fixture) throws Exception {
        AtomicLong clock = new AtomicLong(CLOCK_START_MS);
        Model model = new Model();
        Random random = new Random(SEED);
        Counts counts = new Counts();
        Map<String, String> props = new LinkedHashMap<>();
        long lastSeqNo = 0;
        IdempotencyToken lastToken = null;
        String readerId;
        Frontier upper;
        Frontier since;
        Map<String, Long> markers = new TreeMap<>();
        String snapshot;
        String earlier;

        try (PersistClient client = PersistClient.open(location(fixture), config(clock))) {
            // Never closed: closing a handle expires it, and both must stay registered.
            WriteHandle writer = client.openWriter(SHARD, CODECS, WRITER);
            ReadHandle reader = null;
            for (int i = 0; i < APPENDS; i++) {
                if (i == 1) {
                    clock.addAndGet(1000);
                    reader = client.openReader(SHARD, CODECS);
                }
                Long downgrade = DOWNGRADES.get(i);
                if (downgrade != null) {
                    clock.addAndGet(1000);
                    reader.downgradeSince(Frontier.of(downgrade));
                    if (i == FINAL_DOWNGRADE_BEFORE) {
                        props.put("finalDowngradeSeqNo", Long.toString(lastSeqNo + 1));
                    }
                }
                clock.addAndGet(1000);
                long lower = WIDTH * i;
                long newUpper = lower + WIDTH;
                List<Batch> batches = batchesOf(writer, i, lower, newUpper, random, model, counts);
                for (Batch batch : batches) {
                    for (BatchPart part : batch.hollowBatch().parts()) {
                        if (part.isInline()) {
                            counts.inlineParts++;
                        } else {
                            counts.blobParts++;
                        }
                    }
                }
                Map.Entry<String, Long> marker = MARKERS.get(i);
                IdempotencyToken token = IdempotencyToken.of(uuid("fixture-append-" + i));
                AppendResult result = writer.compareAndAppend(batches, Frontier.of(lower), Frontier.of(newUpper), token,
                        marker == null ? null
                                : new CommitMarker(marker.getKey(), marker.getValue(), clock.get(), MARKER_RETENTION));
                assertThat(result).as("append " + i).isInstanceOf(AppendResult.Committed.class);
                lastSeqNo = ((AppendResult.Committed) result).seqNo().value();
                lastToken = token;
                counts.appends++;
                if (marker != null) {
                    markers.put(marker.getKey(), marker.getValue());
                }
            }
            upper = writer.fetchRecentUpper();
            since = reader.since();
            assertThat(upper).isEqualTo(Frontier.of(WIDTH * APPENDS));
            assertThat(since).isEqualTo(Frontier.of(SINCE));
            for (Map.Entry<String, Long> marker : markers.entrySet()) {
                assertThat(writer.fetchMarker(marker.getKey())).hasValue(marker.getValue());
            }
            readerId = reader.readerId().toString();
            long last = WIDTH * APPENDS - 1;
            snapshot = read(reader.snapshot(last, Duration.ofSeconds(10)));
            assertThat(snapshot).isEqualTo(model.snapshot(last));
            earlier = read(reader.snapshot(EARLIER, Duration.ofSeconds(10)));
            assertThat(earlier).isEqualTo(model.snapshot(EARLIER));
            assertThat(earlier).isNotEqualTo(snapshot);
        }

        Path db = fixture.resolve("shard").resolve("consensus.db");
        long headSeqNo;
        try (Consensus consensus = location(fixture).openConsensus()) {
            VersionedData head = consensus.head(SHARD.toString()).orElseThrow();
            headSeqNo = head.seqNo().value();
            props.put("headStateBytes", Integer.toString(head.data().length));
        }
        assertThat(headSeqNo).isEqualTo(lastSeqNo);
        long[] rows = consensusRows(db);
        SqliteFixtureFiles.seal(db, true);
        BlobFiles blobs = BlobFiles.of(fixture.resolve("shard").resolve("blob"), false);
        assertThat(blobs.count).isEqualTo(counts.blobParts);
        BlobFiles rollups = BlobFiles.of(fixture.resolve("shard").resolve("blob"), true);
        // Since consensus holds diffs, it is truncated below the newest rollup the reader's hold has passed.
        assertThat(rows[0]).as("consensus rows").isGreaterThanOrEqualTo(2L);
        assertThat(rows[2]).isEqualTo(headSeqNo);

        Files.writeString(fixture.resolve("expected-snapshot.txt"), snapshot, StandardCharsets.UTF_8);
        Files.writeString(fixture.resolve("expected-snapshot-at-" + EARLIER + ".txt"), earlier, StandardCharsets.UTF_8);

        Map<String, String> all = new LinkedHashMap<>();
        all.put("generatedBy", git("rev-parse", "HEAD"));
        String changes = git("status", "--porcelain", "--", "pom.xml", "flink-connector-persist/pom.xml",
                "flink-connector-persist/src/main");
        all.put("codeChangesSinceGeneratedBy", changes.isEmpty() ? "none" : changes.replace('\n', ';'));
        all.put("generator", THIS_FILE);
        all.put("javaVersion", System.getProperty("java.version"));
        all.put("buildVersion", BuildVersion.current().toString());
        all.put("writerKey", WriterKey.current().toString());
        all.put("layout", "shard/consensus.db (SQLite, table consensus(shard, sequence_number, data)), shard/blob");
        all.put("consensusUri", "sqlite://<fixture>/shard/consensus.db (absolute path)");
        all.put("blobUri", "file://<fixture>/shard/blob (absolute path)");
        all.put("shardId", SHARD.toString());
        all.put("codecs", CODECS.key() + "/" + CODECS.value() + "/" + CODECS.time() + "/" + CODECS.diff());
        all.put("upper", Long.toString(upper.element().orElseThrow()));
        all.put("since", Long.toString(since.element().orElseThrow()));
        all.put("writerId", WRITER.toString());
        all.put("writerLastToken", lastToken.toString());
        all.put("writerLastAppend", "[" + (WIDTH * (APPENDS - 1)) + ", " + (WIDTH * APPENDS) + ")");
        all.put("readerId", readerId);
        all.put("readerSince", Long.toString(SINCE));
        all.put("leases", "writer and reader " + LEASE.toDays() + " days");
        all.put("clock", "fixed: starts at " + CLOCK_START_MS + " (2025-01-01T00:00:00Z), +1 s before each operation");
        all.put("clockEndMs", Long.toString(clock.get()));
        all.put("commitMarkers", markers.entrySet().stream().map(e -> e.getKey() + " -> " + e.getValue())
                .collect(Collectors.joining("; ")));
        all.put("commitMarkers.count", Integer.toString(markers.size()));
        int m = 0;
        for (Map.Entry<String, Long> marker : markers.entrySet()) {
            all.put("commitMarkers." + m + ".name", marker.getKey());
            all.put("commitMarkers." + m + ".checkpointId", Long.toString(marker.getValue()));
            m++;
        }
        all.put("commitMarkerRetention", MARKER_RETENTION.toDays() + " days");
        all.put("appends", Integer.toString(counts.appends));
        all.put("batches", Integer.toString(counts.appends));
        all.put("emptyAppends", Integer.toString(counts.emptyAppends));
        all.put("combinedAppends", Integer.toString(counts.combinedAppends));
        all.put("rewrittenBatches", Integer.toString(counts.rewrittenBatches));
        all.put("blobParts", Integer.toString(counts.blobParts));
        all.put("blobBytes", Long.toString(blobs.bytes));
        all.put("rollups", Long.toString(rollups.count));
        all.put("inlineParts", Integer.toString(counts.inlineParts));
        all.put("updatesWritten", Integer.toString(model.updates.size()));
        all.put("batchConfig", "blobTargetSizeBytes=" + BLOB_TARGET_SIZE_BYTES + ", inlineWritesSingleMaxBytes="
                + INLINE_SINGLE_MAX_BYTES + ", consolidate=true");
        all.put("headSeqNo", Long.toString(headSeqNo));
        all.putAll(props);
        all.put("consensusRows", Long.toString(rows[0]));
        all.put("consensusMinSeqNo", Long.toString(rows[1]));
        all.put("consensusMaxSeqNo", Long.toString(rows[2]));
        all.put("consensusDataBytes", Long.toString(rows[3]));
        all.put("snapshotAt", Long.toString(WIDTH * APPENDS - 1));
        all.put("snapshotLines", Long.toString(snapshot.lines().count()));
        all.put("earlierSnapshotAt", Long.toString(EARLIER));
        all.put("earlierSnapshotLines", Long.toString(earlier.lines().count()));
        writeProperties(fixture.resolve("fixture.properties"), all);
        return all;
    }

    /** The batches of append {@code i} ({@code [lower, upper)}); every update also goes to the model. */
    private static List<Batch> batchesOf(WriteHandle writer, int i, long lower, long upper, Random random, Model model,
            Counts counts) {
        PartIdSequence partIds = new PartIdSequence(uuid("fixture-parts-" + i), 0);
        switch (i % 20) {
            case 17: {
                counts.emptyAppends++;
                return List.of();
            }
            case 3: {
                // Two builders, one append: the shard's batch gets two runs.
                counts.combinedAppends++;
                BatchBuilder first = writer.builder(Frontier.of(lower), partIds);
                hotUpdates(first, model, random, lower, lower + 4, 2);
                BatchBuilder second = writer.builder(Frontier.of(lower), partIds);
                hotUpdates(second, model, random, lower + 5, upper - 1, 2);
                return List.of(first.finish(Frontier.of(upper)), second.finish(Frontier.of(upper)));
            }
            case 7: {
                // Several blob parts, some hot keys, and half the previous bulk rows retracted.
                BatchBuilder builder = writer.builder(Frontier.of(lower), partIds);
                for (int j = 0; j < 40; j++) {
                    model.add(builder, "bulk-" + pad(i, 3) + "-" + pad(j, 2),
                            "payload-" + i + "-" + j + "-" + "x".repeat(20 + (j % 7)), lower + (j % WIDTH), 1);
                }
                if (i >= 20) {
                    int previous = i - 20;
                    for (int j = 0; j < 40; j += 2) {
                        model.add(builder, "bulk-" + pad(previous, 3) + "-" + pad(j, 2),
                                "payload-" + previous + "-" + j + "-" + "x".repeat(20 + (j % 7)), lower + 9, -1);
                    }
                }
                hotUpdates(builder, model, random, lower, upper - 1, 4);
                return List.of(builder.finish(Frontier.of(upper)));
            }
            case 13: {
                // Built at [lower - 30, lower - 20) as a late batch, then moved to this append's interval.
                counts.rewrittenBatches++;
                long builtLower = lower - 3 * WIDTH;
                BatchBuilder builder = writer.builder(Frontier.of(builtLower), partIds);
                int rows = (i / 20) % 2 == 0 ? 30 : 3;
                for (int j = 0; j < rows; j++) {
                    model.addRewritten(builder, "late-" + pad(i, 3) + "-" + pad(j, 2), "late-value-" + i + "-" + j
                            + "-" + "y".repeat(16), builtLower + (j % WIDTH), lower, j % 5 == 4 ? 2 : 1);
                }
                Batch batch = builder.finish(Frontier.of(builtLower + WIDTH));
                batch.rewriteTs(Frontier.of(lower), Frontier.of(upper));
                return List.of(batch);
            }
            case 10: {
                // One key updated three times within the append, plus a retraction of a doubled insert.
                BatchBuilder builder = writer.builder(Frontier.of(lower), partIds);
                String key = hotKey(random.nextInt(HOT_KEYS));
                model.upsert(builder, key, lower, 1);
                model.upsert(builder, key, lower + 3, 2);
                model.upsert(builder, key, lower + 6, 1);
                return List.of(builder.finish(Frontier.of(upper)));
            }
            default: {
                BatchBuilder builder = writer.builder(Frontier.of(lower), partIds);
                hotUpdates(builder, model, random, lower, upper - 1, 1 + random.nextInt(2));
                return List.of(builder.finish(Frontier.of(upper)));
            }
        }
    }

    /**
     * {@code n} changes of random hot keys at times spread over {@code [from, to]} in order (a key changed twice
     * changes at a later time the second time): upserts, deletes, doubled inserts.
     */
    private static void hotUpdates(BatchBuilder builder, Model model, Random random, long from, long to, int n) {
        for (int k = 0; k < n; k++) {
            String key = hotKey(random.nextInt(HOT_KEYS));
            long time = from + (to - from) * k / n;
            int op = random.nextInt(10);
            if (op == 0) {
                model.delete(builder, key, time);
            } else {
                model.upsert(builder, key, time, op == 1 ? 2 : 1);
            }
        }
    }

    private static String hotKey(int k) {
        return "key-" + pad(k, 2);
    }

    private static String pad(long n, int width) {
        String s = Long.toString(n);
        return "0".repeat(Math.max(0, width - s.length())) + s;
    }

    private static UUID uuid(String name) {
        return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The consolidated updates as sorted lines {@code key\tvalue\ttime\tdiff}. */
    static String read(Consolidator updates) {
        Map<String, Long> sums = new TreeMap<>();
        while (updates.next()) {
            sums.merge(new String(updates.key(), StandardCharsets.UTF_8) + "\t"
                    + new String(updates.value(), StandardCharsets.UTF_8) + "\t" + updates.time(), updates.diff(),
                    Long::sum);
        }
        return lines(sums);
    }

    private static String lines(Map<String, Long> sums) {
        StringBuilder text = new StringBuilder();
        sums.entrySet().stream().filter(e -> e.getValue() != 0).map(e -> e.getKey() + "\t" + e.getValue()).sorted()
                .forEach(line -> text.append(line).append('\n'));
        return text.toString();
    }

    /** Every update written, at the time it counts at (a rewritten batch's frontier), and the hot keys' values. */
    private static final class Model {
        record Update(String key, String value, long time, long diff) {}

        final List<Update> updates = new ArrayList<>();
        /** Hot key → its current value and multiplicity. */
        final Map<String, Map.Entry<String, Long>> current = new TreeMap<>();
        int version;

        void add(BatchBuilder builder, String key, String value, long time, long diff) {
            builder.add(bytes(key), bytes(value), time, diff);
            updates.add(new Update(key, value, time, diff));
        }

        void addRewritten(BatchBuilder builder, String key, String value, long time, long rewrittenTo, long diff) {
            builder.add(bytes(key), bytes(value), time, diff);
            updates.add(new Update(key, value, Math.max(time, rewrittenTo), diff));
        }

        void upsert(BatchBuilder builder, String key, long time, long multiplicity) {
            delete(builder, key, time);
            String value = "val-" + key + "-v" + (++version);
            add(builder, key, value, time, multiplicity);
            current.put(key, Map.entry(value, multiplicity));
        }

        void delete(BatchBuilder builder, String key, long time) {
            Map.Entry<String, Long> old = current.remove(key);
            if (old != null) {
                add(builder, key, old.getKey(), time, -old.getValue());
            }
        }

        String snapshot(long asOf) {
            Map<String, Long> sums = new TreeMap<>();
            for (Update u : updates) {
                if (u.time() <= asOf) {
                    sums.merge(u.key() + "\t" + u.value() + "\t" + asOf, u.diff(), Long::sum);
                }
            }
            return lines(sums);
        }
    }

    private static final class Counts {
        int appends;
        int emptyAppends;
        int combinedAppends;
        int rewrittenBatches;
        int blobParts;
        int inlineParts;
    }

    private record BlobFiles(long count, long bytes) {
        /** The parts under {@code root}, or the rollups (under {@code v<seqno>/}). */
        static BlobFiles of(Path root, boolean rollups) throws IOException {
            try (Stream<Path> walk = Files.walk(root)) {
                List<Path> files = walk.filter(Files::isRegularFile)
                        .filter(f -> f.getParent().getFileName().toString().startsWith("v") == rollups).toList();
                long bytes = 0;
                for (Path file : files) {
                    assertThat(file.getFileName().toString()).doesNotEndWith(".crc");
                    bytes += Files.size(file);
                }
                return new BlobFiles(files.size(), bytes);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // The consensus file

    /** Rows of the shard in consensus: count, min and max seqno, data bytes. */
    private static long[] consensusRows(Path db) throws Exception {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + db.toAbsolutePath());
                PreparedStatement select = connection.prepareStatement("SELECT count(*), min(sequence_number),"
                        + " max(sequence_number), sum(length(data)) FROM consensus WHERE shard = ?")) {
            select.setString(1, SHARD.toString());
            try (ResultSet row = select.executeQuery()) {
                assertThat(row.next()).isTrue();
                return new long[] {row.getLong(1), row.getLong(2), row.getLong(3), row.getLong(4)};
            }
        }
    }


    private static void writeProperties(Path file, Map<String, String> props) throws IOException {
        StringBuilder text = new StringBuilder();
        text.append("# Upgrade fixture written by ").append(ShardFixtureGenerator.class.getName())
                .append(" (").append(THIS_FILE).append(")\n");
        for (Map.Entry<String, String> entry : props.entrySet()) {
            assertThat(entry.getKey()).doesNotContain(" ", "=", ":", "\\");
            assertThat(entry.getValue()).doesNotContain("\\", "\n");
            text.append(entry.getKey()).append('=').append(entry.getValue()).append('\n');
        }
        Files.writeString(file, text.toString(), StandardCharsets.UTF_8);
        Properties loaded = load(file);
        for (Map.Entry<String, String> entry : props.entrySet()) {
            assertThat(loaded.getProperty(entry.getKey())).isEqualTo(entry.getValue());
        }
    }

    private static Properties load(Path file) throws IOException {
        Properties loaded = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            loaded.load(in);
        }
        return loaded;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Verification on this code: open a copy while the original is moved away

    /**
     * Copies the fixture, moves the original away (so nothing can still point at it) and opens the copy on the real
     * clock: the snapshots are the expected files, the fixture's reader still holds the since, the markers are
     * there, and the fixture's writer is still registered (its last append is answered as already committed, which
     * a writer registered afresh would not). The original is left byte for byte as it was.
     */
    private static void verify(Path fixture, Map<String, String> props) throws Exception {
        Path away = fixture.resolveSibling(fixture.getFileName() + ".moved-away-while-verifying");
        Path copy = Files.createTempDirectory("shard-fixture-verify-").resolve(fixture.getFileName().toString());
        Map<String, String> before = FileTrees.fingerprint(fixture);
        Properties recorded = load(fixture.resolve("fixture.properties"));
        assertThat(recorded.stringPropertyNames()).hasSize(props.size());
        Files.move(fixture, away);
        try {
            FileTrees.copy(away, copy);
            long upper = Long.parseLong(recorded.getProperty("upper"));
            long since = Long.parseLong(recorded.getProperty("since"));
            PersistConfig config = PersistConfig.builder().writerLease(LEASE).readerLease(LEASE).build();
            try (PersistClient client = PersistClient.open(location(copy), config)) {
                ReadHandle reader = client.openReader(ShardId.parse(recorded.getProperty("shardId")), CODECS);
                assertThat(reader.since()).isEqualTo(Frontier.of(since));
                assertThat(reader.fetchRecentUpper()).isEqualTo(Frontier.of(upper));
                assertThat(read(reader.snapshot(upper - 1, Duration.ofSeconds(10))))
                        .isEqualTo(Files.readString(copy.resolve("expected-snapshot.txt")));
                assertThat(read(reader.snapshot(EARLIER, Duration.ofSeconds(10))))
                        .isEqualTo(Files.readString(copy.resolve("expected-snapshot-at-" + EARLIER + ".txt")));
                // The fixture's reader still holds the since where this one no longer does.
                reader.downgradeSince(Frontier.of(upper - 1));
                assertThat(reader.since()).isEqualTo(Frontier.of(since));
                reader.expire();

                WriteHandle writer = client.openWriter(SHARD, CODECS, WriterId.parse(recorded.getProperty("writerId")));
                int count = Integer.parseInt(recorded.getProperty("commitMarkers.count"));
                for (int i = 0; i < count; i++) {
                    assertThat(writer.fetchMarker(recorded.getProperty("commitMarkers." + i + ".name")))
                            .hasValue(Long.parseLong(recorded.getProperty("commitMarkers." + i + ".checkpointId")));
                }
                assertThat(writer.compareAndAppend(List.of(), Frontier.of(upper - WIDTH), Frontier.of(upper),
                        IdempotencyToken.parse(recorded.getProperty("writerLastToken"))))
                        .isEqualTo(new AppendResult.AlreadyCommitted(Frontier.of(upper)));
                assertThat(writer.compareAndAppend(List.of(), Frontier.of(upper), Frontier.of(upper + 1),
                        IdempotencyToken.random(), new CommitMarker(RUN_B, MARKERS.get(APPENDS - 1).getValue())))
                        .isEqualTo(new AppendResult.AlreadyCommitted(Frontier.of(upper + 1)));
                assertThat(writer.fetchRecentUpper()).isEqualTo(Frontier.of(upper));
            }
        } finally {
            Files.move(away, fixture);
            FileTrees.delete(copy.getParent());
        }
        assertThat(FileTrees.fingerprint(fixture)).isEqualTo(before);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Helpers

    /** The fixture directory; what an earlier run wrote there is removed, anything else there is an error. */
    private static Path freshFixtureDir() throws IOException {
        Path fixture = Path.of(System.getProperty(OUT)).toAbsolutePath().normalize();
        if (Files.isDirectory(fixture)) {
            if (Files.exists(fixture.resolve("shard"))) {
                FileTrees.delete(fixture.resolve("shard"));
            }
            Files.deleteIfExists(fixture.resolve("fixture.properties"));
            try (Stream<Path> expected = Files.list(fixture)) {
                for (Path file : expected.filter(f -> f.getFileName().toString().startsWith("expected-snapshot"))
                        .toList()) {
                    Files.delete(file);
                }
            }
            try (Stream<Path> left = Files.list(fixture)) {
                assertThat(left).as("files in " + fixture + " this generator did not write").isEmpty();
            }
        }
        Files.createDirectories(fixture);
        return fixture;
    }

    /** The work tree this code was built from (surefire runs in the module directory). */
    private static Path gitTopLevel() throws IOException, InterruptedException {
        Process process = new ProcessBuilder("git", "rev-parse", "--show-toplevel").redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(process.waitFor()).as("git rev-parse --show-toplevel: " + output).isZero();
        return Path.of(output);
    }

    private static String git(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add("git");
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(gitTopLevel().toFile())
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(process.waitFor()).as("git " + String.join(" ", args) + ": " + output).isZero();
        return output;
    }
}
