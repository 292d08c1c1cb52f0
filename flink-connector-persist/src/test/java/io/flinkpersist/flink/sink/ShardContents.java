package io.flinkpersist.flink.sink;

import io.flinkpersist.persist.PersistClient;
import io.flinkpersist.persist.read.Consolidator;
import io.flinkpersist.persist.read.Listen;
import io.flinkpersist.persist.read.ReadHandle;
import io.flinkpersist.persist.time.Frontier;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
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

    /** Each commit is one append: count the batches a listener sees from time 0 up to the upper. */
    private static int countAppends(ReadHandle reader, Frontier upper) {
        Listen listen = reader.listen(0);
        int appends = 0;
        while (listen.frontier().lessThan(upper)) {
            if (listen.next(Duration.ofSeconds(10)).updates().next()) {
                appends++;
            }
        }
        return appends;
    }
}
