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
 * Consolidation sorts mostly on four key bytes after the keys' shared prefix (value bytes when all keys are equal):
 * its result must equal a plain sort by (key, value, time) with equal updates summed, whatever the keys and values
 * look like (shared prefixes, shorter than the four bytes, prefixes of others, zero and 0xFF bytes, repeats).
 */
class ConsolidatingOrderTest {
    record Update(byte[] key, byte[] value, long time, long diff) {}

    /** What consolidation yields: the first occurrence's index, its update and the summed diff. */
    record Visited(int index, String key, String value, long time, long diffSum) {}

    private static final Comparator<Update> ORDER = Comparator.<Update, byte[]>comparing(Update::key,
                    Arrays::compareUnsigned)
            .thenComparing(Update::value, Arrays::compareUnsigned)
            .thenComparing(Update::time, Long::compareUnsigned);

    /** A shared stem of 0 to 9 bytes, then 0 to 6 bytes from a small alphabet: many ties on the packed bytes. */
    private static Arbitrary<byte[]> column() {
        Arbitrary<byte[]> stem = Arbitraries.of(new byte[0], "k".getBytes(), "user-0000".getBytes(),
                new byte[] {(byte) 0xFF, 0, (byte) 0xFF});
        Arbitrary<byte[]> tail = Arbitraries.bytes().filter(b -> b == 0 || b == 1 || b == (byte) 0x80 || b == -1)
                .array(byte[].class).ofMinSize(0).ofMaxSize(6);
        return stem.flatMap(s -> tail.map(t -> concat(s, t)));
    }

    /** Keys that differ and values from a few; or, as a collection kept in values, one key and values that differ. */
    @Provide
    Arbitrary<List<Update>> updates() {
        Arbitrary<byte[]> fewValues = Arbitraries.of("", "a", "b").map(String::getBytes);
        Arbitrary<List<Update>> byKey = column().list().ofMaxSize(300)
                .flatMap(keys -> updatesOf(Arbitraries.of(keys.isEmpty() ? List.of(new byte[0]) : keys), fewValues));
        Arbitrary<List<Update>> byValue = Arbitraries.of(new byte[0], "key".getBytes())
                .flatMap(key -> updatesOf(Arbitraries.just(key), column()));
        return Arbitraries.oneOf(byKey, byValue);
    }

    private static Arbitrary<List<Update>> updatesOf(Arbitrary<byte[]> keys, Arbitrary<byte[]> values) {
        return Combinators.combine(keys, values, Arbitraries.longs().between(0, 3),
                        Arbitraries.longs().between(-2, 2).filter(d -> d != 0))
                .as(Update::new)
                .list().ofMinSize(0).ofMaxSize(300);
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
