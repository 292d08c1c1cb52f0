package io.flinkpersist.flink.table;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkpersist.persist.testutils.EmbeddedPostgresServer;
import io.flinkpersist.persist.testutils.S3ProxyServer;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.types.DataType;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The statements of docs/sql.md's sql blocks run as they are written; only location placeholders are
 * replaced: the local directory {@code /var/lib/persist} by a temporary one, and in the S3 example the
 * bucket, endpoint, keys, PostgreSQL host and password by those of the test's own S3 and PostgreSQL servers.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class SqlDocsITCase {
    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2)
                    .build());

    private static final DataType ORDER = DataTypes.ROW(DataTypes.FIELD("order_id", DataTypes.BIGINT()),
            DataTypes.FIELD("customer", DataTypes.STRING()), DataTypes.FIELD("amount", DataTypes.DECIMAL(10, 2)));
    private static final Map<Row, Long> ORDERS = Map.of(
            Row.of(1L, "alice", new BigDecimal("12.50")), 1L,
            Row.of(2L, "bob", new BigDecimal("7.00")), 1L,
            Row.of(3L, "alice", new BigDecimal("3.25")), 1L);

    private static final Pattern SET = Pattern.compile("SET '([^']+)' = '([^']*)'");

    @TempDir
    Path dir;

    @Test
    void theEmbeddedExamplesRunVerbatim() throws Exception {
        List<List<String>> blocks = SqlDocs.sqlBlocks().stream()
                .filter(block -> block.stream().noneMatch(s -> s.contains("s3a://"))).toList();
        assertThat(blocks).hasSize(3);
        String local = dir.toAbsolutePath().toString();
        run(blocks.stream().flatMap(List::stream).map(s -> s.replace("/var/lib/persist", local)).toList());

        String blobUri = "file://" + local + "/blob";
        String consensusUri = "sqlite://" + local + "/consensus.db";
        assertThat(new TableShard(blobUri, consensusUri, Map.of(), "orders", FormatDecoder.of("json", ORDER), null)
                .snapshot()).isEqualTo(ORDERS);
        FormatDecoder customer = FormatDecoder.of("json", DataTypes.ROW(
                DataTypes.FIELD("customer", DataTypes.STRING())));
        FormatDecoder revenue = FormatDecoder.of("json", DataTypes.ROW(
                DataTypes.FIELD("revenue", DataTypes.DECIMAL(10, 2))));
        assertThat(new TableShard(blobUri, consensusUri, Map.of(), "revenue-by-customer", customer, revenue)
                .snapshot()).isEqualTo(Map.of(
                        Row.of("alice", new BigDecimal("15.75")), 1L,
                        Row.of("bob", new BigDecimal("7.00")), 1L));
    }

    @Test
    void theS3AndPostgresExampleRunsVerbatim() throws Exception {
        List<List<String>> blocks = SqlDocs.sqlBlocks().stream()
                .filter(block -> block.stream().anyMatch(s -> s.contains("s3a://"))).toList();
        assertThat(blocks).hasSize(1);
        S3ProxyServer s3 = S3ProxyServer.shared();
        String bucket = s3.createBucket();
        EmbeddedPostgresServer postgres = EmbeddedPostgresServer.shared();
        String database = postgres.createDatabase().replaceAll(".*/([^/?]+).*", "$1");
        String hostAndDatabase = "localhost:" + postgres.port() + "/" + database;
        run(blocks.get(0).stream().map(s -> s
                .replace("my-bucket", bucket)
                .replace("http://s3.example.com:9000", s3.endpoint())
                .replace("<access key>", S3ProxyServer.ACCESS_KEY)
                .replace("<secret key>", S3ProxyServer.SECRET_KEY)
                .replace("flink@db.example.com:5432/persist", EmbeddedPostgresServer.USER + "@" + hostAndDatabase)
                // The test server trusts local connections: any password does.
                .replace("<password>", "unused")).toList());

        TableShard shard = new TableShard("s3a://" + bucket + "/persist",
                "postgres://" + EmbeddedPostgresServer.USER + "@" + hostAndDatabase, s3.s3aOptions(), "orders",
                FormatDecoder.of("avro", ORDER), null);
        assertThat(shard.snapshot()).isEqualTo(ORDERS);
    }

    /** SET is the SQL client's statement, not the TableEnvironment's: it is applied here as the client does. */
    private static void run(List<String> statements) throws Exception {
        TableEnvironment tableEnv = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        for (String statement : statements) {
            Matcher set = SET.matcher(statement);
            if (set.matches()) {
                tableEnv.getConfig().set(set.group(1), set.group(2));
            } else if (statement.startsWith("INSERT")) {
                tableEnv.executeSql(statement).await();
            } else if (statement.startsWith("SELECT")) {
                // The examples' queries read snapshots: bounded, they end, and they find the rows inserted above.
                try (CloseableIterator<Row> rows = tableEnv.executeSql(statement).collect()) {
                    assertThat(rows.hasNext()).as(statement).isTrue();
                    rows.forEachRemaining(row -> { });
                }
            } else {
                tableEnv.executeSql(statement);
            }
        }
    }
}
