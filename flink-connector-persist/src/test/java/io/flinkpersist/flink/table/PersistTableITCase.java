package io.flinkpersist.flink.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flinkpersist.flink.sink.PersistSinkBuilder;
import io.flinkpersist.flink.sink.testutils.OwnMiniCluster;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.StatementSet;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.types.DataType;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** INSERTs into 'persist' tables on a MiniCluster; the shard, read back and decoded, holds the inserted rows. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PersistTableITCase {
    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2)
                    .build());

    private static final DataType ORDER = DataTypes.ROW(
            DataTypes.FIELD("id", DataTypes.BIGINT()),
            DataTypes.FIELD("customer", DataTypes.STRING()),
            DataTypes.FIELD("amount", DataTypes.DECIMAL(10, 2)),
            DataTypes.FIELD("paid", DataTypes.BOOLEAN()));
    private static final String ORDER_COLUMNS = "id BIGINT, customer STRING, amount DECIMAL(10, 2), paid BOOLEAN";
    private static final String ORDERS = "(VALUES (CAST(1 AS BIGINT), 'alice', CAST(12.50 AS DECIMAL(10, 2)), TRUE),"
            + " (2, 'bob', 7.00, FALSE), (3, CAST(NULL AS STRING), 3.25, TRUE), (1, 'alice', 12.50, TRUE))";

    @TempDir
    Path dir;

    private TableEnvironment tableEnv;

    @BeforeEach
    void streamingWithCheckpoints() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        env.enableCheckpointing(100);
        tableEnv = StreamTableEnvironment.create(env);
    }

    /** The whole row is the key (persist's table convention), the value empty; equal rows add up. */
    @ParameterizedTest(name = "format {0}")
    @ValueSource(strings = {"json", "csv", "avro"})
    void insertedRowsAreTheShardsSnapshotInEachFormat(String format) throws Exception {
        // Without a null literal CSV writes NULL as an empty string; the format's own options pass through.
        Map<String, String> formatOptions = format.equals("csv") ? Map.of("null-literal", "<null>") : Map.of();
        createTable("orders", ORDER_COLUMNS, "'format' = '" + format + "'" + (formatOptions.isEmpty() ? ""
                : ", 'csv.null-literal' = '<null>'"));
        tableEnv.executeSql("INSERT INTO orders SELECT * FROM " + ORDERS).await();

        assertThat(shard("orders", FormatDecoder.of(format, formatOptions, ORDER), null).snapshot()).isEqualTo(Map.of(
                Row.of(1L, "alice", new BigDecimal("12.50"), true), 2L,
                Row.of(2L, "bob", new BigDecimal("7.00"), false), 1L,
                Row.of(3L, null, new BigDecimal("3.25"), true), 1L));
    }

    @Test
    void theRawFormatWritesASingleColumnAsItIs() throws Exception {
        createTable("words", "word STRING", "'format' = 'raw'");
        tableEnv.executeSql("INSERT INTO words VALUES ('persist'), ('flink'), ('persist')").await();

        DataType word = DataTypes.ROW(DataTypes.FIELD("word", DataTypes.STRING()));
        assertThat(shard("words", FormatDecoder.of("raw", word), null).snapshot())
                .isEqualTo(Map.of(Row.of("persist"), 2L, Row.of("flink"), 1L));
    }

    /** key.fields: the key columns in one format, the other columns in another, each decoded by its own. */
    @Test
    void keyFieldsSplitTheRowIntoAKeyAndAValueInTheirOwnFormats() throws Exception {
        createTable("orders_by_customer", ORDER_COLUMNS,
                "'key.fields' = 'customer;id', 'key.format' = 'json', 'value.format' = 'avro'");
        tableEnv.executeSql("INSERT INTO orders_by_customer SELECT * FROM " + ORDERS).await();

        FormatDecoder key = FormatDecoder.of("json", DataTypes.ROW(
                DataTypes.FIELD("customer", DataTypes.STRING()), DataTypes.FIELD("id", DataTypes.BIGINT())));
        FormatDecoder value = FormatDecoder.of("avro", DataTypes.ROW(
                DataTypes.FIELD("amount", DataTypes.DECIMAL(10, 2)), DataTypes.FIELD("paid", DataTypes.BOOLEAN())));
        assertThat(shard("orders_by_customer", key, value).snapshot()).isEqualTo(Map.of(
                Row.of("alice", 1L, new BigDecimal("12.50"), true), 2L,
                Row.of("bob", 2L, new BigDecimal("7.00"), false), 1L,
                Row.of(null, 3L, new BigDecimal("3.25"), true), 1L));
    }

    @Test
    void valueFieldsIncludeAllRepeatsTheKeyColumnsInTheValue() throws Exception {
        createTable("orders_all", ORDER_COLUMNS,
                "'key.fields' = 'id', 'key.format' = 'raw', 'value.format' = 'json', 'value.fields-include' = 'ALL'");
        tableEnv.executeSql("INSERT INTO orders_all SELECT * FROM " + ORDERS).await();

        FormatDecoder key = FormatDecoder.of("raw", DataTypes.ROW(DataTypes.FIELD("id", DataTypes.BIGINT())));
        assertThat(shard("orders_all", key, FormatDecoder.of("json", ORDER)).snapshot()).isEqualTo(Map.of(
                Row.of(1L, 1L, "alice", new BigDecimal("12.50"), true), 2L,
                Row.of(2L, 2L, "bob", new BigDecimal("7.00"), false), 1L,
                Row.of(3L, 3L, null, new BigDecimal("3.25"), true), 1L));
    }

    /** A BATCH job has no checkpoints: the sink commits everything once at the end. */
    @Test
    void aBatchInsertLandsAsOneAppend() throws Exception {
        tableEnv = TableEnvironment.create(EnvironmentSettings.inBatchMode());
        createTable("batch_orders", ORDER_COLUMNS, "'format' = 'json'");
        tableEnv.executeSql("INSERT INTO batch_orders SELECT * FROM " + ORDERS).await();

        TableShard shard = shard("batch_orders", FormatDecoder.of("json", ORDER), null);
        assertThat(shard.snapshot().values()).containsExactlyInAnyOrder(2L, 1L, 1L);
        assertThat(shard.appendedDiffs()).hasSize(1);
    }

    /**
     * Two INSERTs into one table in one job become one sink (the planner reuses identical sinks). Two tables
     * on one shard are two sinks, which would share commit markers unless their sink ids differ: with the
     * same id the job does not start (the id is the sink's uid); with their own ids both land.
     */
    @Test
    void insertsIntoOneShardInOneJobLandOnceEachAndSinkIdsKeepSinksApart() throws Exception {
        createTable("words", "word STRING", "'format' = 'raw'");
        tableEnv.executeSql("CREATE TABLE same_shard WITH ('shard' = 'words') LIKE words");
        tableEnv.createStatementSet()
                .addInsertSql("INSERT INTO words VALUES ('a')")
                .addInsertSql("INSERT INTO words VALUES ('a'), ('b')")
                .execute().await();

        StatementSet twoSinksOneId = tableEnv.createStatementSet()
                .addInsertSql("INSERT INTO words VALUES ('c')")
                .addInsertSql("INSERT INTO same_shard VALUES ('c')");
        assertThatThrownBy(() -> twoSinksOneId.execute().await()).hasStackTraceContaining(
                "Hash collision on user-specified ID \"persist-sink:" + PersistSinkBuilder.shardIdForName("words"));

        tableEnv.createStatementSet()
                .addInsertSql("INSERT INTO words /*+ OPTIONS('sink.id' = 'first') */ VALUES ('c')")
                .addInsertSql("INSERT INTO same_shard /*+ OPTIONS('sink.id' = 'second') */ VALUES ('c')")
                .execute().await();
        DataType word = DataTypes.ROW(DataTypes.FIELD("word", DataTypes.STRING()));
        assertThat(shard("words", FormatDecoder.of("raw", word), null).snapshot())
                .isEqualTo(Map.of(Row.of("a"), 2L, Row.of("b"), 1L, Row.of("c"), 2L));
    }

    /**
     * Two INSERT jobs in turn under one fixed job id, each in a cluster of its own (application mode with HA, a
     * Kubernetes stateless upgrade): the second job's commits are its own, not replays of the first's.
     */
    @Test
    void twoInsertJobsInTurnUnderOneFixedJobIdBothLand() throws Exception {
        JobID fixed = JobID.generate();
        for (String words : List.of("('a'), ('b')", "('c'), ('d')")) {
            try (OwnMiniCluster cluster = new OwnMiniCluster(new Configuration(), 2, 2)) {
                StreamExecutionEnvironment env = cluster.env(OwnMiniCluster.fixedJobId(new Configuration(), fixed));
                env.enableCheckpointing(100);
                tableEnv = StreamTableEnvironment.create(env);
                createTable("words", "word STRING", "'format' = 'raw'");
                TableResult result = tableEnv.executeSql("INSERT INTO words VALUES " + words);
                assertThat(result.getJobClient().orElseThrow().getJobID()).isEqualTo(fixed);
                result.await();
            }
        }

        DataType word = DataTypes.ROW(DataTypes.FIELD("word", DataTypes.STRING()));
        assertThat(shard("words", FormatDecoder.of("raw", word), null).snapshot()).isEqualTo(
                Map.of(Row.of("a"), 1L, Row.of("b"), 1L, Row.of("c"), 1L, Row.of("d"), 1L));
    }

    private void createTable(String name, String columns, String layout) {
        tableEnv.executeSql("CREATE TABLE " + name + " (" + columns + ") WITH ('connector' = 'persist', "
                + "'blob.uri' = '" + blobUri() + "', 'consensus.uri' = '" + consensusUri() + "', "
                + "'shard' = '" + name + "', " + layout + ")");
    }

    private TableShard shard(String name, FormatDecoder key, FormatDecoder value) {
        return new TableShard(blobUri(), consensusUri(), Map.of(), name, key, value);
    }

    private String blobUri() {
        return dir.resolve("blob").toUri().toString();
    }

    private String consensusUri() {
        return "sqlite://" + dir.resolve("consensus.db").toAbsolutePath();
    }
}
