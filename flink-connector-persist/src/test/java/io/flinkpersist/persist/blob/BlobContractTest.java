package io.flinkpersist.persist.blob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flinkpersist.persist.ids.BlobKey;
import io.flinkpersist.persist.ids.PartId;
import io.flinkpersist.persist.ids.PartialBatchKey;
import io.flinkpersist.persist.ids.PartialRollupKey;
import io.flinkpersist.persist.ids.RollupId;
import io.flinkpersist.persist.ids.SeqNo;
import io.flinkpersist.persist.ids.ShardId;
import io.flinkpersist.persist.ids.WriterKey;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The behaviour every {@link Blob} must have; subclasses supply the implementation under test. */
abstract class BlobContractTest {
    protected Blob blob;
    private final ShardId shard = ShardId.random();

    /** A fresh, empty blob store. */
    protected abstract Blob openBlob() throws Exception;

    @BeforeEach
    void open() throws Exception {
        blob = openBlob();
    }

    @AfterEach
    void close() {
        blob.close();
    }

    private String partKey() {
        return new PartialBatchKey(WriterKey.current(), PartId.random()).complete(shard);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void missingKeyIsEmpty() {
        assertThat(blob.get(partKey())).isEmpty();
        assertThat(blob.delete(partKey())).isEmpty();
    }

    @Test
    void setThenGetReturnsTheExactBytes() {
        String key = partKey();
        byte[] value = new byte[1000];
        new Random(7).nextBytes(value);
        blob.set(key, value);
        assertThat(blob.get(key)).hasValueSatisfying(v -> assertThat(v).isEqualTo(value));
    }

    @Test
    void emptyValueIsStoredAndDistinctFromMissing() {
        String key = partKey();
        blob.set(key, new byte[0]);
        assertThat(blob.get(key)).hasValueSatisfying(v -> assertThat(v).isEmpty());
    }

    @Test
    void sizeReportsTheLengthOfAnExistingKeyOnly() {
        String key = partKey();
        assertThat(blob.size(key)).isEmpty();
        blob.set(key, bytes("12345"));
        assertThat(blob.size(key)).hasValue(5);
        blob.delete(key);
        assertThat(blob.size(key)).isEmpty();
    }

    @Test
    void settingTheSameBytesAgainIsANoOp() {
        String key = partKey();
        blob.set(key, bytes("first"));
        blob.set(key, bytes("first"));
        assertThat(blob.get(key)).hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes("first")));
    }

    @Test
    void overwritingWithDifferentBytesIsRejectedAndKeepsTheOriginal() {
        String key = partKey();
        blob.set(key, bytes("first"));
        assertThatThrownBy(() -> blob.set(key, bytes("second")))
                .isInstanceOf(BlobAlreadyExistsException.class)
                .hasMessageContaining(key);
        assertThat(blob.get(key)).hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes("first")));
    }

    @Test
    void deleteIsIdempotentAndReportsTheSize() {
        String key = partKey();
        blob.set(key, bytes("12345"));
        assertThat(blob.delete(key)).hasValue(5);
        assertThat(blob.delete(key)).isEmpty();
        assertThat(blob.get(key)).isEmpty();
        // A deleted key may be created again (persist never does, but the store must not be wedged).
        blob.set(key, bytes("again"));
        assertThat(blob.get(key)).hasValueSatisfying(v -> assertThat(v).isEqualTo(bytes("again")));
    }

    @Test
    void listFindsExactlyTheKeysUnderAPrefix() {
        ShardId other = ShardId.random();
        WriterKey writer = WriterKey.current();
        String part1 = new PartialBatchKey(writer, PartId.random()).complete(shard);
        String part2 = new PartialBatchKey(writer, PartId.random()).complete(shard);
        String rollup = new PartialRollupKey(SeqNo.of(1), RollupId.random()).complete(shard);
        String otherPart = new PartialBatchKey(writer, PartId.random()).complete(other);
        blob.set(part1, bytes("a"));
        blob.set(part2, bytes("bb"));
        blob.set(rollup, bytes("ccc"));
        blob.set(otherPart, bytes("dddd"));

        assertThat(listed(BlobKey.shardPrefix(shard)))
                .isEqualTo(Map.of(part1, 1L, part2, 2L, rollup, 3L));
        assertThat(listed(BlobKey.writerPrefix(shard, writer))).isEqualTo(Map.of(part1, 1L, part2, 2L));
        assertThat(listed(BlobKey.rollupsPrefix(shard))).isEqualTo(Map.of(rollup, 3L));
        assertThat(listed("")).isEqualTo(Map.of(part1, 1L, part2, 2L, rollup, 3L, otherPart, 4L));
        assertThat(listed(BlobKey.shardPrefix(ShardId.random()))).isEmpty();
        // Keys are listed as they were set: nothing temporary or hidden shows up.
        assertThat(listed("").keySet()).allSatisfy(key -> BlobKey.parseIds(key));
    }

    private Map<String, Long> listed(String prefix) {
        Map<String, Long> found = new TreeMap<>();
        blob.list(prefix, (key, size) -> assertThat(found.put(key, size)).as("listed twice: " + key).isNull());
        return found;
    }

    @Test
    void largeObjectRoundTrips() throws Exception {
        String key = partKey();
        byte[] value = new byte[64 * 1024 * 1024 + 17];
        new Random(42).nextBytes(value);
        blob.set(key, value);
        byte[] read = blob.get(key).orElseThrow();
        assertThat(read.length).isEqualTo(value.length);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        assertThat(sha.digest(read)).isEqualTo(sha.digest(value));
        Map<String, Long> listing = listed(BlobKey.shardPrefix(shard));
        assertThat(listing).containsEntry(key, (long) value.length);
    }

    @Test
    void concurrentCreatorsOfOneKeyLeaveExactlyOneWinner() throws Exception {
        String key = partKey();
        int racers = 8;
        ExecutorService pool = Executors.newFixedThreadPool(racers);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < racers; i++) {
                byte[] value = bytes("racer-" + i);
                Callable<Boolean> racer = () -> {
                    start.await();
                    try {
                        blob.set(key, value);
                        return true;
                    } catch (BlobAlreadyExistsException lost) {
                        return false;
                    }
                };
                results.add(pool.submit(racer));
            }
            start.countDown();
            int winners = 0;
            for (Future<Boolean> result : results) {
                winners += result.get() ? 1 : 0;
            }
            assertThat(winners).isEqualTo(1);
            assertThat(new String(blob.get(key).orElseThrow(), StandardCharsets.UTF_8)).startsWith("racer-");
        } finally {
            pool.shutdownNow();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/abs/key", "a//b", "a/../b", "..", "a/./b", "a/.hidden", "a b", "a\tb", "a\\b", "a/b/"})
    void malformedKeysAreRejectedBeforeTouchingTheStore(String key) {
        assertThatThrownBy(() -> blob.set(key, bytes("x")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("blob key");
        assertThatThrownBy(() -> blob.get(key)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> blob.delete(key)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> blob.size(key)).isInstanceOf(IllegalArgumentException.class);
    }
}
