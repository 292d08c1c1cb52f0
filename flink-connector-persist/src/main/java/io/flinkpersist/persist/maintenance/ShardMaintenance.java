package io.flinkpersist.persist.maintenance;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.flinkpersist.persist.batch.PartWriter;
import io.flinkpersist.persist.blob.Blob;
import io.flinkpersist.persist.ids.BuildVersion;
import io.flinkpersist.persist.ids.CriticalReaderId;
import io.flinkpersist.persist.ids.ShardId;
import io.flinkpersist.persist.state.Applier;
import io.flinkpersist.persist.state.CriticalReaderState;
import io.flinkpersist.persist.state.ShardState;
import io.flinkpersist.persist.state.StateMetrics;
import io.flinkpersist.persist.state.Transition;
import io.flinkpersist.persist.time.Frontier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one shard small and fast to read: compacts its batches as {@link CompactionPolicy} asks, first moving its
 * since to the history retention behind its upper (never past a reader's since) so that compaction consolidates
 * everything older. With {@link #holdHistory()} the retention is held by a critical reader, so that readers moving
 * their own sinces cannot move the shard's past it. What its merges replace it deletes as soon as every leased
 * reader holds a version past the merge ({@link ReleasedParts}); garbage collection deletes the rest once no retained state version
 * references it (with the state's rollups, see {@link Applier}).
 *
 * <p>Runs anywhere: next to a sink's committer, or in a process of its own. Several maintainers of one shard are
 * safe (a merge applies only while its inputs are unchanged) but duplicate work. Not thread-safe.
 */
public final class ShardMaintenance {
    private static final Logger LOG = LoggerFactory.getLogger(ShardMaintenance.class);
    /** The critical reader that holds a shard's history retention: one per shard, whoever maintains it. */
    public static final CriticalReaderId HISTORY_HOLD =
            CriticalReaderId.of(UUID.nameUUIDFromBytes("flink-connector-persist history retention".getBytes(UTF_8)));

    private final Applier applier;
    private final Blob blob;
    private final Compactor compactor;
    private final CompactionSettings settings;
    private final MaintenanceMetrics metrics = new MaintenanceMetrics();

    public ShardMaintenance(Applier applier, PartWriter partWriter, BuildVersion version, CompactionSettings settings) {
        this.applier = Objects.requireNonNull(applier, "applier");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.blob = partWriter.blob();
        this.compactor = new Compactor(applier, partWriter, version, settings, metrics);
    }

    public ShardId shardId() {
        return applier.shardId();
    }

    public MaintenanceMetrics metrics() {
        return metrics;
    }

    /** The shard's state as this maintenance last saw it, and what its transitions cost. */
    public StateMetrics stateMetrics() {
        return applier.metrics();
    }

    /** The merge the shard needs next, as of its latest state (no since is moved). */
    public Optional<CompactionRequest> nextRequest() {
        return CompactionPolicy.next(applier.fetch(), settings);
    }

    /**
     * Runs merges until the shard needs none or {@code maxMerges} ran, moving the since first when a merge is due.
     * A merge that lost its race to another maintainer counts as run.
     */
    public List<CompactionOutcome> compact(int maxMerges) {
        List<CompactionOutcome> outcomes = new ArrayList<>();
        while (outcomes.size() < maxMerges) {
            Optional<CompactionRequest> request = nextMerge(Frontier.MINIMUM);
            if (request.isEmpty()) {
                break;
            }
            outcomes.add(compactor.compact(request.get(), () -> false));
        }
        return outcomes;
    }

    /**
     * The merge to run next among the batches from {@code from} on, as of the shard's latest state, moving the since
     * first when one is due (the since a merge consolidates to is fixed in its request). With {@code from} the upper
     * of a merge in progress (another thread's or process's), it plans a merge of newer batches only, which does not
     * touch that merge's inputs: both apply, so new batches are merged while a long merge of old ones runs.
     */
    public Optional<CompactionRequest> nextMerge(Frontier from) {
        ShardState latest = applier.fetch();
        compactor.deleteReleasedParts(latest);
        Optional<CompactionRequest> request = CompactionPolicy.next(latest, settings, from);
        if (request.isPresent() && advanceSince()) {
            request = CompactionPolicy.next(applier.cached(), settings, from);
        }
        return request;
    }

    /**
     * Runs one merge as requested (by {@link #nextRequest()}, possibly of another maintainer): it applies only if its
     * inputs are still batches of the shard, one after the other, when it finishes. The since is not moved.
     */
    public CompactionOutcome compact(CompactionRequest request) {
        return compact(request, () -> false);
    }

    /**
     * Like {@link #compact(CompactionRequest)}, stopping early once {@code stop} is true: what the merge wrote is
     * deleted, nothing is applied, and the outcome is not applied.
     */
    public CompactionOutcome compact(CompactionRequest request, BooleanSupplier stop) {
        return compactor.compact(request, stop);
    }

    /**
     * Deletes the parts of the shard that no retained version references and that were written more than
     * {@code grace} ago (see {@link OrphanSweep} for the rule {@code grace} must follow). Idempotent.
     */
    public OrphanSweepResult sweepOrphans(Duration grace) {
        if (grace == null || grace.isNegative()) {
            throw new IllegalArgumentException("the orphan grace period must not be negative, was " + grace);
        }
        OrphanSweepResult result = OrphanSweep.sweep(applier, blob, grace);
        metrics.swept(result);
        return result;
    }

    /**
     * Registers the shard's history hold, a critical reader at the shard's since, unless there is one: from then on
     * the shard's since follows the hold, which only {@link #advanceSince} moves (to the history retention behind the
     * upper), and no reader moving its own since makes the shard forget history younger than the retention. As in
     * persist, where the shard's since is the least of its readers', leased and critical. Idempotent.
     */
    public void holdHistory() {
        boolean registered = applier.apply("hold_history", (state, afterIndeterminate) -> {
            if (state.criticalReaders().containsKey(HISTORY_HOLD)) {
                return Transition.answer(false);
            }
            return Transition.write(state.withCriticalReader(HISTORY_HOLD, new CriticalReaderState(state.since(), 0,
                    "i64", "the history retention of the shard's compaction")), true);
        });
        if (registered) {
            LOG.info("Shard {} keeps its history retention with critical reader {} from since {}", shardId(),
                    HISTORY_HOLD, applier.cached().since());
        }
    }

    /**
     * Moves the shard's since to its history retention behind the upper, or to the least since of its readers if
     * that is lower; with a history hold, moves the hold there; returns whether the since moved. Only compaction
     * needs the since moved, so only a due merge moves it: an idle shard's state does not change.
     */
    public boolean advanceSince() {
        Frontier before = applier.cached().since();
        Frontier after = applier.apply("advance_since", (state, afterIndeterminate) -> {
            Frontier bound = retentionBound(state.upper());
            CriticalReaderState hold = state.criticalReaders().get(HISTORY_HOLD);
            ShardState next = hold == null ? state.withSinceAdvancedTo(bound)
                    : state.withCriticalReader(HISTORY_HOLD, hold.advancedTo(bound));
            return next.equals(state) ? Transition.answer(state.since()) : Transition.write(next, next.since());
        });
        if (after.equals(before)) {
            return false;
        }
        metrics.sinceAdvanced();
        LOG.debug("Moved the since of shard {} from {} to {}", shardId(), before, after);
        return true;
    }

    /**
     * The since the history retention allows: the latest readable time, {@code upper - 1}, less the retention.
     * A closed shard (empty upper) keeps its since, as does one younger than the retention.
     */
    private Frontier retentionBound(Frontier upper) {
        if (upper.isEmpty()) {
            return Frontier.MINIMUM;
        }
        long bound = upper.element().getAsLong() - 1 - settings.historyRetentionMs();
        return bound <= 0 ? Frontier.MINIMUM : Frontier.of(bound);
    }
}
