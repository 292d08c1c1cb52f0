package io.flinkpersist.persist.state;

import io.flinkpersist.persist.InvalidUsageException;
import io.flinkpersist.persist.blob.Blob;
import io.flinkpersist.persist.consensus.CasResult;
import io.flinkpersist.persist.consensus.Consensus;
import io.flinkpersist.persist.external.ExternalException;
import io.flinkpersist.persist.external.RetryPolicy;
import io.flinkpersist.persist.ids.BuildVersion;
import io.flinkpersist.persist.ids.PartialRollupKey;
import io.flinkpersist.persist.ids.RollupId;
import io.flinkpersist.persist.ids.SeqNo;
import io.flinkpersist.persist.ids.ShardId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SortedMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies commands to one shard's state: read the latest state, compute the next one, compare-and-set the diff
 * between them at seqno + 1; on a lost race, read the newer versions and compute again. An indeterminate
 * compare-and-set is resolved by reading the state again and re-running the command, told that its earlier
 * write may have landed.
 *
 * <p>Every {@linkplain StateSettings#rollupThreshold() threshold} versions, the transition that crosses it is
 * assigned a rollup: after it commits, its applier writes the whole state to blob, records it with another
 * transition, and deletes the rollups and consensus versions no one needs any more.
 */
public final class Applier {
    private static final Logger LOG = LoggerFactory.getLogger(Applier.class);

    private final ShardId shardId;
    private final Codecs codecs;
    private final BuildVersion version;
    private final LongSupplier clockMs;
    private final RetryPolicy indeterminateRetries;
    private final StateSettings settings;
    private final StateMetrics metrics;
    private final StateVersions versions;
    private volatile ShardState cached;

    /**
     * Opens the shard, creating it (upper = since = [0]) if it does not exist yet.
     *
     * @throws InvalidUsageException.CodecMismatch if the shard was created with other codecs
     */
    public Applier(ShardId shardId, Consensus consensus, Blob blob, Codecs codecs, BuildVersion version,
            LongSupplier clockMs, RetryPolicy indeterminateRetries, StateSettings settings) {
        this.shardId = Objects.requireNonNull(shardId, "shardId");
        this.codecs = Objects.requireNonNull(codecs, "codecs");
        this.version = Objects.requireNonNull(version, "version");
        this.clockMs = Objects.requireNonNull(clockMs, "clockMs");
        this.indeterminateRetries = Objects.requireNonNull(indeterminateRetries, "indeterminateRetries");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.metrics = new StateMetrics(() -> cached);
        this.versions = new StateVersions(shardId, consensus, blob, metrics);
        this.cached = fetchOrInitialize();
        if (!cached.codecs().equals(codecs)) {
            throw new InvalidUsageException.CodecMismatch(shardId, cached.codecs().toString(), codecs.toString());
        }
    }

    public ShardId shardId() {
        return shardId;
    }

    /** The state this applier last saw; may be stale. */
    public ShardState cached() {
        return cached;
    }

    /** What this applier's transitions cost and what the shard's state holds. */
    public StateMetrics metrics() {
        return metrics;
    }

    /** The latest state. */
    public ShardState fetch() {
        cached = versions.fetchLatest(cached).orElseThrow(() -> new IllegalStateException(
                "shard " + shardId + " has no state versions any more: its consensus data was deleted"));
        return cached;
    }

    /**
     * The blob keys of the parts that some retained state version references, read now: what no sweep may delete.
     * Parts that only versions older than the retained ones referenced are garbage collection's.
     */
    public Set<String> partsOfRetainedVersions() {
        return versions.partsOfRetainedVersions(fetch());
    }

    /**
     * Deletes blob parts, many at a time: parts a caller knows no reader can read any more, such as the inputs of
     * its own merge once every reader holds a version at or after the one that replaced them. Deleting a missing
     * part is not an error; fails if a delete failed after the blob's retries.
     */
    public void deleteParts(Set<String> blobKeys) {
        versions.deleteParts(blobKeys);
    }

    public long nowMs() {
        return clockMs.getAsLong();
    }

    private ShardState fetchOrInitialize() {
        int indeterminateFailures = 0;
        while (true) {
            Optional<ShardState> latest = versions.fetchLatest(null);
            if (latest.isPresent()) {
                return latest.get();
            }
            // The first version names its own rollup, so that a reader always finds one.
            PartialRollupKey key = new PartialRollupKey(SeqNo.of(1), RollupId.random());
            ShardState first = ShardState.initial(shardId, codecs, version, clockMs.getAsLong())
                    .withRollup(SeqNo.of(1), new HollowRollup(key, OptionalLong.empty()));
            CasResult result = null;
            try {
                result = versions.initialize(first, key);
            } catch (ExternalException e) {
                // Bounded, and never past an interrupt: a cancelled task must not keep creating the shard.
                if (e.isDeterminate() || ++indeterminateFailures >= indeterminateRetries.maxAttempts()) {
                    throw e;
                }
                sleep(indeterminateRetries.jitteredBackoff(indeterminateFailures).toMillis());
                // Whether or not it landed, the shard tells.
            }
            if (result == CasResult.COMMITTED) {
                LOG.info("Created shard {} with codecs {}", shardId, codecs);
                return first;
            }
            Optional<ShardState> winner = versions.fetchLatest(null);
            if (winner.isPresent() && !names(winner.get(), key)) {
                versions.deleteRollup(key);
            }
        }
    }

    /** Runs {@code command} until it answers or its write is committed, and returns its result. */
    public <R> R apply(String name, StateCommand<R> command) {
        return apply(name, command, true);
    }

    private <R> R apply(String name, StateCommand<R> command, boolean mayRollUp) {
        ShardState current = cached;
        boolean afterIndeterminate = false;
        int indeterminateFailures = 0;
        List<PartialRollupKey> migrationRollups = new ArrayList<>();
        while (true) {
            Transition<R> transition = command.apply(current, afterIndeterminate);
            if (transition instanceof Transition.Answer<R> answer) {
                dropUnnamed(migrationRollups);
                return answer.result();
            }
            long now = clockMs.getAsLong();
            ShardState next = ((Transition.Write<R>) transition).next().nextVersion(now, version);
            if (current.rollups().isEmpty()) {
                // A version written before consensus held diffs: roll it up, so the first diff names a rollup.
                PartialRollupKey key = new PartialRollupKey(current.seqNo(), RollupId.random());
                long size = versions.putRollup(key, current);
                migrationRollups.add(key);
                next = next.withRollup(current.seqNo(), new HollowRollup(key, OptionalLong.of(size)));
                LOG.info("Shard {} was written before consensus held state diffs: rolled up {} as {}", shardId,
                        current.seqNo(), key);
            }
            boolean rollUp = mayRollUp && needsRollup(next, now);
            if (rollUp) {
                next = next.withActiveRollup(new ActiveRollup(next.seqNo(), now));
            }
            byte[] data = versions.encodeVersion(current, next);
            CasResult result;
            try {
                result = versions.compareAndSet(current.seqNo(), next.seqNo(), data);
            } catch (ExternalException e) {
                if (e.isDeterminate() || ++indeterminateFailures >= indeterminateRetries.maxAttempts()) {
                    throw e;
                }
                sleep(indeterminateRetries.jitteredBackoff(indeterminateFailures).toMillis());
                current = fetch();
                // Consensus tells whether the write landed while it still holds that version; the command is told
                // that it may have only when consensus cannot tell.
                StateVersions.Landed landed = versions.landed(next.seqNo(), data);
                LOG.info("{} on shard {}: compare-and-set at {} was indeterminate ({}); re-read: landed {}", name,
                        shardId, next.seqNo(), e.getMessage(), landed);
                if (landed == StateVersions.Landed.YES) {
                    return committed(transition, next, rollUp, migrationRollups);
                }
                afterIndeterminate |= landed == StateVersions.Landed.UNKNOWN;
                continue;
            }
            if (result == CasResult.COMMITTED) {
                cached = next;
                return committed(transition, next, rollUp, migrationRollups);
            }
            current = fetch();
        }
    }

    private <R> R committed(Transition<R> transition, ShardState next, boolean rollUp, List<PartialRollupKey> migrationRollups) {
        dropUnnamed(migrationRollups);
        if (rollUp) {
            rollUp(next);
        }
        return transition.result();
    }

    /** Whether {@code next} is far enough past its newest rollup, and no recent assignment is still at work. */
    private boolean needsRollup(ShardState next, long now) {
        Optional<Map.Entry<SeqNo, HollowRollup>> latest = next.latestRollup();
        if (latest.isEmpty() || next.seqNo().value() - latest.get().getKey().value() < settings.rollupThreshold()) {
            return false;
        }
        return next.activeRollup().map(a -> now - a.startMs() >= settings.rollupFallbackMs()).orElse(true);
    }

    /**
     * Writes the rollup this applier was assigned with {@code state}, records it, and then collects what it makes
     * unneeded. Best effort: the append that was assigned it has committed, and a rollup not written now is
     * assigned to a later transition once the assignment is older than the fallback.
     */
    private void rollUp(ShardState state) {
        PartialRollupKey key = new PartialRollupKey(state.seqNo(), RollupId.random());
        long size;
        try {
            size = versions.putRollup(key, state);
        } catch (RuntimeException e) {
            metrics.rollupFailed();
            LOG.warn("Could not write the rollup of {} of shard {}; a later transition is assigned it after {} ms: {}",
                    state.seqNo(), shardId, settings.rollupFallbackMs(), e.toString());
            deleteQuietly(key);
            return;
        }
        try {
            HollowRollup rollup = new HollowRollup(key, OptionalLong.of(size));
            boolean recorded = apply("add_rollup", (s, afterIndeterminate) -> {
                HollowRollup existing = s.rollups().get(state.seqNo());
                if (existing != null) {
                    return Transition.answer(existing.equals(rollup));
                }
                if (s.latestRollup().map(e -> e.getKey().compareTo(state.seqNo()) > 0).orElse(false)) {
                    return Transition.answer(false);
                }
                return Transition.write(s.withRollup(state.seqNo(), rollup), true);
            }, false);
            if (!recorded) {
                versions.deleteRollup(key);
                return;
            }
            LOG.debug("Rolled up {} of shard {} ({} bytes)", state.seqNo(), shardId, size);
        } catch (RuntimeException e) {
            metrics.rollupFailed();
            LOG.warn("Could not record the rollup {} of shard {}; a later transition is assigned one after {} ms: {}",
                    key, shardId, settings.rollupFallbackMs(), e.toString());
            return;
        }
        try {
            collectGarbage();
        } catch (RuntimeException e) {
            LOG.warn("Could not delete the old rollups and versions of shard {}; the next rollup retries: {}", shardId,
                    e.toString());
        }
    }

    /** A rollup whose write failed may still have been stored; no state names it, so it goes. */
    private void deleteQuietly(PartialRollupKey key) {
        try {
            versions.deleteRollup(key);
        } catch (RuntimeException e) {
            LOG.debug("Could not delete the unrecorded rollup {} of shard {}", key, shardId, e);
        }
    }

    /**
     * Deletes the blob parts that only versions below the newest rollup every reader's seqno hold has passed
     * referenced (inputs of compactions and flushes), the rollups below that one and the consensus versions below
     * it, then removes those rollups from the state. In this order a crash midway leaves the work to the next
     * collection, and a reader never needs what is gone: it starts from the newest rollup, and reads parts of
     * versions at or after its hold. Then deletes the rollup blobs no state will ever record (leftovers of crashes
     * and lost races).
     */
    private void collectGarbage() {
        ShardState state = cached;
        SortedMap<SeqNo, HollowRollup> usable = state.rollups().headMap(state.seqNoSince().next());
        if (usable.isEmpty()) {
            return;
        }
        SeqNo keepFrom = usable.lastKey();
        SortedMap<SeqNo, HollowRollup> unneeded = state.rollups().headMap(keepFrom);
        if (!unneeded.isEmpty()) {
            // Parts first: the versions that tell which parts were let go of are still there if this stops midway.
            Set<String> released = versions.partsReleasedBelow(state.rollups(), keepFrom);
            versions.deleteParts(released);
            unneeded.values().forEach(r -> versions.deleteRollup(r.key()));
            long truncated = versions.truncateBelow(keepFrom);
            apply("remove_rollups", (s, afterIndeterminate) -> s.rollups().headMap(keepFrom).isEmpty()
                    ? Transition.answer(null)
                    : Transition.write(s.withoutRollupsBelow(keepFrom), null), false);
            if (released.isEmpty()) {
                LOG.debug("Collected {} rollups and {} versions of shard {} below {}", unneeded.size(), truncated,
                        shardId, keepFrom);
            } else {
                LOG.info("Collected {} replaced parts, {} rollups and {} versions of shard {} below {}", released.size(),
                        unneeded.size(), truncated, shardId, keepFrom);
            }
        }
        int unrecorded = versions.deleteUnrecordedRollups(cached);
        if (unrecorded > 0) {
            LOG.info("Deleted {} rollups of shard {} that were written but never recorded", unrecorded, shardId);
        }
    }

    /** Deletes the migration rollups the latest state does not name: the versions that named them lost. */
    private void dropUnnamed(List<PartialRollupKey> rollups) {
        for (PartialRollupKey key : rollups) {
            if (!names(cached, key)) {
                versions.deleteRollup(key);
            }
        }
    }

    private static boolean names(ShardState state, PartialRollupKey key) {
        HollowRollup named = state.rollups().get(key.seqNo());
        return named != null && named.key().equals(key);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while retrying a state transition", e);
        }
    }
}
