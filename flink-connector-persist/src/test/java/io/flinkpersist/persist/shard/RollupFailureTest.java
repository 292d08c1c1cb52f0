package io.flinkpersist.persist.shard;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkpersist.persist.PersistClient;
import io.flinkpersist.persist.PersistConfig;
import io.flinkpersist.persist.blob.Blob;
import io.flinkpersist.persist.blob.MemBlob;
import io.flinkpersist.persist.consensus.MemConsensus;
import io.flinkpersist.persist.external.ExternalException;
import io.flinkpersist.persist.ids.SeqNo;
import io.flinkpersist.persist.ids.ShardId;
import io.flinkpersist.persist.location.PersistLocation;
import io.flinkpersist.persist.state.StateMetrics;
import io.flinkpersist.persist.testutils.ForwardingBlob;
import io.flinkpersist.persist.time.Frontier;
import io.flinkpersist.persist.write.AppendResult;
import io.flinkpersist.persist.write.WriteHandle;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A rollup that cannot be written (blob down) never fails the append it was assigned to: appends go on, consensus
 * keeps every diff since the last rollup, and once blob is back and the assignment is older than the fallback,
 * the next transition rolls up and truncation catches up.
 */
class RollupFailureTest {
    private static final int THRESHOLD = 4;
    private static final Duration FALLBACK = Duration.ofSeconds(5);

    @Test
    void appendsGoOnWhileRollupsFailAndTheNextTransitionAfterTheFallbackRollsUp() {
        String name = "rollup-failure-" + UUID.randomUUID();
        ShardId shard = ShardId.random();
        AtomicLong clock = new AtomicLong(1_000_000);
        AtomicBoolean blobDown = new AtomicBoolean();
        PersistLocation location = PersistLocation.parse("mem://" + name, "mem://" + name);
        PersistConfig config = PersistConfig.builder().rollupThreshold(THRESHOLD).rollupFallback(FALLBACK)
                .clockMs(clock::get).build();
        MemConsensus consensus = MemConsensus.named(name);
        try (PersistClient client = PersistClient.open(location, config, rollupsFailWhile(blobDown, MemBlob.named(name)),
                consensus)) {
            WriteHandle writer = client.openWriter(shard, ShardContractTest.CODECS);
            StateMetrics metrics = writer.stateMetrics();
            // The shard's first rollup, written when this handle created it.
            long written = metrics.rollupsWritten();
            blobDown.set(true);
            for (long t = 0; t < 40; t++) {
                clock.addAndGet(1_000);
                assertThat(writer.compareAndAppend(List.of(), Frontier.of(t), Frontier.of(t + 1)))
                        .isInstanceOf(AppendResult.Committed.class);
            }
            // One attempt per fallback interval: 40 s of appends, an attempt every 5 s.
            assertThat(metrics.rollupFailures()).isBetween(6L, 9L);
            assertThat(metrics.rollupsWritten()).isEqualTo(written);
            assertThat(consensus.scan(shard.toString(), SeqNo.MINIMUM, 1_000)).hasSizeGreaterThan(40);

            blobDown.set(false);
            clock.addAndGet(FALLBACK.toMillis());
            for (long t = 40; t < 40 + 3 * THRESHOLD; t++) {
                clock.addAndGet(1_000);
                writer.compareAndAppend(List.of(), Frontier.of(t), Frontier.of(t + 1));
            }
            assertThat(metrics.rollupsWritten()).isGreaterThanOrEqualTo(written + 2);
            assertThat(consensus.scan(shard.toString(), SeqNo.MINIMUM, 1_000)).hasSizeLessThanOrEqualTo(2 * THRESHOLD + 4);
            try (PersistClient other = PersistClient.open(location, config)) {
                WriteHandle opened = other.openWriter(shard, ShardContractTest.CODECS);
                assertThat(opened.upper()).isEqualTo(Frontier.of(40 + 3 * THRESHOLD));
                assertThat(opened.stateMetrics().diffsApplied()).isLessThanOrEqualTo(THRESHOLD + 2);
            }
        }
    }

    /** A blob whose rollup writes fail (indeterminately, after storing nothing) while {@code down} is set. */
    private static Blob rollupsFailWhile(AtomicBoolean down, Blob delegate) {
        return new ForwardingBlob(delegate) {
            @Override
            public void set(String key, byte[] value) {
                if (down.get() && key.contains("/v")) {
                    throw ExternalException.indeterminate("blob is down", null);
                }
                delegate.set(key, value);
            }
        };
    }
}
