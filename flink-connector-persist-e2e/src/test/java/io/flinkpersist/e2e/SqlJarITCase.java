package io.flinkpersist.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The self-contained sql jar (classifier {@code sql}): what it holds, and that a SQL job runs from it alone.
 * Failsafe runs this after {@code package} with the library and all it bundles left off the classpath, so
 * Flink plus the jar is all there is, as in a Flink distribution with the jar in {@code lib/} or added with
 * {@code ADD JAR}.
 */
class SqlJarITCase {
    private static final Path SQL_JAR = Path.of(System.getProperty("sqlJar"));

    /** Class packages the jar may hold; docs/sql.md (Dependencies) says why each is not relocated. */
    private static final List<String> ALLOWED_CLASS_PREFIXES = List.of(
            "io/flinkpersist/",
            "org/apache/hadoop/",
            "software/amazon/",
            "org/reactivestreams/",
            "org/sqlite/",
            "org/xerial/snappy/",
            "com/github/luben/zstd/",
            "org/wildfly/openssl/",
            "org/apache/commons/logging/",
            "javax/annotation/");

    @Test
    void registersTheTableFactory() throws IOException {
        assertThat(entry("META-INF/services/org.apache.flink.table.factories.Factory").lines())
                .contains("io.flinkpersist.flink.table.PersistDynamicTableFactory");
        assertThat(entry("META-INF/services/java.sql.Driver").lines())
                .contains("io.flinkpersist.shaded.org.postgresql.Driver", "org.sqlite.JDBC");
    }

    @Test
    void holdsNoClassOutsideItsOwnAndTheUnrelocatedPackages() throws IOException {
        List<String> classes = classEntries();

        assertThat(classes).hasSizeGreaterThan(1000).allSatisfy(name ->
                assertThat(ALLOWED_CLASS_PREFIXES).anySatisfy(prefix -> assertThat(name).startsWith(prefix)));
        assertThat(classes).filteredOn(name -> name.startsWith("io/flinkpersist/")).allSatisfy(name ->
                assertThat(name).matches("io/flinkpersist/(persist|flink|shaded)/.*"));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"com/google/protobuf/", "org/apache/parquet/", "shaded/parquet/", "com/zaxxer/",
            "org/postgresql/", "io/netty/", "org/apache/http/", "org/apache/flink/", "org/slf4j/"})
    void relocatesOrLeavesOut(String prefix) throws IOException {
        assertThat(classEntries()).noneMatch(name -> name.startsWith(prefix));
    }

    /** Else a class missing from the jar could be loaded from the test's own classpath. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"io.flinkpersist.flink.table.PersistDynamicTableFactory",
            "com.google.protobuf.Message", "org.apache.parquet.hadoop.ParquetWriter", "org.apache.hadoop.fs.FileSystem",
            "com.zaxxer.hikari.HikariDataSource", "org.sqlite.JDBC", "org.postgresql.Driver"})
    void theClasspathHasNothingTheJarBundles(String className) {
        assertThatThrownBy(() -> Class.forName(className)).isInstanceOf(ClassNotFoundException.class);
    }

    /**
     * Two INSERT jobs (each its own user class loader) from the jar added with ADD JAR: parts go to a local
     * directory through Hadoop and Parquet, the commits to SQLite through HikariCP and protobuf.
     */
    @Test
    void insertJobsRunFromTheJarAlone(@TempDir Path dir) throws Exception {
        TableEnvironment tableEnv = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        tableEnv.getConfig().set("execution.checkpointing.interval", "100 ms");
        tableEnv.getConfig().set("parallelism.default", "1");
        tableEnv.executeSql("ADD JAR '" + SQL_JAR.toAbsolutePath() + "'");
        tableEnv.executeSql("CREATE TABLE words (word STRING) WITH ('connector' = 'persist', "
                + "'blob.uri' = '" + dir.resolve("blob").toUri() + "', "
                + "'consensus.uri' = 'sqlite://" + dir.resolve("consensus.db").toAbsolutePath() + "', "
                + "'shard' = 'words', 'format' = 'json', 'sink.inline-threshold' = '0')");

        tableEnv.executeSql("INSERT INTO words VALUES ('persist'), ('flink')").await();
        tableEnv.executeSql("INSERT INTO words VALUES ('sql')").await();

        try (Stream<Path> files = Files.walk(dir.resolve("blob"))) {
            assertThat(files.filter(Files::isRegularFile)).hasSizeGreaterThanOrEqualTo(2);
        }
        assertThat(dir.resolve("consensus.db")).isNotEmptyFile();
    }

    private static List<String> classEntries() throws IOException {
        try (ZipFile jar = new ZipFile(SQL_JAR.toFile())) {
            return jar.stream().map(ZipEntry::getName)
                    .filter(name -> name.endsWith(".class") && !name.startsWith("META-INF/"))
                    .toList();
        }
    }

    private static String entry(String name) throws IOException {
        try (ZipFile jar = new ZipFile(SQL_JAR.toFile())) {
            ZipEntry entry = jar.getEntry(name);
            assertThat(entry).as("%s in %s", name, SQL_JAR).isNotNull();
            try (InputStream in = jar.getInputStream(entry)) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        }
    }
}
