package io.flinkpersist.flink.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.ExplainDetail;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.util.ExceptionUtils;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each bad table definition fails when an INSERT into it or a SELECT from it is planned, with a message that names
 * the option and says what it allows; credentials never appear in errors or plans. No job runs: nothing is opened.
 */
class PersistTableValidationTest {
    private static final String PASSWORD = "consensus-password-never-shown";
    private static final String SECRET_KEY = "s3-secret-key-never-shown";
    private static final String INSERT = "INSERT INTO t VALUES (1, 'a')";
    private static final String SELECT = "SELECT * FROM t";

    private TableEnvironment tableEnv;

    @BeforeEach
    void planner() {
        tableEnv = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
    }

    static Stream<Arguments> badTables() {
        return Stream.of(
                bad("missing blob.uri", Map.of("blob.uri", ""), "Missing required options", "blob.uri"),
                bad("unknown option", Map.of("blob.url", "file:///tmp/x"), "Unsupported options", "blob.url"),
                bad("unknown format", Map.of("format", "no-such-format"), "'format'", "no-such-format"),
                bad("changelog format", Map.of("format", "debezium-json"), "'format'", "encodes a changelog"),
                bad("no format", Map.of("format", ""), "'format'"),
                bad("mistyped shard id", Map.of("shard", "S6F1C2A3B-0D4E-4F5A-8B6C-7D8E9F0A1B2C"), "'shard'",
                        "lowercase hyphenated UUID"),
                bad("shard id without its prefix", Map.of("shard", "6f1c2a3b-0d4e-4f5a-8b6c-7d8e9f0a1b2c"),
                        "'shard'", "looks like a shard id"),
                bad("shard name too long", Map.of("shard", "x".repeat(257)), "'shard'", "1 to 256 printable"),
                bad("unknown key field", Map.of("format", "", "key.fields", "nope", "key.format", "json",
                        "value.format", "json"), "'key.fields'", "nope", "[id, name]"),
                bad("every column a key field", Map.of("format", "", "key.fields", "id;name", "key.format", "json",
                        "value.format", "json"), "'key.fields'", "every column"),
                bad("key.format without key.fields", Map.of("key.format", "json"), "'key.format'", "key.fields"),
                bad("format with key.fields", Map.of("key.fields", "id", "key.format", "json", "value.format",
                        "json"), "'format'", "key.fields"),
                bad("no value.format", Map.of("format", "", "key.fields", "id", "key.format", "json"),
                        "'value.format'"),
                bad("bad value.fields-include", Map.of("format", "", "key.fields", "id", "key.format", "json",
                        "value.format", "json", "value.fields-include", "SOME"), "value.fields-include", "SOME"),
                bad("blob.uri scheme", Map.of("blob.uri", "no-such-fs://bucket/dir"), "'blob.uri'",
                        "no-such-fs"),
                bad("consensus.uri scheme", Map.of("consensus.uri", "mysql://db/persist"), "'consensus.uri'",
                        "Accepted forms"),
                bad("consensus.password without a postgres URI", Map.of("consensus.password", PASSWORD),
                        "'consensus.password'", "postgres://user@host"),
                bad("sink.part-target-size", Map.of("sink.part-target-size", "0"), "'sink.part-target-size'",
                        "1 to 2147483647"),
                bad("sink.part-target-size not a size", Map.of("sink.part-target-size", "big"),
                        "sink.part-target-size", "big"),
                bad("sink.max-outstanding-parts", Map.of("sink.max-outstanding-parts", "0"),
                        "'sink.max-outstanding-parts'", "at least 1"),
                bad("sink.commit-retries", Map.of("sink.commit-retries", "-1"), "'sink.commit-retries'",
                        "0 or more"),
                bad("sink.id", Map.of("sink.id", " "), "'sink.id'", "printable"),
                bad("sink.page-checksums not a boolean", Map.of("sink.page-checksums", "maybe"), "sink.page-checksums",
                        "maybe"),
                bad("state.rollup-threshold", Map.of("state.rollup-threshold", "0"), "'state.rollup-threshold'",
                        "at least 1 version"),
                bad("compaction.memory-bound", Map.of("compaction.memory-bound", "1 mb", "sink.part-target-size", "1 mb"),
                        "'compaction.memory-bound'", "at least 4 times the part target size"),
                bad("compaction.concurrency", Map.of("compaction.concurrency", "3"),
                        "'compaction.concurrency'", "1 (one merge at a time) or 2"),
                bad("compaction.orphan-grace", Map.of("compaction.orphan-grace", "1 d"), "'compaction.orphan-grace'",
                        "longer than the marker retention"),
                bad("empty hadoop option", Map.of("hadoop.", "x"), "'hadoop.*'", "non-empty keys"));
    }

    static Stream<Arguments> badScans() {
        return Stream.of(
                bad("changelog format", Map.of("format", "debezium-json"), "'format'", "encodes a changelog"),
                bad("mistyped shard id", Map.of("shard", "S6F1C2A3B-0D4E-4F5A-8B6C-7D8E9F0A1B2C"), "'shard'",
                        "lowercase hyphenated UUID"),
                bad("unknown scan.mode", Map.of("scan.mode", "latest"), "scan.mode", "latest"),
                bad("from-timestamp without scan.as-of", Map.of("scan.mode", "from-timestamp"), "'scan.as-of'",
                        "required", "from-timestamp"),
                bad("negative scan.as-of", Map.of("scan.as-of", "-1"), "'scan.as-of'", "0 or more"),
                bad("scan.as-of not a number", Map.of("scan.as-of", "yesterday"), "scan.as-of", "yesterday"),
                bad("scan.reader-lease", Map.of("scan.reader-lease", "10 ms"), "'scan.reader-lease'",
                        "at least 1 second"),
                bad("no scan.key-ranges", Map.of("scan.key-ranges", "0"), "'scan.key-ranges'", "1 to 65536"),
                bad("too many scan.key-ranges", Map.of("scan.key-ranges", "65537"), "'scan.key-ranges'",
                        "1 to 65536"),
                bad("consensus.uri scheme", Map.of("consensus.uri", "mysql://db/persist"), "'consensus.uri'",
                        "Accepted forms"),
                bad("scan.parallelism of a changelog", Map.of("scan.mode", "changelog", "scan.parallelism", "1"),
                        "'scan.parallelism'", "'snapshot' only"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badTables")
    void aBadTableNamesTheOption(String name, Map<String, String> changes, String[] expected) {
        assertThat(errorOf(INSERT, table(changes), "id INT, name STRING")).contains(expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badScans")
    void aBadScanNamesTheOption(String name, Map<String, String> changes, String[] expected) {
        assertThat(errorOf(SELECT, table(changes), "id INT, name STRING")).contains(expected);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {INSERT, SELECT})
    void aPrimaryKeyIsRefusedWithTheReason(String query) {
        assertThat(errorOf(query, table(Map.of()), "id INT NOT NULL, name STRING, PRIMARY KEY (id) NOT ENFORCED"))
                .contains("cannot declare a PRIMARY KEY", "-U rows");
    }

    /**
     * Flink lists a table's options in its errors, masking keys with 'password' or 'secret' in them; the
     * sink's own messages mask the password it put into the consensus URI.
     */
    @Test
    void credentialsAreNotInErrors() {
        String postgresWithSecrets = table(Map.of("consensus.uri", "postgres://flink@db.example/persist",
                "consensus.password", PASSWORD, "hadoop.fs.s3a.secret.key", SECRET_KEY));
        for (String query : List.of(INSERT, SELECT)) {
            String unknownOption = ExceptionUtils.stringifyException(planningError(query,
                    postgresWithSecrets.replace("'shard'", "'shard.name'"), "id INT, name STRING"));
            String badUri = ExceptionUtils.stringifyException(
                    planningError(query, postgresWithSecrets.replace("@db.example", "@"), "id INT, name STRING"));

            assertThat(unknownOption).contains("shard.name").doesNotContain(PASSWORD, SECRET_KEY);
            assertThat(badUri).contains("'consensus.uri'").doesNotContain(PASSWORD, SECRET_KEY);
        }
    }

    @Test
    void credentialsAreNotInPlans() {
        tableEnv.executeSql("CREATE TABLE t (id INT, name STRING) WITH (" + table(Map.of(
                "consensus.uri", "postgres://flink@db.example/persist", "consensus.password", PASSWORD,
                "hadoop.fs.s3a.secret.key", SECRET_KEY)) + ")");

        assertThat(tableEnv.explainSql(INSERT, ExplainDetail.JSON_EXECUTION_PLAN, ExplainDetail.ESTIMATED_COST))
                .contains("Sink").doesNotContain(PASSWORD, SECRET_KEY);
        assertThat(tableEnv.explainSql(SELECT, ExplainDetail.JSON_EXECUTION_PLAN, ExplainDetail.ESTIMATED_COST))
                .contains("Source").doesNotContain(PASSWORD, SECRET_KEY);
    }

    private static Arguments bad(String name, Map<String, String> changes, String... expected) {
        return Arguments.of(name, changes, expected);
    }

    /** A valid table's options with {@code changes}; an empty value removes the option. */
    private static String table(Map<String, String> changes) {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("connector", "persist");
        options.put("blob.uri", "file:///tmp/persist-validation/blob");
        options.put("consensus.uri", "sqlite:///tmp/persist-validation/consensus.db");
        options.put("shard", "validation");
        options.put("format", "json");
        options.putAll(changes);
        options.values().removeIf(String::isEmpty);
        return options.entrySet().stream().map(e -> "'" + e.getKey() + "' = '" + e.getValue() + "'")
                .collect(Collectors.joining(", "));
    }

    /**
     * The messages of the error (and its causes) of planning {@code query}, down to the runtime sink or source,
     * which is when their builders check their options; without Flink's listing of the table's options, which
     * would contain the option names whatever the error said.
     */
    private String errorOf(String query, String options, String columns) {
        StringBuilder messages = new StringBuilder();
        for (Throwable t = planningError(query, options, columns); t != null; t = t.getCause()) {
            String message = String.valueOf(t.getMessage());
            int listing = message.indexOf("Table options are:");
            messages.append(listing < 0 ? message : message.substring(0, listing)).append('\n');
        }
        return messages.toString();
    }

    private Throwable planningError(String query, String options, String columns) {
        tableEnv.executeSql("DROP TABLE IF EXISTS t");
        tableEnv.executeSql("CREATE TABLE t (" + columns + ") WITH (" + options + ")");
        Throwable error = catchThrowable(() -> tableEnv.explainSql(query, ExplainDetail.JSON_EXECUTION_PLAN));
        assertThat(error).as("planning %s on a table with %s", query, options).isNotNull();
        return error;
    }
}
