package io.flinkpersist.persist.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flinkpersist.persist.ids.SeqNo;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The {@link Consensus} contract; every implementation's test extends this. */
abstract class ConsensusContractTest {
    private static final int RACERS = 16;

    protected Consensus consensus;

    /** A new, empty store; closed after each test. */
    protected abstract Consensus newConsensus() throws Exception;

    @BeforeEach
    void openConsensus() throws Exception {
        consensus = newConsensus();
    }

    @AfterEach
    void closeConsensus() {
        if (consensus != null) {
            consensus.close();
        }
    }

    @Test
    void headOfUnknownKeyIsEmpty() {
        assertThat(consensus.head("unknown")).isEmpty();
    }

    @Test
    void firstWriteWithoutExpectationCommits() {
        VersionedData first = version(1, "first");

        assertThat(consensus.compareAndSet("k", Optional.empty(), first)).isEqualTo(CasResult.COMMITTED);
        assertThat(consensus.head("k")).contains(first);
    }

    @Test
    void firstWriteMayUseAnySeqNo() {
        assertThat(consensus.compareAndSet("zero", Optional.empty(), version(0, "a"))).isEqualTo(CasResult.COMMITTED);
        assertThat(consensus.compareAndSet("large", Optional.empty(), version(1_000_000, "b")))
                .isEqualTo(CasResult.COMMITTED);

        assertThat(consensus.head("zero")).contains(version(0, "a"));
        assertThat(consensus.head("large")).contains(version(1_000_000, "b"));
    }

    @Test
    void secondWriteWithoutExpectationIsMismatch() {
        consensus.compareAndSet("k", Optional.empty(), version(1, "first"));

        assertThat(consensus.compareAndSet("k", Optional.empty(), version(1, "again")))
                .isEqualTo(CasResult.EXPECTATION_MISMATCH);
        assertThat(consensus.compareAndSet("k", Optional.empty(), version(7, "elsewhere")))
                .isEqualTo(CasResult.EXPECTATION_MISMATCH);
        assertThat(consensus.head("k")).contains(version(1, "first"));
        assertThat(consensus.scan("k", SeqNo.MINIMUM, 10)).containsExactly(version(1, "first"));
    }

    @Test
    void successiveWritesAdvanceTheHead() {
        writeVersions("k", 1, 3);

        assertThat(consensus.compareAndSet("k", Optional.of(SeqNo.of(3)), version(4, "four")))
                .isEqualTo(CasResult.COMMITTED);
        assertThat(consensus.head("k")).contains(version(4, "four"));
    }

    @Test
    void writeWithWrongExpectedSeqNoIsMismatchAndLeavesHeadUnchanged() {
        writeVersions("k", 1, 3);

        assertThat(consensus.compareAndSet("k", Optional.of(SeqNo.of(2)), version(3, "stale")))
                .isEqualTo(CasResult.EXPECTATION_MISMATCH);
        assertThat(consensus.compareAndSet("k", Optional.of(SeqNo.of(5)), version(6, "future")))
                .isEqualTo(CasResult.EXPECTATION_MISMATCH);
        assertThat(consensus.compareAndSet("unknown", Optional.of(SeqNo.of(1)), version(2, "no such key")))
                .isEqualTo(CasResult.EXPECTATION_MISMATCH);

        assertThat(consensus.head("k")).contains(version(3, "v3"));
        assertThat(consensus.scan("k", SeqNo.MINIMUM, 10)).extracting(VersionedData::seqNo)
                .containsExactly(SeqNo.of(1), SeqNo.of(2), SeqNo.of(3));
        assertThat(consensus.head("unknown")).isEmpty();
    }

    @Test
    void nextSeqNoMustBeExpectedPlusOne() {
        writeVersions("k", 1, 2);

        assertThatThrownBy(() -> consensus.compareAndSet("k", Optional.of(SeqNo.of(2)), version(4, "gap")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("v2")
                .hasMessageContaining("v4");
        assertThatThrownBy(() -> consensus.compareAndSet("k", Optional.of(SeqNo.of(2)), version(2, "same")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> consensus.compareAndSet(
                        "k", Optional.of(SeqNo.of(Long.MAX_VALUE)), version(0, "overflow")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(consensus.head("k")).contains(version(2, "v2"));
    }

    @Test
    void racersOnTheSameExpectedSeqNoHaveExactlyOneWinner() throws Exception {
        writeVersions("k", 1, 1);

        List<CasResult> results = race(i -> () ->
                consensus.compareAndSet("k", Optional.of(SeqNo.of(1)), version(2, "racer " + i)));

        int winner = assertExactlyOneWinner(results);
        assertThat(consensus.head("k")).contains(version(2, "racer " + winner));
        assertThat(consensus.scan("k", SeqNo.MINIMUM, 100)).hasSize(2);
    }

    @Test
    void racersInitialisingAFreshKeyHaveExactlyOneWinner() throws Exception {
        // Different seqnos, so that no primary key conflict between first versions decides the race.
        List<CasResult> results = race(i -> () ->
                consensus.compareAndSet("fresh", Optional.empty(), version(i, "racer " + i)));

        int winner = assertExactlyOneWinner(results);
        assertThat(consensus.head("fresh")).contains(version(winner, "racer " + winner));
        assertThat(consensus.scan("fresh", SeqNo.MINIMUM, 100)).containsExactly(version(winner, "racer " + winner));
    }

    @Test
    void scanReturnsVersionsInOrderFromTheBoundUpToTheLimit() {
        writeVersions("k", 1, 5);

        assertThat(consensus.scan("k", SeqNo.MINIMUM, 100)).extracting(VersionedData::seqNo)
                .containsExactly(SeqNo.of(1), SeqNo.of(2), SeqNo.of(3), SeqNo.of(4), SeqNo.of(5));
        assertThat(consensus.scan("k", SeqNo.of(3), 100))
                .containsExactly(version(3, "v3"), version(4, "v4"), version(5, "v5"));
        assertThat(consensus.scan("k", SeqNo.of(2), 2)).containsExactly(version(2, "v2"), version(3, "v3"));
        assertThat(consensus.scan("k", SeqNo.of(5), 1)).containsExactly(version(5, "v5"));
        assertThat(consensus.scan("k", SeqNo.MINIMUM, Integer.MAX_VALUE)).hasSize(5);
    }

    @Test
    void scanPastTheHeadOrOfAnUnknownKeyIsEmpty() {
        writeVersions("k", 1, 3);

        assertThat(consensus.scan("k", SeqNo.of(4), 10)).isEmpty();
        assertThat(consensus.scan("k", SeqNo.of(Consensus.SCAN_ALL), 10)).isEmpty();
        assertThat(consensus.scan("unknown", SeqNo.MINIMUM, 10)).isEmpty();
    }

    @Test
    void scanLimitMustBePositive() {
        assertThatThrownBy(() -> consensus.scan("k", SeqNo.MINIMUM, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> consensus.scan("k", SeqNo.MINIMUM, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void truncateDeletesTheVersionsBelowAndReturnsTheirCount() {
        writeVersions("k", 1, 5);

        assertThat(consensus.truncate("k", SeqNo.of(3))).isEqualTo(2);

        assertThat(consensus.scan("k", SeqNo.MINIMUM, 10)).extracting(VersionedData::seqNo)
                .containsExactly(SeqNo.of(3), SeqNo.of(4), SeqNo.of(5));
        assertThat(consensus.truncate("k", SeqNo.of(3))).isZero();
        assertThat(consensus.truncate("k", SeqNo.of(1))).isZero();
    }

    @Test
    void truncateAtTheHeadKeepsTheHead() {
        writeVersions("k", 1, 4);

        assertThat(consensus.truncate("k", SeqNo.of(4))).isEqualTo(3);

        assertThat(consensus.head("k")).contains(version(4, "v4"));
        assertThat(consensus.scan("k", SeqNo.MINIMUM, 10)).containsExactly(version(4, "v4"));
        assertThat(consensus.compareAndSet("k", Optional.of(SeqNo.of(4)), version(5, "v5")))
                .isEqualTo(CasResult.COMMITTED);
    }

    @Test
    void truncatePastTheHeadThrowsAndDeletesNothing() {
        writeVersions("k", 1, 3);

        assertThatThrownBy(() -> consensus.truncate("k", SeqNo.of(4)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("v4 is past the head v3 of key k");

        assertThat(consensus.scan("k", SeqNo.MINIMUM, 10)).hasSize(3);
    }

    @Test
    void truncateOfAnUnknownKeyThrows() {
        assertThatThrownBy(() -> consensus.truncate("unknown", SeqNo.of(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown");
        assertThatThrownBy(() -> consensus.truncate("unknown", SeqNo.MINIMUM))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void keysAreIndependent() {
        writeVersions("a", 1, 3);
        writeVersions("b", 10, 10);

        assertThat(consensus.compareAndSet("b", Optional.of(SeqNo.of(3)), version(4, "not b's head")))
                .isEqualTo(CasResult.EXPECTATION_MISMATCH);
        assertThat(consensus.truncate("a", SeqNo.of(3))).isEqualTo(2);

        assertThat(consensus.head("a")).contains(version(3, "v3"));
        assertThat(consensus.head("b")).contains(version(10, "v10"));
        assertThat(consensus.scan("b", SeqNo.MINIMUM, 10)).containsExactly(version(10, "v10"));
    }

    @Test
    void listKeysListsEveryKeyWithVersions() {
        assertThat(consensus.listKeys()).isEmpty();

        writeVersions("s-b", 1, 2);
        writeVersions("s-a", 1, 1);
        consensus.truncate("s-b", SeqNo.of(2));

        assertThat(consensus.listKeys()).containsExactlyInAnyOrder("s-a", "s-b");
    }

    @Test
    void largeDataRoundTripsExactly() {
        byte[] large = new byte[4 * 1024 * 1024];
        new Random(42).nextBytes(large);

        consensus.compareAndSet("k", Optional.empty(), new VersionedData(SeqNo.of(1), large));

        assertThat(consensus.head("k").orElseThrow().data()).isEqualTo(large);
        assertThat(consensus.scan("k", SeqNo.MINIMUM, 1).get(0).data()).isEqualTo(large);
    }

    @Test
    void binaryDataRoundTripsExactly() {
        byte[] everyByte = new byte[512];
        for (int i = 0; i < everyByte.length; i++) {
            everyByte[i] = (byte) i;
        }
        byte[] zeros = new byte[64];

        consensus.compareAndSet("k", Optional.empty(), new VersionedData(SeqNo.of(1), everyByte));
        consensus.compareAndSet("k", Optional.of(SeqNo.of(1)), new VersionedData(SeqNo.of(2), zeros));
        consensus.compareAndSet("k", Optional.of(SeqNo.of(2)), new VersionedData(SeqNo.of(3), new byte[0]));

        assertThat(consensus.scan("k", SeqNo.MINIMUM, 10)).containsExactly(
                new VersionedData(SeqNo.of(1), everyByte),
                new VersionedData(SeqNo.of(2), zeros),
                new VersionedData(SeqNo.of(3), new byte[0]));
    }

    @Test
    void storedDataIsNotAliasedWithTheCallersArrays() {
        byte[] written = bytes("original");
        consensus.compareAndSet("k", Optional.empty(), new VersionedData(SeqNo.of(1), written));

        written[0] = 'X';
        consensus.head("k").orElseThrow().data()[1] = 'Y';

        assertThat(consensus.head("k")).contains(version(1, "original"));
    }

    /** Writes versions {@code from..to} of a new key, each holding {@code "v<n>"}. */
    private void writeVersions(String key, long from, long to) {
        Optional<SeqNo> expected = Optional.empty();
        for (long seqNo = from; seqNo <= to; seqNo++) {
            assertThat(consensus.compareAndSet(key, expected, version(seqNo, "v" + seqNo)))
                    .isEqualTo(CasResult.COMMITTED);
            expected = Optional.of(SeqNo.of(seqNo));
        }
    }

    /** Runs one call per racer, all released at once, and returns their results in racer order. */
    private static List<CasResult> race(IntFunction<Callable<CasResult>> racer) throws Exception {
        ExecutorService executor = Executors.newFixedThreadPool(RACERS);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<CasResult>> futures = new ArrayList<>();
            for (int i = 0; i < RACERS; i++) {
                Callable<CasResult> call = racer.apply(i);
                futures.add(executor.submit(() -> {
                    start.await();
                    return call.call();
                }));
            }
            start.countDown();
            List<CasResult> results = new ArrayList<>();
            for (Future<CasResult> future : futures) {
                results.add(future.get(60, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            executor.shutdownNow();
        }
    }

    /** Asserts one COMMITTED among mismatches and returns the winner's index. */
    private static int assertExactlyOneWinner(List<CasResult> results) {
        assertThat(results).filteredOn(r -> r == CasResult.COMMITTED).hasSize(1);
        assertThat(results).filteredOn(r -> r == CasResult.EXPECTATION_MISMATCH).hasSize(RACERS - 1);
        return results.indexOf(CasResult.COMMITTED);
    }

    protected static VersionedData version(long seqNo, String data) {
        return new VersionedData(SeqNo.of(seqNo), bytes(data));
    }

    protected static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Truncation deletes versions below the head while writers with stale expectations race: a
     * compare-and-set from a version that is no longer the head must never commit, even if that version and
     * its successor were just truncated away (which would re-create a version below the head and lose the
     * write).
     */
    @Test
    void staleCompareAndSetsNeverCommitWhileTruncationRuns() throws Exception {
        String key = "truncated-race";
        assertThat(consensus.compareAndSet(key, Optional.empty(), new VersionedData(SeqNo.of(0), new byte[] {0})))
                .isEqualTo(CasResult.COMMITTED);
        int writers = 6;
        int attemptsEach = 150;
        java.util.concurrent.ConcurrentHashMap<Long, Integer> commitsBySeqNo = new java.util.concurrent.ConcurrentHashMap<>();
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(writers + 1);
        try {
            java.util.concurrent.Future<?> truncator = pool.submit(() -> {
                while (!done.get()) {
                    consensus.head(key).ifPresent(head -> consensus.truncate(key, head.seqNo()));
                }
                return null;
            });
            java.util.List<java.util.concurrent.Future<?>> racers = new java.util.ArrayList<>();
            for (int w = 0; w < writers; w++) {
                racers.add(pool.submit(() -> {
                    long known = 0;
                    for (int i = 0; i < attemptsEach; i++) {
                        // Refresh the head only now and then: most attempts expect a stale version.
                        if (i % 10 == 0) {
                            known = consensus.head(key).orElseThrow().seqNo().value();
                        }
                        CasResult result = consensus.compareAndSet(key, Optional.of(SeqNo.of(known)),
                                new VersionedData(SeqNo.of(known + 1), new byte[] {1}));
                        if (result == CasResult.COMMITTED) {
                            commitsBySeqNo.merge(known + 1, 1, Integer::sum);
                            known++;
                        }
                    }
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> racer : racers) {
                racer.get();
            }
            done.set(true);
            truncator.get();
        } finally {
            pool.shutdownNow();
        }
        long head = consensus.head(key).orElseThrow().seqNo().value();
        assertThat(commitsBySeqNo).allSatisfy((seqNo, commits) -> assertThat(commits).as("commits of v" + seqNo).isEqualTo(1));
        assertThat(commitsBySeqNo.keySet()).hasSize((int) head);
    }
}
