package io.flinkpersist.flink.sink;

import io.flinkpersist.persist.PersistClient;
import io.flinkpersist.persist.read.Consolidator;
import io.flinkpersist.persist.read.Listen;
import io.flinkpersist.persist.read.ReadHandle;
import io.flinkpersist.persist.time.Frontier;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.Map;

/** What a sink's shard holds: the consolidated (value → diff) of every update, and how many appends made it. */
record ShardContents(Map<String, Long> diffsByValue, int appends) {
    static ShardContents read(PersistSinkConfig config) {
        try (PersistClient client = config.openClient();
                ReadHandle reader = client.openReader(config.shardId(), config.codecs())) {
            Frontier upper = reader.fetchRecentUpper();
            Map<String, Long> diffs = new HashMap<>();
            if (upper.equals(Frontier.MINIMUM)) {
                return new ShardContents(diffs, 0);
            }
            long asOf = upper.element().orElseThrow() - 1;
            Consolidator snapshot = reader.snapshot(asOf, Duration.ofSeconds(10));
            while (snapshot.next()) {
                diffs.merge(new String(snapshot.value(), StandardCharsets.UTF_8), snapshot.diff(), Long::sum);
            }
            return new ShardContents(diffs, countAppends(reader, upper));
        }
    }

    /**
     * Each commit is one append at a time of its own: count the distinct times a listener sees from the since up to
     * the upper. Compaction merges batches but keeps the times after the since (the history retention), so this
     * counts the appends of the retained history, all of a test's.
     */
    private static int countAppends(ReadHandle reader, Frontier upper) {
        Listen listen = reader.listen(reader.since().element().orElseThrow());
        Set<Long> times = new HashSet<>();
        while (listen.frontier().lessThan(upper)) {
            Consolidator updates = listen.next(Duration.ofSeconds(10)).updates();
            while (updates.next()) {
                times.add(updates.time());
            }
        }
        return times.size();
    }
}
