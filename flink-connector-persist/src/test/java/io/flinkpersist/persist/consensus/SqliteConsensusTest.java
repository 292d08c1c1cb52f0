package io.flinkpersist.persist.consensus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flinkpersist.persist.external.Retrier;
import io.flinkpersist.persist.external.RetryPolicy;
import io.flinkpersist.persist.ids.SeqNo;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteConsensusTest extends ConsensusContractTest {
    @TempDir
    Path tempDir;

    @Override
    protected Consensus newConsensus() {
        return new SqliteConsensus(file(), SqliteConsensusConfig.DEFAULT);
    }

    private Path file() {
        return tempDir.resolve("nested/dirs/consensus.db");
    }

    @Test
    void createsTheFileInWalMode() throws Exception {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file());
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("PRAGMA journal_mode")) {
            rows.next();
            assertThat(rows.getString(1)).isEqualToIgnoringCase("wal");
        }
    }

    @Test
    void versionsSurviveReopening() {
        consensus.compareAndSet("k", Optional.empty(), version(1, "kept"));
        consensus.close();

        consensus = newConsensus();

        assertThat(consensus.head("k")).contains(version(1, "kept"));
    }

    @Test
    void callsAfterCloseFailWithoutRetrying() {
        consensus.close();

        assertThatThrownBy(() -> consensus.head("k")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> consensus.compareAndSet("k", Optional.empty(), version(1, "late")))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void busyWritersAreRetriedUntilExactlyOneWins() throws Exception {
        // Several stores on one file stand for several processes; with no busy timeout every lock conflict
        // surfaces as SQLITE_BUSY at BEGIN IMMEDIATE, which must be retried and never leak out.
        consensus.compareAndSet("k", Optional.empty(), version(1, "v1"));
        SqliteConsensusConfig impatient = new SqliteConsensusConfig(
                4, Duration.ZERO, new RetryPolicy(100, Duration.ofMillis(1), 2.0, Duration.ofMillis(20)));
        AtomicInteger retries = new AtomicInteger();
        Retrier countingRetrier = new Retrier(impatient.retryPolicy(), backoff -> {
            retries.incrementAndGet();
            Thread.sleep(backoff.toMillis());
        });
        int racers = 16;
        List<Consensus> stores = new ArrayList<>();
        ExecutorService executor = Executors.newFixedThreadPool(racers);
        try {
            for (int i = 0; i < 4; i++) {
                stores.add(new SqliteConsensus(file(), impatient, countingRetrier));
            }
            CountDownLatch start = new CountDownLatch(1);
            List<Future<CasResult>> futures = new ArrayList<>();
            for (int i = 0; i < racers; i++) {
                Consensus store = stores.get(i % stores.size());
                VersionedData next = version(2, "racer " + i);
                futures.add(executor.submit(() -> {
                    start.await();
                    return store.compareAndSet("k", Optional.of(SeqNo.of(1)), next);
                }));
            }
            start.countDown();
            List<CasResult> results = new ArrayList<>();
            for (Future<CasResult> future : futures) {
                results.add(future.get(60, TimeUnit.SECONDS));
            }

            assertThat(results).filteredOn(r -> r == CasResult.COMMITTED).hasSize(1);
            assertThat(retries).as("busy failures retried").hasPositiveValue();
            int winner = results.indexOf(CasResult.COMMITTED);
            assertThat(consensus.head("k")).contains(version(2, "racer " + winner));
        } finally {
            executor.shutdownNow();
            stores.forEach(Consensus::close);
        }
    }
}
