package io.flinkpersist.persist.testutils;

import io.flinkpersist.persist.blob.Blob;
import io.flinkpersist.persist.consensus.CasResult;
import io.flinkpersist.persist.consensus.Consensus;
import io.flinkpersist.persist.consensus.VersionedData;
import io.flinkpersist.persist.external.ExternalException;
import io.flinkpersist.persist.ids.SeqNo;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Wrappers of a blob and a consensus store that fail the writes of state maintenance at random once
 * {@link #arm armed}: rollup writes and deletes, compare-and-sets that would commit, and truncations, each either
 * before or after the store did the work, and reported as indeterminate. A compare-and-set never fails twice in a
 * row, so that a transition retried within its attempts always gets through; reads never fail.
 */
public final class FaultyStores {
    private final Random random;
    private final double probability;
    private volatile boolean armed;
    private boolean lastCasFailed;
    private boolean crashAtNextCommit;
    private final AtomicLong injected = new AtomicLong();

    public FaultyStores(long seed, double probability) {
        this.random = new Random(seed);
        this.probability = probability;
    }

    /** Starts failing (a shard is created without faults, as its first rollup has no fallback). */
    public void arm() {
        armed = true;
    }

    /**
     * The next compare-and-set that would commit throws a {@link Crash}, before or after the store did the work, as
     * if the process died there: nothing after it in that call runs, no clean-up either.
     */
    public synchronized void crashAtNextCommit() {
        crashAtNextCommit = true;
    }

    /** A process dying in the middle of a call: not a store failure, so nothing retries or cleans up after it. */
    public static final class Crash extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Crash(String message) {
            super(message);
        }
    }

    /** How many failures were injected. */
    public long injected() {
        return injected.get();
    }

    private synchronized boolean fail() {
        return armed && random.nextDouble() < probability;
    }

    private synchronized boolean afterTheWork() {
        return random.nextBoolean();
    }

    private ExternalException failure(String what) {
        injected.incrementAndGet();
        return ExternalException.indeterminate("injected failure of " + what, null);
    }

    public Blob blob(Blob delegate) {
        return new ForwardingBlob(delegate) {
            @Override
            public void set(String key, byte[] value) {
                if (isRollup(key) && fail()) {
                    if (afterTheWork()) {
                        delegate.set(key, value);
                    }
                    throw failure("setting " + key);
                }
                delegate.set(key, value);
            }

            @Override
            public OptionalLong delete(String key) {
                if (isRollup(key) && fail()) {
                    if (afterTheWork()) {
                        delegate.delete(key);
                    }
                    throw failure("deleting " + key);
                }
                return delegate.delete(key);
            }
        };
    }

    private static boolean isRollup(String key) {
        int slash = key.indexOf('/');
        return slash >= 0 && key.startsWith("v", slash + 1);
    }

    public Consensus consensus(Consensus delegate) {
        return new Consensus() {
            @Override
            public Optional<VersionedData> head(String key) {
                return delegate.head(key);
            }

            @Override
            public CasResult compareAndSet(String key, Optional<SeqNo> expected, VersionedData next) {
                // Only a compare-and-set that would commit fails: a timed-out one that would have been refused
                // anyway, from a handle whose version is long truncated, cannot be told apart from one that
                // landed, and fails the call rather than guess (IndeterminateAppendTest covers that).
                boolean wouldCommit = expected.equals(delegate.head(key).map(VersionedData::seqNo));
                boolean crashNow;
                boolean failNow;
                synchronized (FaultyStores.this) {
                    crashNow = wouldCommit && crashAtNextCommit;
                    crashAtNextCommit &= !crashNow;
                    failNow = !crashNow && wouldCommit && !lastCasFailed && fail();
                    lastCasFailed = failNow;
                }
                if (crashNow) {
                    boolean landed = afterTheWork();
                    if (landed) {
                        delegate.compareAndSet(key, expected, next);
                    }
                    throw new Crash("crashed at the compare-and-set of " + key + " at " + next.seqNo()
                            + (landed ? ", after it landed" : ", before it was sent"));
                }
                if (failNow) {
                    if (afterTheWork()) {
                        delegate.compareAndSet(key, expected, next);
                    }
                    throw failure("compare-and-set of " + key + " at " + next.seqNo());
                }
                return delegate.compareAndSet(key, expected, next);
            }

            @Override
            public List<VersionedData> scan(String key, SeqNo from, int limit) {
                return delegate.scan(key, from, limit);
            }

            @Override
            public long truncate(String key, SeqNo seqNo) {
                if (fail()) {
                    if (afterTheWork()) {
                        delegate.truncate(key, seqNo);
                    }
                    throw failure("truncating " + key + " below " + seqNo);
                }
                return delegate.truncate(key, seqNo);
            }

            @Override
            public List<String> listKeys() {
                return delegate.listKeys();
            }

            @Override
            public void close() {
                delegate.close();
            }
        };
    }
}
