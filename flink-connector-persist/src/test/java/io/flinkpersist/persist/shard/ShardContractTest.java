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
import io.flinkpersist.persist.read.Consolidator;
import io.flinkpersist.persist.read.Listen;
import io.flinkpersist.persist.read.ListenBatch;
import io.flinkpersist.persist.read.ReadHandle;
import io.flinkpersist.persist.read.UpperTimeoutException;
import io.flinkpersist.persist.state.Codecs;
import io.flinkpersist.persist.time.Frontier;
import io.flinkpersist.persist.write.AppendResult;
import io.flinkpersist.persist.write.CommitMarker;
import io.flinkpersist.persist.write.ExpiredCommitMarkerException;
import io.flinkpersist.persist.write.WriteHandle;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The shard scenarios every pair of stores must pass; subclasses supply the location. */
abstract class ShardContractTest {
    static final Codecs CODECS = Codecs.of("utf8", "utf8");

    protected final AtomicLong clock = new AtomicLong(1_000_000);
    protected PersistClient client;
    protected final ShardId shard = ShardId.random();

    protected abstract PersistLocation location() throws Exception;

    protected PersistConfig.Builder config() {
        return PersistConfig.builder()
                .clockMs(clock::get)
                .batch(BatchBuilderConfig.builder().blobTargetSizeBytes(64).build());
    }

    @BeforeEach
    void open() throws Exception {
        client = PersistClient.open(location(), config().build());
    }

    @AfterEach
    void close() {
        client.close();
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static Batch batch(WriteHandle writer, long lower, long upper, Object... keyTimeDiff) {
        BatchBuilder builder = writer.builder(Frontier.of(lower));
        for (int i = 0; i < keyTimeDiff.length; i += 3) {
            builder.add(bytes((String) keyTimeDiff[i]), bytes(""), ((Number) keyTimeDiff[i + 1]).longValue(),
                    ((Number) keyTimeDiff[i + 2]).longValue());
        }
        return builder.finish(Frontier.of(upper));
    }

    /** key@time -> diff of a snapshot. */
    static Map<String, Long> read(Consolidator updates) {
        Map<String, Long> contents = new TreeMap<>();
        while (updates.next()) {
            contents.merge(new String(updates.key(), StandardCharsets.UTF_8) + "@" + updates.time(), updates.diff(), Long::sum);
        }
        return contents;
    }

    @Test
    void aNewShardStartsEmptyAtTheMinimum() {
        try (WriteHandle writer = client.openWriter(shard, CODECS); ReadHandle reader = client.openReader(shard, CODECS)) {
            assertThat(writer.fetchRecentUpper()).isEqualTo(Frontier.MINIMUM);
            assertThat(reader.since()).isEqualTo(Frontier.MINIMUM);
            assertThatThrownBy(() -> reader.snapshot(0, Duration.ofMillis(50))).isInstanceOf(UpperTimeoutException.class)
                    .hasMessageContaining("is still [0], not beyond 0");
        }
    }

    @Test
    void aShardRemembersItsCodecs() {
        client.openWriter(shard, CODECS).close();
        assertThatThrownBy(() -> client.openWriter(shard, Codecs.of("json", "utf8")))
                .isInstanceOf(InvalidUsageException.CodecMismatch.class)
                .hasMessageContaining("json");
    }

    @Test
    void compareAndAppendCommitsOnlyAtTheExpectedUpper() {
        try (WriteHandle writer = client.openWriter(shard, CODECS); ReadHandle reader = client.openReader(shard, CODECS)) {
            AppendResult first = writer.compareAndAppend(List.of(batch(writer, 0, 3, "a", 1, 1, "b", 2, 1)),
                    Frontier.MINIMUM, Frontier.of(3));
            assertThat(first).isInstanceOf(AppendResult.Committed.class);

            Batch stale = batch(writer, 0, 5, "c", 4, 1);
            assertThat(writer.compareAndAppend(List.of(stale), Frontier.MINIMUM, Frontier.of(5)))
                    .isEqualTo(new AppendResult.UpperMismatch(Frontier.MINIMUM, Frontier.of(3)));
            assertThat(stale.isDangling()).isTrue();
            stale.delete();

            // Several batches become one; an empty append only moves the upper.
            AppendResult two = writer.compareAndAppend(List.of(batch(writer, 3, 6, "c", 4, 1), batch(writer, 3, 6, "a", 5, -1)),
                    Frontier.of(3), Frontier.of(6));
            assertThat(two).isInstanceOf(AppendResult.Committed.class);
            assertThat(writer.compareAndAppend(List.of(), Frontier.of(6), Frontier.of(10))).isInstanceOf(AppendResult.Committed.class);
            assertThat(writer.fetchRecentUpper()).isEqualTo(Frontier.of(10));

            assertThat(read(reader.snapshot(2, Duration.ofSeconds(5)))).isEqualTo(Map.of("a@2", 1L, "b@2", 1L));
            assertThat(read(reader.snapshot(9, Duration.ofSeconds(5)))).isEqualTo(Map.of("b@9", 1L, "c@9", 1L));
        }
    }

    @Test
    void batchesOutsideTheIntervalAreRefused() {
        try (WriteHandle writer = client.openWriter(shard, CODECS)) {
            Batch late = batch(writer, 2, 5, "a", 3, 1);
            assertThatThrownBy(() -> writer.compareAndAppend(List.of(late), Frontier.MINIMUM, Frontier.of(5)))
                    .isInstanceOf(InvalidUsageException.InvalidBatchBounds.class);
            assertThatThrownBy(() -> writer.compareAndAppend(List.of(late), Frontier.of(5), Frontier.of(2)))
                    .isInstanceOf(InvalidUsageException.InvalidBounds.class);
            late.delete();
        }
    }

    @Test
    void aRetryWithTheSameTokenIsRecognisedAndAppendsNothing() {
        WriterId writerId = WriterId.random();
        IdempotencyToken token = IdempotencyToken.random();
        try (ReadHandle reader = client.openReader(shard, CODECS)) {
            WriteHandle writer = client.openWriter(shard, CODECS, writerId);
            byte[] transmittable = batch(writer, 0, 2, "a", 1, 1).toTransmittable();
            assertThat(writer.compareAndAppend(List.of(writer.batchFromTransmittable(transmittable)),
                    Frontier.MINIMUM, Frontier.of(2), token)).isInstanceOf(AppendResult.Committed.class);

            // A restarted committer with the same writer id replays the same committable.
            WriteHandle restarted = client.openWriter(shard, CODECS, writerId);
            assertThat(restarted.compareAndAppend(List.of(restarted.batchFromTransmittable(transmittable)),
                    Frontier.MINIMUM, Frontier.of(2), token)).isEqualTo(new AppendResult.AlreadyCommitted(Frontier.of(2)));
            assertThat(read(reader.snapshot(1, Duration.ofSeconds(5)))).isEqualTo(Map.of("a@1", 1L));
        }
    }

    @Test
    void concurrentWritersAppendEverythingExactlyOnce() throws Exception {
        int writers = 8;
        int appendsEach = 5;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        List<Future<List<Frontier>>> results = new ArrayList<>();
        try {
            for (int w = 0; w < writers; w++) {
                int id = w;
                results.add(pool.submit(() -> {
                    List<Frontier> uppersSeen = new ArrayList<>();
                    try (WriteHandle writer = client.openWriter(shard, CODECS)) {
                        for (int i = 0; i < appendsEach; i++) {
                            Batch batch = batch(writer, 0, 1, "w" + id + "-" + i, 0, 1);
                            // The sink's commit: move the batch to the current upper, append, retry on a lost race.
                            Frontier upper = writer.fetchRecentUpper();
                            while (true) {
                                long ts = upper.element().orElseThrow();
                                batch.rewriteTs(Frontier.of(ts), Frontier.of(ts + 1));
                                AppendResult result = writer.compareAndAppend(List.of(batch), upper, Frontier.of(ts + 1));
                                uppersSeen.add(writer.upper());
                                if (result instanceof AppendResult.UpperMismatch mismatch) {
                                    upper = mismatch.current();
                                    continue;
                                }
                                break;
                            }
                        }
                    }
                    return uppersSeen;
                }));
            }
            for (Future<List<Frontier>> result : results) {
                List<Frontier> seen = result.get();
                for (int i = 1; i < seen.size(); i++) {
                    assertThat(seen.get(i)).isGreaterThanOrEqualTo(seen.get(i - 1));
                }
            }
        } finally {
            pool.shutdownNow();
        }
        try (ReadHandle reader = client.openReader(shard, CODECS)) {
            assertThat(reader.fetchRecentUpper()).isEqualTo(Frontier.of(writers * appendsEach));
            Map<String, Long> byKey = new TreeMap<>();
            Consolidator all = reader.snapshot(writers * appendsEach - 1, Duration.ofSeconds(5));
            while (all.next()) {
                byKey.merge(new String(all.key(), StandardCharsets.UTF_8), all.diff(), Long::sum);
            }
            assertThat(byKey).hasSize(writers * appendsEach).allSatisfy((k, d) -> assertThat(d).isEqualTo(1L));
        }
    }

    @Test
    void listenFollowsTheUpper() throws Exception {
        try (WriteHandle writer = client.openWriter(shard, CODECS); ReadHandle reader = client.openReader(shard, CODECS)) {
            writer.compareAndAppend(List.of(batch(writer, 0, 2, "old", 1, 1)), Frontier.MINIMUM, Frontier.of(2));
            Listen listen = reader.listen(1);
            CompletableFuture<ListenBatch> next = CompletableFuture.supplyAsync(() -> listen.next(Duration.ofSeconds(10)));
            ListenBatch first = next.get();
            assertThat(read(first.updates())).isEmpty();
            assertThat(first.progress()).isEqualTo(Frontier.of(2));

            CompletableFuture<ListenBatch> waiting = CompletableFuture.supplyAsync(() -> listen.next(Duration.ofSeconds(10)));
            writer.compareAndAppend(List.of(batch(writer, 2, 4, "new", 2, 1, "old", 3, -1)), Frontier.of(2), Frontier.of(4));
            ListenBatch second = waiting.get();
            assertThat(read(second.updates())).isEqualTo(Map.of("new@2", 1L, "old@3", -1L));
            assertThat(second.progress()).isEqualTo(Frontier.of(4));
            assertThatThrownBy(() -> listen.next(Duration.ofMillis(30))).isInstanceOf(UpperTimeoutException.class);
        }
    }

    @Test
    void readersHoldTheSinceAndLeasesExpire() {
        try (WriteHandle writer = client.openWriter(shard, CODECS)) {
            writer.compareAndAppend(List.of(batch(writer, 0, 10, "a", 1, 1)), Frontier.MINIMUM, Frontier.of(10));
            ReadHandle slow = client.openReader(shard, CODECS);
            ReadHandle fast = client.openReader(shard, CODECS);
            fast.downgradeSince(Frontier.of(8));
            assertThat(fast.since()).isEqualTo(Frontier.MINIMUM);
            slow.downgradeSince(Frontier.of(5));
            assertThat(fast.since()).isEqualTo(Frontier.of(5));
            assertThatThrownBy(() -> fast.snapshot(4, Duration.ofSeconds(1)))
                    .isInstanceOf(InvalidUsageException.AsOfBelowSince.class)
                    .hasMessageContaining("cannot read as of 4");
            assertThat(read(fast.snapshot(5, Duration.ofSeconds(1)))).isEqualTo(Map.of("a@5", 1L));

            // The slow reader stops heartbeating: once its lease is over, the next transition drops it.
            clock.addAndGet(PersistConfig.DEFAULT_READER_LEASE.toMillis() - 1);
            fast.heartbeat();
            clock.addAndGet(2);
            fast.heartbeat();
            assertThat(fast.since()).isEqualTo(Frontier.of(8));
            assertThatThrownBy(slow::heartbeat).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("is no longer registered");
            fast.close();
        }
    }

    @Test
    void expiredWritersLoseTheirIdempotencyHistory() {
        WriterId writerId = WriterId.random();
        IdempotencyToken token = IdempotencyToken.random();
        WriteHandle writer = client.openWriter(shard, CODECS, writerId);
        writer.compareAndAppend(List.of(), Frontier.MINIMUM, Frontier.of(1), token);
        clock.addAndGet(PersistConfig.DEFAULT_WRITER_LEASE.toMillis() + 1);
        try (WriteHandle other = client.openWriter(shard, CODECS)) {
            other.compareAndAppend(List.of(), Frontier.of(1), Frontier.of(2));
        }
        // A restart with the same writer id after the lease ran out no longer recognises the append: it is a
        // plain mismatch now.
        WriteHandle restarted = client.openWriter(shard, CODECS, writerId);
        assertThat(restarted.compareAndAppend(List.of(), Frontier.MINIMUM, Frontier.of(1), token))
                .isEqualTo(new AppendResult.UpperMismatch(Frontier.MINIMUM, Frontier.of(2)));
        writer.close();
    }

    @Test
    void commitMarkersRecogniseReplaysAfterLeasesExpire() {
        CommitMarker firstJob = new CommitMarker("sink-uid/job-a", 7);
        try (ReadHandle reader = client.openReader(shard, CODECS)) {
            WriteHandle writer = client.openWriter(shard, CODECS);
            byte[] committable = batch(writer, 0, 2, "a", 1, 1).toTransmittable();
            assertThat(writer.compareAndAppend(List.of(writer.batchFromTransmittable(committable)), Frontier.MINIMUM,
                    Frontier.of(2), IdempotencyToken.random(), firstJob)).isInstanceOf(AppendResult.Committed.class);

            // Days later every lease has run out; a new committer (new writer id, new token) replays the committable.
            clock.addAndGet(PersistConfig.DEFAULT_WRITER_LEASE.toMillis() * 48);
            reader.heartbeat();
            WriteHandle restored = client.openWriter(shard, CODECS);
            Frontier upper = restored.fetchRecentUpper();
            Batch replay = restored.batchFromTransmittable(committable);
            replay.rewriteTs(upper, Frontier.of(upper.element().orElseThrow() + 1));
            assertThat(restored.compareAndAppend(List.of(replay), upper, Frontier.of(upper.element().orElseThrow() + 1),
                    IdempotencyToken.random(), firstJob)).isInstanceOf(AppendResult.AlreadyCommitted.class);
            // An older checkpoint of the same committer is recognised too; a later one, or another job's, is new data.
            assertThat(restored.compareAndAppend(List.of(), upper, Frontier.of(3), IdempotencyToken.random(),
                    new CommitMarker("sink-uid/job-a", 3))).isInstanceOf(AppendResult.AlreadyCommitted.class);
            assertThat(restored.compareAndAppend(List.of(batch(restored, 2, 4, "b", 3, 1)), upper, Frontier.of(4),
                    IdempotencyToken.random(), new CommitMarker("sink-uid/job-b", 1))).isInstanceOf(AppendResult.Committed.class);
            assertThat(restored.compareAndAppend(List.of(), Frontier.of(4), Frontier.of(5), IdempotencyToken.random(),
                    new CommitMarker("sink-uid/job-a", 8))).isInstanceOf(AppendResult.Committed.class);
            assertThat(read(reader.snapshot(4, Duration.ofSeconds(5)))).isEqualTo(Map.of("a@4", 1L, "b@4", 1L));
        }
        assertThatThrownBy(() -> new CommitMarker("", 1)).hasMessageContaining("1 to 512 printable characters");
        assertThatThrownBy(() -> new CommitMarker("a\nb", 1)).hasMessageContaining("\"a?b\"");
        assertThatThrownBy(() -> new CommitMarker("a", -1)).hasMessage("checkpoint id must not be negative, was -1");
    }

    @Test
    void aMarkerRecordedWithoutDataKeepsTheHighestCheckpointAndDoesNotMoveTheUpper() {
        WriteHandle writer = client.openWriter(shard, CODECS);
        assertThat(writer.fetchMarker("sink-uid/job-a/savepoints")).isEmpty();

        writer.recordMarker(new CommitMarker("sink-uid/job-a/savepoints", 9));
        // A lower checkpoint only renews the marker.
        writer.recordMarker(new CommitMarker("sink-uid/job-a/savepoints", 4));

        assertThat(writer.fetchMarker("sink-uid/job-a/savepoints")).hasValue(9);
        assertThat(writer.fetchMarker("sink-uid/job-a")).isEmpty();
        assertThat(writer.fetchRecentUpper()).isEqualTo(Frontier.MINIMUM);
        // A marker of one name says nothing about appends under another.
        assertThat(writer.compareAndAppend(List.of(), Frontier.MINIMUM, Frontier.of(1), IdempotencyToken.random(),
                new CommitMarker("sink-uid/job-a", 1))).isInstanceOf(AppendResult.Committed.class);
        writer.close();
    }

    /**
     * A shard that a thousand runs wrote to (one a restart, an hour apart) keeps only the markers of the runs
     * within the retention: the count stays bounded however many runs there were.
     */
    @Test
    void markersOfRunsNotSeenForTheirRetentionExpireSoAThousandRunsLeaveABoundedCount() {
        Duration retention = Duration.ofDays(1);
        long hour = Duration.ofHours(1).toMillis();
        WriteHandle writer = client.openWriter(shard, CODECS);
        int most = 0;
        for (int run = 0; run < 1_000; run++) {
            Frontier upper = writer.fetchRecentUpper();
            Frontier next = Frontier.of(upper.element().orElseThrow() + 1);
            CommitMarker marker = new CommitMarker("sink/run-" + run, 1, clock.get(), retention);
            assertThat(writer.compareAndAppend(List.of(), upper, next, IdempotencyToken.random(), marker))
                    .isInstanceOf(AppendResult.Committed.class);
            most = Math.max(most, writer.markers().size());
            clock.addAndGet(hour);
        }

        // A day of runs an hour apart: 24 or 25 markers, never more, and the newest run's among them.
        assertThat(most).isBetween(24, 25);
        assertThat(writer.markers()).containsKey("sink/run-999")
                .doesNotContainKey("sink/run-0");
        writer.close();
    }

    /**
     * Once a run's marker has expired, a replay of its data can no longer be told from new data: data prepared
     * longer than the retention ago is refused, naming the committer, and nothing is appended.
     */
    @Test
    void dataOlderThanItsMarkerRetentionWithoutAMarkerIsRefusedNotGuessed() {
        Duration retention = Duration.ofDays(1);
        WriteHandle writer = client.openWriter(shard, CODECS);
        long prepared = clock.get();
        CommitMarker marker = new CommitMarker("sink/run-a", 5, prepared, retention);
        assertThat(writer.compareAndAppend(List.of(batch(writer, 0, 2, "a", 1, 1)), Frontier.MINIMUM, Frontier.of(2),
                IdempotencyToken.random(), marker)).isInstanceOf(AppendResult.Committed.class);

        // Within the retention (renewed by each record) the replay is recognised.
        clock.addAndGet(Duration.ofHours(20).toMillis());
        assertThat(writer.compareAndAppend(List.of(), Frontier.of(2), Frontier.of(3), IdempotencyToken.random(),
                marker)).isInstanceOf(AppendResult.AlreadyCommitted.class);
        // Two days on, any transition drops the marker; the same committable again cannot be decided.
        clock.addAndGet(Duration.ofDays(2).toMillis());
        writer.recordMarker(new CommitMarker("other", 1));
        assertThat(writer.fetchMarker("sink/run-a")).isEmpty();
        Frontier upper = writer.fetchRecentUpper();
        assertThatThrownBy(() -> writer.compareAndAppend(List.of(), upper, Frontier.of(3), IdempotencyToken.random(),
                marker)).isInstanceOf(ExpiredCommitMarkerException.class)
                .hasMessageContaining("checkpoint 5 of committer 'sink/run-a'")
                .hasMessageContaining("marker retention PT24H");
        assertThat(writer.fetchRecentUpper()).isEqualTo(upper);
        // Data prepared recently by a run the shard does not know is simply new.
        assertThat(writer.compareAndAppend(List.of(), upper, Frontier.of(4), IdempotencyToken.random(),
                new CommitMarker("sink/run-b", 5, clock.get(), retention))).isInstanceOf(AppendResult.Committed.class);
        writer.close();
    }
}
