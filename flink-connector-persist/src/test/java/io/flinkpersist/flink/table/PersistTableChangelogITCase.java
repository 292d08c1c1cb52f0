package io.flinkpersist.flink.table;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.types.DataType;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.types.RowKind;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Updating queries into 'persist' tables: every row kind becomes a diff, so after the job the shard's
 * consolidated snapshot is the query's final result, retractions written in later checkpoints included.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PersistTableChangelogITCase {
    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2)
                    .build());

    private static final int CLICKS = 2000;
    private static final int CLICKS_PER_CHECKPOINT = 400;
    private static final int BUCKETS = 7;

    @TempDir
    Path dir;

    private StreamExecutionEnvironment env;
    private StreamTableEnvironment tableEnv;

    @BeforeEach
    void streamingWithCheckpoints() {
        env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        env.enableCheckpointing(100);
        tableEnv = StreamTableEnvironment.create(env);
    }

    /**
     * The source emits a few hundred clicks per checkpoint, so the aggregate's updates span several commits:
     * later appends retract rows that earlier ones added, and the snapshot is the final aggregate only. With a
     * sink parallelism other than the query's too (the planner would want a primary key for that; see
     * PersistDynamicSink).
     */
    @ParameterizedTest(name = "sink.parallelism {0}")
    @ValueSource(ints = {2, 1})
    void aGroupByOverAChangingInputLeavesItsFinalResult(int sinkParallelism) throws Exception {
        DataStream<Long> clicks = env.fromSource(new DataGeneratorSource<>(n -> n + 1, CLICKS,
                        RateLimiterStrategy.perCheckpoint(CLICKS_PER_CHECKPOINT), Types.LONG),
                WatermarkStrategy.noWatermarks(), "clicks");
        tableEnv.createTemporaryView("clicks", tableEnv.fromDataStream(clicks).as("n"));
        createTable("clicks_by_bucket", "bucket BIGINT, clicks BIGINT, total BIGINT",
                "'format' = 'json', 'sink.parallelism' = '" + sinkParallelism + "'");
        tableEnv.executeSql("INSERT INTO clicks_by_bucket SELECT n % " + BUCKETS + ", COUNT(*), SUM(n) FROM clicks "
                + "GROUP BY n % " + BUCKETS).await();

        Map<Row, Long> expected = new HashMap<>();
        for (long bucket = 0; bucket < BUCKETS; bucket++) {
            long clicksInBucket = 0;
            long total = 0;
            for (long n = 1; n <= CLICKS; n++) {
                if (n % BUCKETS == bucket) {
                    clicksInBucket++;
                    total += n;
                }
            }
            expected.put(Row.of(bucket, clicksInBucket, total), 1L);
        }
        DataType row = DataTypes.ROW(DataTypes.FIELD("bucket", DataTypes.BIGINT()),
                DataTypes.FIELD("clicks", DataTypes.BIGINT()), DataTypes.FIELD("total", DataTypes.BIGINT()));
        TableShard shard = shard("clicks_by_bucket", FormatDecoder.of("json", row));
        assertThat(shard.snapshot()).isEqualTo(expected);
        List<List<Long>> appends = shard.appendedDiffs();
        assertThat(appends).hasSizeGreaterThan(1);
        assertThat(appends.get(appends.size() - 1)).contains(-1L);
    }

    /**
     * An upsert input (updates without their -U, deletes by key): the planner adds a ChangelogNormalize that
     * produces the -U images the sink asks for, and the shard ends with each key's last row.
     */
    @Test
    void anUpsertInputLandsAsEachKeysLastRow() throws Exception {
        DataStream<Row> upserts = env.fromData(Types.ROW_NAMED(
                        new String[] {"item", "stock"}, Types.STRING, Types.INT),
                Row.ofKind(RowKind.INSERT, "apple", 3),
                Row.ofKind(RowKind.UPDATE_AFTER, "pear", 1),
                Row.ofKind(RowKind.UPDATE_AFTER, "apple", 2),
                Row.ofKind(RowKind.INSERT, "plum", 9),
                Row.ofKind(RowKind.DELETE, "pear", 1),
                Row.ofKind(RowKind.UPDATE_AFTER, "apple", 5));
        tableEnv.createTemporaryView("stock_upserts", tableEnv.fromChangelogStream(upserts, Schema.newBuilder()
                .column("item", DataTypes.STRING().notNull()).column("stock", DataTypes.INT())
                .primaryKey("item").build(), ChangelogMode.upsert()));
        createTable("stock", "item STRING, stock INT", "'format' = 'csv'");
        String insert = "INSERT INTO stock SELECT item, stock FROM stock_upserts";

        assertThat(tableEnv.explainSql(insert)).contains("ChangelogNormalize");
        tableEnv.executeSql(insert).await();

        DataType row = DataTypes.ROW(DataTypes.FIELD("item", DataTypes.STRING()),
                DataTypes.FIELD("stock", DataTypes.INT()));
        assertThat(shard("stock", FormatDecoder.of("csv", row)).snapshot())
                .isEqualTo(Map.of(Row.of("apple", 5), 1L, Row.of("plum", 9), 1L));
    }

    private void createTable(String name, String columns, String layout) {
        tableEnv.executeSql("CREATE TABLE " + name + " (" + columns + ") WITH ('connector' = 'persist', "
                + "'blob.uri' = '" + blobUri() + "', 'consensus.uri' = '" + consensusUri() + "', "
                + "'shard' = '" + name + "', " + layout + ")");
    }

    private TableShard shard(String name, FormatDecoder key) {
        return new TableShard(blobUri(), consensusUri(), Map.of(), name, key, null);
    }

    private String blobUri() {
        return dir.resolve("blob").toUri().toString();
    }

    private String consensusUri() {
        return "sqlite://" + dir.resolve("consensus.db").toAbsolutePath();
    }
}
