package io.flinkpersist.persist.shard;

import static io.flinkpersist.persist.shard.ShardContractTest.CODECS;
import static io.flinkpersist.persist.shard.ShardContractTest.batch;
import static io.flinkpersist.persist.shard.ShardContractTest.read;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flinkpersist.persist.batch.BatchBuilderConfig;
import io.flinkpersist.persist.batch.BatchWriteMetrics;
import io.flinkpersist.persist.batch.PartWriter;
import io.flinkpersist.persist.blob.MemBlob;
import io.flinkpersist.persist.consensus.CasResult;
import io.flinkpersist.persist.consensus.Consensus;
import io.flinkpersist.persist.consensus.MemConsensus;
import io.flinkpersist.persist.consensus.VersionedData;
import io.flinkpersist.persist.external.ExternalException;
import io.flinkpersist.persist.external.RetryPolicy;
import io.flinkpersist.persist.ids.BuildVersion;
import io.flinkpersist.persist.ids.SeqNo;
import io.flinkpersist.persist.ids.ShardId;
import io.flinkpersist.persist.ids.WriterId;
import io.flinkpersist.persist.read.ReadHandle;
import io.flinkpersist.persist.state.Applier;
import io.flinkpersist.persist.state.StateSettings;
import io.flinkpersist.persist.time.Frontier;
import io.flinkpersist.persist.write.AppendResult;
import io.flinkpersist.persist.write.WriteHandle;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A compare-and-set whose outcome is unknown is resolved by re-reading state, never by guessing. */
class IndeterminateAppendTest {
    /** Fails the next compare-and-set indeterminately, after (or instead of) performing it. */
    private static final class AmbiguousConsensus implements Consensus {
        final MemConsensus delegate = new MemConsensus();
        final AtomicInteger compareAndSets = new AtomicInteger();
        volatile Boolean failNextAfterCommitting;
        /** Every compare-and-set fails indeterminately without taking effect: a store that never answers. */
        volatile boolean failEvery;

        @Override
        public Optional<VersionedData> head(String key) {
            return delegate.head(key);
        }

        @Override
        public CasResult compareAndSet(String key, Optional<SeqNo> expected, VersionedData next) {
            compareAndSets.incrementAndGet();
            if (failEvery) {
                throw ExternalException.indeterminate("statement timed out", null);
            }
            Boolean afterCommitting = failNextAfterCommitting;
            if (afterCommitting == null) {
                return delegate.compareAndSet(key, expected, next);
            }
            failNextAfterCommitting = null;
            if (afterCommitting) {
                delegate.compareAndSet(key, expected, next);
            }
            throw ExternalException.indeterminate("connection lost after the statement was sent", null);
        }

        @Override
        public List<VersionedData> scan(String key, SeqNo from, int limit) {
            return delegate.scan(key, from, limit);
        }

        @Override
        public long truncate(String key, SeqNo seqNo) {
            return delegate.truncate(key, seqNo);
        }

        @Override
        public List<String> listKeys() {
            return delegate.listKeys();
        }

        @Override
        public void close() {}
    }

    private final ShardId shard = ShardId.random();
    private final AmbiguousConsensus consensus = new AmbiguousConsensus();
    private final MemBlob blob = new MemBlob();
    private final ExecutorService executor = Executors.newSingleThreadExecutor();

    @AfterEach
    void shutdown() {
        executor.shutdownNow();
    }

    private Applier applier() {
        return new Applier(shard, consensus, blob, CODECS, BuildVersion.current(), System::currentTimeMillis,
                new RetryPolicy(4, Duration.ofMillis(1), 2, Duration.ofMillis(5)), StateSettings.DEFAULT);
    }

    private WriteHandle writer() {
        return writer(WriterId.random(), StateSettings.DEFAULT);
    }

    private WriteHandle writer(WriterId id, StateSettings settings) {
        PartWriter parts = new PartWriter(shard, blob, BatchBuilderConfig.defaults(), executor, new BatchWriteMetrics());
        Applier applier = new Applier(shard, consensus, blob, CODECS, BuildVersion.current(), System::currentTimeMillis,
                new RetryPolicy(4, Duration.ofMillis(1), 2, Duration.ofMillis(5)), settings);
        return new WriteHandle(id, applier, parts, BuildVersion.current(), 60_000, 1 << 20);
    }

    /** Creating a shard against a consensus that never answers gives up after the retry policy's attempts. */
    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void creatingAShardStopsRetryingAfterThePolicysAttempts() {
        consensus.failEvery = true;

        assertThatThrownBy(this::applier).isInstanceOf(ExternalException.class)
                .hasMessageContaining("statement timed out");
        assertThat(consensus.compareAndSets.get()).isEqualTo(4);
        assertThat(consensus.head(shard.toString())).isEmpty();
    }

    /**
     * A cancelled task interrupts its thread: creating a shard stops at the first indeterminate failure instead of
     * retrying (the flag stays set for the caller), so the task can end.
     */
    @Test
    @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void creatingAShardStopsWhenItsThreadIsInterrupted() {
        consensus.failEvery = true;

        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(this::applier).hasMessageContaining("interrupted")
                    .hasRootCauseInstanceOf(InterruptedException.class);
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
        assertThat(consensus.compareAndSets.get()).isEqualTo(1);
    }

    /**
     * A handle whose view is long stale times out appending: the version it tried to write is truncated, so
     * consensus cannot say whether it landed, and its writer id has appended past it since (through another
     * handle). It fails rather than guess, and appends nothing.
     */
    @Test
    void anUndecidableTimeoutFailsTheAppendAndChangesNothing() {
        WriterId id = WriterId.random();
        StateSettings rollUpOften = new StateSettings(2, 0);
        WriteHandle current = writer(id, rollUpOften);
        WriteHandle stale = writer(id, rollUpOften);
        for (long t = 0; t < 20; t++) {
            current.compareAndAppend(List.of(batch(current, t, t + 1, "k" + t, t, 1)), Frontier.of(t), Frontier.of(t + 1));
        }
        long head = consensus.head(shard.toString()).orElseThrow().seqNo().value();

        consensus.failNextAfterCommitting = false;
        assertThatThrownBy(() -> stale.compareAndAppend(List.of(batch(stale, 0, 1, "late", 0, 1)), Frontier.MINIMUM,
                Frontier.of(1)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot tell whether an indeterminate compare_and_append")
                .hasMessageContaining("the shard's upper is now [20]");
        assertThat(consensus.head(shard.toString()).orElseThrow().seqNo().value()).isEqualTo(head);
    }

    @Test
    void anAppendThatCommittedBeforeTheFailureIsReportedAsCommittedAndAppearsOnce() {
        WriteHandle writer = writer();
        consensus.failNextAfterCommitting = true;
        AppendResult result = writer.compareAndAppend(List.of(batch(writer, 0, 2, "a", 1, 1)), Frontier.MINIMUM, Frontier.of(2));
        // The call recognises its own write by its token: it committed, once.
        assertThat(result).isInstanceOf(AppendResult.Committed.class);
        try (ReadHandle reader = ReadHandle.register(applier(), blob, 60_000)) {
            assertThat(read(reader.snapshot(1, Duration.ofSeconds(1)))).isEqualTo(Map.of("a@1", 1L));
            assertThat(reader.fetchRecentUpper()).isEqualTo(Frontier.of(2));
        }
    }

    @Test
    void anAppendThatDidNotCommitIsRetriedAndCommits() {
        WriteHandle writer = writer();
        consensus.failNextAfterCommitting = false;
        AppendResult result = writer.compareAndAppend(List.of(batch(writer, 0, 2, "a", 1, 1)), Frontier.MINIMUM, Frontier.of(2));
        assertThat(result).isInstanceOf(AppendResult.Committed.class);
        try (ReadHandle reader = ReadHandle.register(applier(), blob, 60_000)) {
            assertThat(read(reader.snapshot(1, Duration.ofSeconds(1)))).isEqualTo(Map.of("a@1", 1L));
        }
    }
}
