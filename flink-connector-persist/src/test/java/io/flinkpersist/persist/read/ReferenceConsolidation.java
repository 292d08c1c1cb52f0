package io.flinkpersist.persist.read;

import io.flinkpersist.persist.testutils.Update;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The meaning of consolidation, spelled out with a sorted map: what the streaming code must agree with. */
final class ReferenceConsolidation {
    private ReferenceConsolidation() {}

    static List<Update> of(Collection<Update> updates) {
        Map<Update, Long> sums = new TreeMap<>(Update.KEY_VAL_TIME);
        for (Update u : updates) {
            // The comparator ignores diffs, so the first update of each (key, value, time) stands for all of them.
            sums.merge(u, u.diff(), Long::sum);
        }
        List<Update> consolidated = new ArrayList<>();
        sums.forEach((u, diff) -> {
            if (diff != 0) {
                consolidated.add(new Update(u.key(), u.value(), u.time(), diff));
            }
        });
        return consolidated;
    }
}
