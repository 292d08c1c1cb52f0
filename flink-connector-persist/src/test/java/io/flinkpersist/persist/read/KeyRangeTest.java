package io.flinkpersist.persist.read;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flinkpersist.persist.batch.BatchPart;
import io.flinkpersist.persist.ids.PartId;
import io.flinkpersist.persist.ids.PartialBatchKey;
import io.flinkpersist.persist.ids.WriterKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class KeyRangeTest {
    private final Random random = new Random(7);

    /**
     * Pruning never skips a part that holds a key of the range: random sorted runs cut into parts whose key lowers
     * are truncated to a few bytes, against random ranges.
     */
    @Test
    void aPartJudgedToHoldNoKeyOfTheRangeHoldsNone() {
        int pruned = 0;
        for (int trial = 0; trial < 2_000; trial++) {
            List<byte[]> keys = new ArrayList<>();
            for (int i = 0; i < 1 + random.nextInt(40); i++) {
                keys.add(randomKey());
            }
            keys.sort(Arrays::compareUnsigned);
            int truncate = 1 + random.nextInt(4);
            List<List<byte[]>> parts = cut(keys);
            KeyRange range = randomRange();
            for (int p = 0; p < parts.size(); p++) {
                BatchPart part = part(parts.get(p), truncate);
                BatchPart next = p + 1 < parts.size() ? part(parts.get(p + 1), truncate) : null;
                boolean holds = parts.get(p).stream().anyMatch(range::contains);
                if (!range.mayHoldKeys(part, next)) {
                    pruned++;
                    assertThat(holds).as("part %s of %s judged outside %s", p, parts, range).isFalse();
                }
            }
        }
        assertThat(pruned).as("parts pruned over all trials").isGreaterThan(1_000);
    }

    @Test
    void anEmptyRangeIsRefusedNamingItsBounds() {
        assertThatThrownBy(() -> new KeyRange(new byte[] {2}, new byte[] {1}))
                .hasMessageContaining("[02, 01) is empty");
        assertThatThrownBy(() -> new KeyRange(null, null)).hasMessageContaining("lower bound");
    }

    @Test
    void rangesOrderKeysAsUnsignedBytesAShorterPrefixFirst() {
        KeyRange range = new KeyRange(new byte[] {1}, new byte[] {(byte) 0x80});
        assertThat(range.contains(new byte[] {1})).isTrue();
        assertThat(range.contains(new byte[] {1, 0})).isTrue();
        assertThat(range.contains(new byte[] {0x7f, (byte) 0xff})).isTrue();
        assertThat(range.contains(new byte[] {(byte) 0x80})).isFalse();
        assertThat(range.contains(new byte[] {0})).isFalse();
        assertThat(range.contains(new byte[0])).isFalse();
        assertThat(KeyRange.ALL.contains(new byte[0])).isTrue();
    }

    private byte[] randomKey() {
        byte[] key = new byte[random.nextInt(5)];
        for (int i = 0; i < key.length; i++) {
            key[i] = (byte) (random.nextInt(4) * 0x40 + random.nextInt(2));
        }
        return key;
    }

    private KeyRange randomRange() {
        byte[] a = randomKey();
        byte[] b = randomKey();
        int order = Arrays.compareUnsigned(a, b);
        if (order == 0 || random.nextInt(5) == 0) {
            return new KeyRange(a, null);
        }
        return order < 0 ? new KeyRange(a, b) : new KeyRange(b, a);
    }

    private List<List<byte[]>> cut(List<byte[]> keys) {
        List<List<byte[]>> parts = new ArrayList<>();
        int start = 0;
        while (start < keys.size()) {
            int end = Math.min(keys.size(), start + 1 + random.nextInt(6));
            parts.add(keys.subList(start, end));
            start = end;
        }
        return parts;
    }

    private static BatchPart part(List<byte[]> keys, int truncate) {
        byte[] lower = keys.get(0);
        return BatchPart.hollow(new PartialBatchKey(WriterKey.current(), PartId.random()), 100,
                Arrays.copyOf(lower, Math.min(lower.length, truncate)), keys.size(), null);
    }
}
