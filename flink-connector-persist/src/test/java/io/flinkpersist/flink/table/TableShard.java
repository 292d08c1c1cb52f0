package io.flinkpersist.flink.table;

import io.flinkpersist.flink.sink.PersistSinkBuilder;
import io.flinkpersist.persist.PersistClient;
import io.flinkpersist.persist.PersistConfig;
import io.flinkpersist.persist.location.PersistLocation;
import io.flinkpersist.persist.read.Consolidator;
import io.flinkpersist.persist.read.Listen;
import io.flinkpersist.persist.read.ReadHandle;
import io.flinkpersist.persist.state.Codecs;
import io.flinkpersist.persist.time.Frontier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.flink.types.Row;

/**
 * A table's shard read back with the core's ReadHandle, each update decoded with the formats that wrote it.
 * Opening the reader with the formats' codec names also checks the codecs the sink recorded.
 */
final class TableShard {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final PersistLocation location;
    private final Map<String, String> hadoopOptions;
    private final String shardName;
    private final FormatDecoder key;
    /** Null when the value is empty. */
    private final FormatDecoder value;

    TableShard(String blobUri, String consensusUri, Map<String, String> hadoopOptions, String shardName,
            FormatDecoder key, FormatDecoder value) {
        this.location = PersistLocation.parse(blobUri, consensusUri);
        this.hadoopOptions = hadoopOptions;
        this.shardName = shardName;
        this.key = key;
        this.value = value;
    }

    /** The consolidated snapshot at the shard's upper: each row (key columns, then value columns) with its diff. */
    Map<Row, Long> snapshot() {
        Map<Row, Long> rows = new HashMap<>();
        read((reader, upper) -> {
            Consolidator snapshot = reader.snapshot(upper.element().orElseThrow() - 1, TIMEOUT);
            while (snapshot.next()) {
                rows.merge(row(snapshot), snapshot.diff(), Long::sum);
            }
        });
        return rows;
    }

    /**
     * The diffs of each append, in order: what the sink wrote before the shard consolidated it. Each append has a
     * time of its own, which compaction keeps within the history retention, so the appends are told apart by time
     * even where compaction merged their batches.
     */
    List<List<Long>> appendedDiffs() {
        return new ArrayList<>(diffsByTime().values());
    }

    /** The diffs of each append, by the append's time. */
    SortedMap<Long, List<Long>> diffsByTime() {
        SortedMap<Long, List<Long>> appends = new TreeMap<>();
        read((reader, upper) -> {
            Listen listen = reader.listen(reader.since().element().orElseThrow());
            while (listen.frontier().lessThan(upper)) {
                Consolidator updates = listen.next(TIMEOUT).updates();
                while (updates.next()) {
                    appends.computeIfAbsent(updates.time(), t -> new ArrayList<>()).add(updates.diff());
                }
            }
        });
        return appends;
    }

    /** The time of the latest commit: a snapshot as of it holds everything committed. */
    long latestTime() {
        long[] latest = {-1};
        read((reader, upper) -> latest[0] = upper.element().orElseThrow() - 1);
        return latest[0];
    }

    private Row row(Consolidator update) {
        Row keyRow = key.decode(update.key());
        return value == null ? keyRow : Row.join(keyRow, value.decode(update.value()));
    }

    private interface Reading {
        void read(ReadHandle reader, Frontier upper);
    }

    private void read(Reading reading) {
        Codecs codecs = Codecs.of(key.codec(), value == null ? RowLayout.EMPTY_VALUE_CODEC : value.codec());
        try (PersistClient client = PersistClient.open(location,
                        PersistConfig.builder().hadoopOptions(hadoopOptions).build());
                ReadHandle reader = client.openReader(PersistSinkBuilder.shardIdForName(shardName), codecs)) {
            Frontier upper = reader.fetchRecentUpper();
            if (!upper.equals(Frontier.MINIMUM)) {
                reading.read(reader, upper);
            }
        }
    }
}
