package io.flinkpersist.flink.table;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkpersist.flink.sink.testutils.LeftoverJobs;
import io.flinkpersist.flink.testutils.CollectDeadline;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.types.DataType;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.types.RowKind;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SQL queries read 'persist' tables that SQL wrote, on a MiniCluster: snapshots at every commit's time, the
 * changelog of an aggregate, the changes after a time. Each subclass names the location and registers its own
 * MiniCluster.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
abstract class PersistTableSourceJobsTestBase {
    private static final int CLICKS = 2000;
    private static final int CLICKS_PER_CHECKPOINT = 400;
    private static final int BUCKETS = 7;
    static final String ORDER_COLUMNS = "id BIGINT, customer STRING, amount DECIMAL(10, 2), paid BOOLEAN";
    static final DataType ORDER = DataTypes.ROW(
            DataTypes.FIELD("id", DataTypes.BIGINT()),
            DataTypes.FIELD("customer", DataTypes.STRING()),
            DataTypes.FIELD("amount", DataTypes.DECIMAL(10, 2)),
            DataTypes.FIELD("paid", DataTypes.BOOLEAN()));

    @TempDir
    Path dir;

    StreamExecutionEnvironment env;
    StreamTableEnvironment tableEnv;

    static MiniClusterExtension miniCluster() {
        return new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
                .setConfiguration(new Configuration()).setNumberTaskManagers(1).setNumberSlotsPerTaskManager(4)
                .build());
    }

    protected abstract String blobUri();

    protected abstract String consensusUri();

    protected abstract Map<String, String> hadoopOptions();

    @BeforeEach
    void streamingWithCheckpoints() {
        env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        env.enableCheckpointing(100);
        tableEnv = StreamTableEnvironment.create(env);
    }

    @AfterEach
    void cancelJobsLeftRunning(@InjectMiniCluster MiniCluster cluster) throws Exception {
        LeftoverJobs.cancel(cluster);
    }

    /**
     * An aggregate over a changing input, written by {@code INSERT … GROUP BY} over several commits: a snapshot
     * scan reads its final result, and a changelog scan from its first commit reads every change the shard holds
     * after it once (each added row as +I, each retracted row as -D), which consolidates to the same result.
     */
    @Test
    void anAggregateReadsBackAsItsResultAndAsAChangelogThatConsolidatesToIt() throws Exception {
        DataStream<Long> clicks = env.fromSource(new DataGeneratorSource<>(n -> n + 1, CLICKS,
                        RateLimiterStrategy.perCheckpoint(CLICKS_PER_CHECKPOINT), Types.LONG),
                WatermarkStrategy.noWatermarks(), "clicks");
        tableEnv.createTemporaryView("clicks", tableEnv.fromDataStream(clicks).as("n"));
        createTable("clicks_by_bucket", "bucket BIGINT, clicks BIGINT, total BIGINT", "'format' = 'json'");
        tableEnv.executeSql("INSERT INTO clicks_by_bucket SELECT n % " + BUCKETS + ", COUNT(*), SUM(n) FROM clicks "
                + "GROUP BY n % " + BUCKETS).await();
        Map<Row, Long> expected = new HashMap<>();
        for (long bucket = 0; bucket < BUCKETS; bucket++) {
            final long b = bucket;
            List<Long> inBucket = LongStream.rangeClosed(1, CLICKS).filter(n -> n % BUCKETS == b)
                    .boxed().toList();
            expected.put(Row.of(bucket, (long) inBucket.size(), inBucket.stream().mapToLong(Long::longValue).sum()),
                    1L);
        }

        List<Row> snapshot = readAll("SELECT * FROM clicks_by_bucket");
        assertThat(snapshot).extracting(Row::getKind).containsOnly(RowKind.INSERT);
        assertThat(counts(snapshot)).isEqualTo(expected);
        assertThat(counts(readAll("SELECT SUM(clicks), SUM(total) FROM clicks_by_bucket")))
                .isEqualTo(Map.of(Row.of((long) CLICKS, (long) CLICKS * (CLICKS + 1) / 2), 1L));

        SortedMap<Long, List<Long>> diffsByTime = shard("clicks_by_bucket", DataTypes.ROW(
                DataTypes.FIELD("bucket", DataTypes.BIGINT()), DataTypes.FIELD("clicks", DataTypes.BIGINT()),
                DataTypes.FIELD("total", DataTypes.BIGINT()))).diffsByTime();
        assertThat(diffsByTime).as("commits of the aggregate").hasSizeGreaterThan(2);
        long first = diffsByTime.firstKey();
        List<Long> diffs = diffsByTime.values().stream().flatMap(List::stream).toList();
        long added = diffs.stream().filter(d -> d > 0).mapToLong(Long::longValue).sum();
        long retracted = -diffs.stream().filter(d -> d < 0).mapToLong(Long::longValue).sum();
        assertThat(retracted).as("retractions after the first commit").isPositive();
        assertThat(diffsByTime.get(first)).as("the first commit only adds").allMatch(d -> d > 0);

        List<Row> changelog = readSome(added + retracted, "SELECT * FROM clicks_by_bucket /*+ OPTIONS("
                + "'scan.mode' = 'changelog', 'scan.as-of' = '" + first + "') */");
        assertThat(changelog.stream().filter(r -> r.getKind() == RowKind.INSERT).count()).isEqualTo(added);
        assertThat(changelog.stream().filter(r -> r.getKind() == RowKind.DELETE).count()).isEqualTo(retracted);
        assertThat(counts(changelog)).isEqualTo(expected);
    }

    /**
     * Three INSERTs, one after the other: a snapshot as of each one's commit time holds exactly the rows inserted
     * up to it (a row inserted twice, twice), in STREAMING and in BATCH mode; 'from-timestamp' after the first
     * reads exactly the rows of the second and third, and then a row inserted while it runs.
     */
    @Test
    void aSnapshotAsOfACommitsTimeHoldsExactlyItsRowsAndTheChangesAfterItFollow() throws Exception {
        createTable("orders", ORDER_COLUMNS, "'format' = 'json'");
        List<List<Row>> inserts = List.of(
                List.of(Row.of(1L, "alice", new BigDecimal("12.50"), true),
                        Row.of(2L, "bob", new BigDecimal("7.00"), false)),
                List.of(Row.of(3L, null, new BigDecimal("3.25"), true),
                        Row.of(1L, "alice", new BigDecimal("12.50"), true)),
                List.of(Row.of(4L, "carol", new BigDecimal("100.00"), false)));
        List<Long> times = new ArrayList<>();
        for (List<Row> rows : inserts) {
            tableEnv.executeSql("INSERT INTO orders VALUES " + rows.stream().map(PersistTableSourceJobsTestBase::sql)
                    .collect(Collectors.joining(", "))).await();
            times.add(shard("orders", ORDER).latestTime());
        }
        assertThat(times).doesNotHaveDuplicates().isSorted();

        TableEnvironment batch = TableEnvironment.create(EnvironmentSettings.inBatchMode());
        batch.executeSql(createTableStatement("orders", ORDER_COLUMNS, "'format' = 'json'"));
        for (int i = 0; i < inserts.size(); i++) {
            Map<Row, Long> upToIt = counts(inserts.subList(0, i + 1).stream().flatMap(List::stream).toList());
            String asOf = "SELECT * FROM orders /*+ OPTIONS('scan.as-of' = '" + times.get(i) + "') */";
            assertThat(counts(readAll(asOf))).as("as of commit %d", i + 1).isEqualTo(upToIt);
            assertThat(counts(readAll(batch, asOf))).as("as of commit %d, batch", i + 1).isEqualTo(upToIt);
        }

        Row later = Row.of(5L, "dave", new BigDecimal("1.00"), true);
        // One reader of one key range reads in commit order: the row inserted later comes after every other.
        tableEnv.getConfig().set("table.exec.resource.default-parallelism", "1");
        try (CloseableIterator<Row> changes = tableEnv.executeSql("SELECT * FROM orders /*+ OPTIONS("
                + "'scan.mode' = 'from-timestamp', 'scan.as-of' = '" + times.get(0) + "', 'scan.key-ranges' = '1') */")
                .collect()) {
            List<Row> read = new ArrayList<>();
            CollectDeadline deadline = CollectDeadline.in(90);
            for (int i = 0; i < 3; i++) {
                read.add(deadline.next(changes, () -> "rows read " + read));
            }
            tableEnv.executeSql("INSERT INTO orders VALUES " + sql(later)).await();
            read.add(deadline.next(changes, () -> "rows read " + read));
            assertThat(read).containsExactlyInAnyOrder(Row.of(3L, null, new BigDecimal("3.25"), true),
                    Row.of(1L, "alice", new BigDecimal("12.50"), true),
                    Row.of(4L, "carol", new BigDecimal("100.00"), false), later);
            assertThat(read.get(3)).isEqualTo(later);
        }
    }

    void createTable(String name, String columns, String options) {
        tableEnv.executeSql(createTableStatement(name, columns, options));
    }

    String createTableStatement(String name, String columns, String options) {
        StringBuilder with = new StringBuilder("'connector' = 'persist', 'blob.uri' = '" + blobUri()
                + "', 'consensus.uri' = '" + consensusUri() + "', 'shard' = '" + name + "'");
        hadoopOptions().forEach((key, value) -> with.append(", 'hadoop.").append(key).append("' = '").append(value)
                .append("'"));
        return "CREATE TABLE " + name + " (" + columns + ") WITH (" + with + ", " + options + ")";
    }

    /** The shard of a table whose whole row is the key, in JSON. */
    TableShard shard(String name, DataType row) {
        return new TableShard(blobUri(), consensusUri(), hadoopOptions(), name, FormatDecoder.of("json", row), null);
    }

    /** Every row of a bounded query. */
    List<Row> readAll(String query) throws Exception {
        return readAll(tableEnv, query);
    }

    static List<Row> readAll(TableEnvironment tableEnv, String query) throws Exception {
        List<Row> rows = new ArrayList<>();
        try (CloseableIterator<Row> it = tableEnv.executeSql(query).collect()) {
            CollectDeadline deadline = CollectDeadline.in(90);
            while (deadline.hasNext(it, () -> "rows read " + rows.size() + " for " + query)) {
                rows.add(it.next());
            }
        }
        return rows;
    }

    /** The first {@code count} rows of an unbounded query; the job is cancelled then. */
    List<Row> readSome(long count, String query) throws Exception {
        List<Row> rows = new ArrayList<>();
        try (CloseableIterator<Row> it = tableEnv.executeSql(query).collect()) {
            CollectDeadline deadline = CollectDeadline.in(90);
            while (rows.size() < count) {
                rows.add(deadline.next(it, () -> "rows read " + rows.size() + " of " + count + " for " + query));
            }
        }
        return rows;
    }

    /** Each row's count: +I and +U add one, -D and -U take one away; rows that net out are left out. */
    static Map<Row, Long> counts(List<Row> rows) {
        Map<Row, Long> counts = new HashMap<>();
        for (Row row : rows) {
            Row plain = Row.copy(row);
            plain.setKind(RowKind.INSERT);
            boolean removal = row.getKind() == RowKind.DELETE || row.getKind() == RowKind.UPDATE_BEFORE;
            counts.merge(plain, removal ? -1L : 1L, Long::sum);
        }
        counts.values().removeIf(c -> c == 0);
        return counts;
    }

    private static String sql(Row order) {
        return "(CAST(" + order.getField(0) + " AS BIGINT), "
                + (order.getField(1) == null ? "CAST(NULL AS STRING)" : "'" + order.getField(1) + "'")
                + ", CAST(" + order.getField(2) + " AS DECIMAL(10, 2)), " + order.getField(3) + ")";
    }
}
