package io.flinkpersist.flink.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.flinkpersist.flink.sink.PersistRecord;
import io.flinkpersist.flink.sink.PersistSink;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.Schema;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.types.RowKind;
import org.apache.flink.util.ExceptionUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The queries of {@link PersistTableSourceJobsTestBase} on the embedded defaults (local files and SQLite), and what
 * does not depend on the stores: every key/value layout reads back as written, and what a query cannot show
 * faithfully fails it instead of being dropped.
 */
class PersistTableSourceITCase extends PersistTableSourceJobsTestBase {
    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = miniCluster();

    private static final List<Row> ORDERS = List.of(
            Row.of(1L, "alice", new BigDecimal("12.50"), true),
            Row.of(2L, "bob", new BigDecimal("7.00"), false),
            Row.of(3L, null, new BigDecimal("3.25"), true),
            Row.of(1L, "alice", new BigDecimal("12.50"), true));

    @Override
    protected String blobUri() {
        return dir.resolve("blob").toUri().toString();
    }

    @Override
    protected String consensusUri() {
        return "sqlite://" + dir.resolve("consensus.db").toAbsolutePath();
    }

    @Override
    protected Map<String, String> hadoopOptions() {
        return Map.of();
    }

    /** A failing query fails its job at once instead of restarting (with checkpointing, Flink restarts forever). */
    private void failJobsAtTheirFirstError() {
        env.configure(new Configuration().set(RestartStrategyOptions.RESTART_STRATEGY, "none"));
        tableEnv.getConfig().set(RestartStrategyOptions.RESTART_STRATEGY, "none");
    }

    /**
     * Each layout the sink writes reads back as the rows inserted, a row inserted twice twice, NULLs kept, and so
     * does every projection of them, which the source pushes into its decoders.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "'format' = 'json'",
            // csv writes a NULL as an empty field unless told how to tell them apart (docs/sql.md, formats).
            "'format' = 'csv', 'csv.null-literal' = '<null>'",
            "'key.fields' = 'customer;id', 'key.format' = 'json', 'value.format' = 'csv'",
            "'key.fields' = 'id', 'key.format' = 'csv', 'value.format' = 'json', 'value.fields-include' = 'ALL'"})
    void everyLayoutReadsBackAsTheRowsInserted(String layout) throws Exception {
        createTable("orders", ORDER_COLUMNS, layout);
        tableEnv.executeSql("INSERT INTO orders VALUES (CAST(1 AS BIGINT), 'alice', CAST(12.50 AS DECIMAL(10, 2)), "
                + "TRUE), (2, 'bob', 7.00, FALSE), (3, CAST(NULL AS STRING), 3.25, TRUE), (1, 'alice', 12.50, TRUE)")
                .await();

        assertThat(counts(readAll("SELECT * FROM orders"))).isEqualTo(counts(ORDERS));
        assertThat(counts(readAll("SELECT customer, amount FROM orders WHERE paid"))).isEqualTo(Map.of(
                Row.of("alice", new BigDecimal("12.50")), 2L, Row.of(null, new BigDecimal("3.25")), 1L));
        // Projections the source applies itself: columns reordered across key and value, one side only, none.
        assertThat(tableEnv.explainSql("SELECT amount, id FROM orders")).contains("project=[amount, id]");
        assertThat(counts(readAll("SELECT amount, id FROM orders"))).isEqualTo(Map.of(
                Row.of(new BigDecimal("12.50"), 1L), 2L, Row.of(new BigDecimal("7.00"), 2L), 1L,
                Row.of(new BigDecimal("3.25"), 3L), 1L));
        assertThat(counts(readAll("SELECT id FROM orders"))).isEqualTo(Map.of(Row.of(1L), 2L, Row.of(2L), 1L,
                Row.of(3L), 1L));
        assertThat(counts(readAll("SELECT COUNT(*) FROM orders"))).isEqualTo(Map.of(Row.of(4L), 1L));
    }

    /**
     * A row retracted without ever being added is held -1 times: a snapshot, whose rows the planner takes as inserts,
     * fails naming it instead of dropping it; a changelog shows it as the -D it is.
     */
    @Test
    void aRowHeldFewerThanZeroTimesFailsASnapshotAndIsADeleteInAChangelog() throws Exception {
        failJobsAtTheirFirstError();
        DataStream<Row> retraction = env.fromData(Types.ROW_NAMED(new String[] {"item"}, Types.STRING),
                Row.ofKind(RowKind.DELETE, "ghost"));
        tableEnv.createTemporaryView("retraction", tableEnv.fromChangelogStream(retraction,
                Schema.newBuilder().column("item", DataTypes.STRING()).build(), ChangelogMode.all()));
        createTable("items", "item STRING", "'format' = 'json'");
        tableEnv.executeSql("INSERT INTO items SELECT item FROM retraction").await();

        Throwable failure = catchThrowable(() -> readAll("SELECT * FROM items"));
        assertThat(ExceptionUtils.stringifyException(failure)).contains("-1 times",
                "more of it was retracted than was ever added", "'scan.mode' = 'changelog'");
        Row delete = Row.ofKind(RowKind.DELETE, "ghost");
        assertThat(readSome(1, "SELECT * FROM items /*+ OPTIONS('scan.mode' = 'changelog') */"))
                .containsExactly(delete);
    }

    /** A format told to skip what it cannot parse would drop updates without a trace: the query fails instead. */
    @Test
    void aFormatThatDecodesAnUpdateAsNoRowFailsTheQuery() throws Exception {
        failJobsAtTheirFirstError();
        env.fromData("{\"item\": \"pear\"}", "not json").sinkTo(PersistSink.<String>builder()
                .blobUri(blobUri()).consensusUri(consensusUri()).shardName("items")
                .keyCodec("json").valueCodec(RowLayout.EMPTY_VALUE_CODEC)
                .serializer(item -> new PersistRecord(item.getBytes(StandardCharsets.UTF_8), new byte[0], 1))
                .build());
        env.execute("write-items");
        createTable("items", "item STRING", "'format' = 'json', 'json.ignore-parse-errors' = 'true'");

        Throwable failure = catchThrowable(() -> readAll("SELECT * FROM items"));
        assertThat(ExceptionUtils.stringifyException(failure)).contains("decoded the key", "as no row",
                "never skips an update");
    }
}
