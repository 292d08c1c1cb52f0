package io.flinkpersist.persist.batch.part;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * Consolidation sorts mostly on four key bytes after the keys' shared prefix: its result must equal a plain sort by
 * (key, value, time) with equal updates summed, whatever the keys look like (shared prefixes, keys shorter than the
 * four bytes, keys that are prefixes of others, zero and 0xFF bytes, repeats).
 */
class ConsolidatingOrderTest {
    record Update(byte[] key, byte[] value, long time, long diff) {}

    /** What consolidation yields: the first occurrence's index, its update and the summed diff. */
    record Visited(int index, String key, String value, long time, long diffSum) {}

    private static final Comparator<Update> ORDER = Comparator.<Update, byte[]>comparing(Update::key,
                    Arrays::compareUnsigned)
            .thenComparing(Update::value, Arrays::compareUnsigned)
            .thenComparing(Update::time, Long::compareUnsigned);

    @Provide
    Arbitrary<List<Update>> updates() {
        // A shared stem of 0 to 9 bytes, then 0 to 6 bytes from a small alphabet: many ties on the packed bytes.
        Arbitrary<byte[]> stem = Arbitraries.of(new byte[0], "k".getBytes(), "user-0000".getBytes(),
                new byte[] {(byte) 0xFF, 0, (byte) 0xFF});
        Arbitrary<byte[]> tail = Arbitraries.bytes().filter(b -> b == 0 || b == 1 || b == (byte) 0x80 || b == -1)
                .array(byte[].class).ofMinSize(0).ofMaxSize(6);
        return stem.flatMap(s -> Combinators.combine(tail,
                        Arbitraries.of("", "a", "b").map(String::getBytes),
                        Arbitraries.longs().between(0, 3),
                        Arbitraries.longs().between(-2, 2).filter(d -> d != 0))
                .as((t, v, time, diff) -> new Update(concat(s, t), v, time, diff))
                .list().ofMinSize(0).ofMaxSize(300));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Property(tries = 400)
    void equalsAPlainSortWithEqualUpdatesSummed(@ForAll("updates") List<Update> updates) {
        assertThat(consolidate(updates)).isEqualTo(reference(updates));
    }

    @Test
    void keysThatDifferOnlyAfterTheirSharedPrefixOrPastTheirEndSortUnsigned() {
        List<Update> updates = new ArrayList<>();
        for (String hex : List.of("aa00", "aa", "aa0000", "aaff", "aa7f", "aa80", "aa000001", "aa0000000001", "aa")) {
            updates.add(new Update(java.util.HexFormat.of().parseHex(hex), new byte[0], 1, 1));
        }
        assertThat(consolidate(updates)).extracting(Visited::key)
                .containsExactly("aa", "aa00", "aa0000", "aa0000000001", "aa000001", "aa7f", "aa80", "aaff");
    }

    private static List<Visited> consolidate(List<Update> updates) {
        ColumnarRecords.Builder builder = ColumnarRecords.builder();
        updates.forEach(u -> builder.push(u.key(), u.value(), u.time(), u.diff()));
        ColumnarRecords records = builder.build();
        List<Visited> visited = new ArrayList<>();
        int count = records.consolidatedOrder((i, sum) -> visited.add(new Visited(i, hex(records.key(i)),
                hex(records.value(i)), records.time(i), sum)));
        assertThat(count).isEqualTo(visited.size());
        return visited;
    }

    private static List<Visited> reference(List<Update> updates) {
        List<Integer> indices = new ArrayList<>();
        for (int i = 0; i < updates.size(); i++) {
            indices.add(i);
        }
        indices.sort((a, b) -> ORDER.compare(updates.get(a), updates.get(b))); // stable: first occurrence first
        List<Visited> out = new ArrayList<>();
        for (int from = 0; from < indices.size(); ) {
            Update first = updates.get(indices.get(from));
            long sum = 0;
            int to = from;
            while (to < indices.size() && ORDER.compare(first, updates.get(indices.get(to))) == 0) {
                sum += updates.get(indices.get(to)).diff();
                to++;
            }
            if (sum != 0) {
                out.add(new Visited(indices.get(from), hex(first.key()), hex(first.value()), first.time(), sum));
            }
            from = to;
        }
        return out;
    }

    private static String hex(byte[] bytes) {
        return java.util.HexFormat.of().formatHex(bytes);
    }
}
