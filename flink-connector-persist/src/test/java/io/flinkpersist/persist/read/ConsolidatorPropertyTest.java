package io.flinkpersist.persist.read;

import io.flinkpersist.persist.testutils.Update;
import static org.assertj.core.api.Assertions.assertThat;

import io.flinkpersist.persist.batch.part.ColumnarRecords;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/** Whatever the runs and however they are cut into parts, the merge is the reference consolidation. */
class ConsolidatorPropertyTest {
    private static final int MAX_RUNS = 6;

    /** An update, the run it goes to, and whether its part ends after it (2: followed by an empty part). */
    record Placed(Update update, int run, int cut) {}

    static Arbitrary<Update> updates() {
        // Few distinct keys and values, so that equal (key, value, time) meet across runs and cancel.
        Arbitrary<byte[]> bytes = Arbitraries.of(new byte[0], new byte[] {0}, new byte[] {0, 0},
                new byte[] {(byte) 0xff}, new byte[] {(byte) 0xff, 0}, new byte[] {0x7f}, new byte[] {(byte) 0x80},
                new byte[] {'a'}, new byte[] {'a', 0});
        Arbitrary<Long> times = Arbitraries.of(0L, 1L, 2L, 7L, Long.MAX_VALUE, -1L);
        Arbitrary<Long> diffs = Arbitraries.frequencyOf(
                Tuple.of(20, Arbitraries.longs().between(-2, 2)),
                Tuple.of(1, Arbitraries.of(Long.MAX_VALUE, Long.MIN_VALUE)));
        return Combinators.combine(bytes, bytes, times, diffs).as(Update::new);
    }

    @Provide
    Arbitrary<List<Placed>> placedUpdates() {
        return Combinators.combine(updates(), Arbitraries.integers().between(0, MAX_RUNS - 1),
                        Arbitraries.integers().between(0, 2))
                .as(Placed::new)
                .list().ofMaxSize(300);
    }

    @Property(tries = 300)
    void mergeOfSortedRunsIsTheReferenceConsolidation(@ForAll("placedUpdates") List<Placed> placed) {
        List<Update> all = placed.stream().map(Placed::update).toList();

        assertThat(Update.drain(new Consolidator(runs(placed)))).isEqualTo(ReferenceConsolidation.of(all));
    }

    @Property(tries = 200)
    void sortAndConsolidateOfAnyPartIsTheReferenceConsolidation(@ForAll("placedUpdates") List<Placed> placed) {
        List<Update> all = placed.stream().map(Placed::update).toList();

        ColumnarRecords sorted = PartSorter.sortAndConsolidate(Update.records(all));

        assertThat(Update.list(sorted)).isEqualTo(ReferenceConsolidation.of(all));
    }

    /** Each run sorted (not consolidated: duplicates stay) and cut where the updates say, with empty parts. */
    private static List<Iterator<ColumnarRecords>> runs(List<Placed> placed) {
        List<Iterator<ColumnarRecords>> runs = new ArrayList<>();
        for (int run = 0; run < MAX_RUNS; run++) {
            int r = run;
            List<Placed> inRun = new ArrayList<>(placed.stream().filter(p -> p.run() == r).toList());
            inRun.sort((a, b) -> Update.KEY_VAL_TIME.compare(a.update(), b.update()));
            List<ColumnarRecords> parts = new ArrayList<>();
            if (run % 2 == 0) {
                parts.add(ColumnarRecords.EMPTY);
            }
            List<Update> part = new ArrayList<>();
            for (Placed p : inRun) {
                part.add(p.update());
                if (p.cut() > 0) {
                    parts.add(Update.records(part));
                    part.clear();
                }
                if (p.cut() == 2) {
                    parts.add(ColumnarRecords.EMPTY);
                }
            }
            parts.add(Update.records(part));
            runs.add(parts.iterator());
        }
        return runs;
    }
}
