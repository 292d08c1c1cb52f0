package io.flinkpersist.persist.location;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flinkpersist.persist.blob.Blob;
import io.flinkpersist.persist.external.RetryPolicy;
import java.net.URI;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PersistLocationTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "s3a://bucket/prefix           | s3a://bucket/prefix",
        "s3a://bucket/prefix/          | s3a://bucket/prefix",
        "s3a://bucket                  | s3a://bucket",
        "file:///var/lib/persist       | file:/var/lib/persist",
        "file:///var/lib/persist/      | file:/var/lib/persist",
        "/var/lib/persist              | file:/var/lib/persist",
        "hdfs://namenode:8020/persist  | hdfs://namenode:8020/persist",
    })
    void blobUrisParseToHadoopRoots(String input, String root) {
        assertThat(BlobLocation.parse(input)).isEqualTo(new BlobLocation.HadoopFs(URI.create(root)));
    }

    @Test
    void relativeBlobPathsResolveAgainstTheWorkingDirectory() {
        assertThat(BlobLocation.parse("data/blob"))
                .isEqualTo(new BlobLocation.HadoopFs(Paths.get("data/blob").toAbsolutePath().toUri().resolve("blob")));
        assertThat(BlobLocation.parse("mem://unit-test")).isEqualTo(new BlobLocation.InMemory("unit-test"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "''                           | it is empty",
        "'  s3a://b/p'                | whitespace",
        "s3://bucket/prefix           | use the s3a:// scheme",
        "s3a:///prefix                | needs a bucket",
        "file://var/lib/persist       | write \"file:///var/lib/persist\"",
        "nosuchfs://host/path         | no Hadoop FileSystem is available for scheme \"nosuchfs\"",
        "mem://                       | mem:// needs a name",
        "mem://a/b                    | mem:// needs a name",
        "'s3a://bucket/a b'           | Illegal character",
    })
    void badBlobUrisListTheAcceptedForms(String input, String reason) {
        assertThatThrownBy(() -> BlobLocation.parse(input))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(reason)
                .hasMessageContaining("Accepted forms: s3a://bucket/prefix, file:///absolute/dir");
    }

    @Test
    void blobUriCredentialsAreRejectedWithoutEchoingThem() {
        assertThatThrownBy(() -> BlobLocation.parse("s3a://AKIAXYZ:topsecret@bucket/p"))
                .hasMessageContaining("carries credentials")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("topsecret").doesNotContain("AKIAXYZ"));
    }

    @Test
    void postgresUrisBecomeJdbcUrlsWithCredentialsApart() {
        assertThat(ConsensusLocation.parse("postgres://alice:p%40ss@db.example:5433/persist?sslmode=require"))
                .isEqualTo(new ConsensusLocation.Postgres(
                        "jdbc:postgresql://db.example:5433/persist?sslmode=require", "alice", "p@ss"));
        assertThat(ConsensusLocation.parse("postgresql://bob@localhost/db"))
                .isEqualTo(new ConsensusLocation.Postgres("jdbc:postgresql://localhost/db", "bob", null));
        assertThat(ConsensusLocation.parse("jdbc:postgresql://localhost:5432/db?user=u&password=pw"))
                .isEqualTo(new ConsensusLocation.Postgres("jdbc:postgresql://localhost:5432/db?user=u&password=pw", null, null));
    }

    @Test
    void passwordsNeverShowInToString() {
        PersistLocation location = PersistLocation.parse(
                "s3a://bucket/p", "postgres://alice:hunter2@localhost:5432/db");
        assertThat(location.toString()).contains("alice").contains("localhost").doesNotContain("hunter2");
        assertThat(ConsensusLocation.parse("jdbc:postgresql://h/db?user=u&password=hunter2&ssl=true").toString())
                .doesNotContain("hunter2").contains("password=***&ssl=true");
    }

    @Test
    void sqliteAndMemUris() {
        assertThat(ConsensusLocation.parse("sqlite:///var/lib/persist/consensus.db"))
                .isEqualTo(new ConsensusLocation.Sqlite(Paths.get("/var/lib/persist/consensus.db")));
        assertThat(ConsensusLocation.parse("sqlite:data/consensus.db"))
                .isEqualTo(new ConsensusLocation.Sqlite(Paths.get("data/consensus.db").toAbsolutePath()));
        assertThat(ConsensusLocation.parse("mem://unit")).isEqualTo(new ConsensusLocation.InMemory("unit"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "''                                 | it is empty",
        "mysql://u@h/db                     | unknown scheme \"mysql\"",
        "consensus.db                       | it has no scheme",
        "jdbc:mysql://h/db                  | only jdbc:postgresql:",
        "jdbc:postgresql:db                 | needs a host",
        "postgres:///db                     | needs a host",
        "postgres://u@h                     | exactly one database name",
        "postgres://u@h/a/b                 | exactly one database name",
        "sqlite://host/file.db              | write \"sqlite:///host/file.db\"",
        "sqlite:///                         | needs a file path",
        "mem://                             | mem:// needs a name",
    })
    void badConsensusUrisListTheAcceptedForms(String input, String reason) {
        assertThatThrownBy(() -> ConsensusLocation.parse(input))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(reason)
                .hasMessageContaining("Accepted forms: postgres://user[:password]@host");
    }

    @Test
    void malformedConsensusUrisNeverEchoAPassword() {
        assertThatThrownBy(() -> ConsensusLocation.parse("postgres://u:hunter2@h"))
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2").contains("u:***@h"));
        assertThatThrownBy(() -> ConsensusLocation.parse("jdbc:mysql://h/db?password=hunter2"))
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2"));
    }

    /** Messages quote bad input bounded and escaped: a huge or control-laden URI neither floods nor forges a log. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"blob", "consensus"})
    void badUrisAreQuotedBoundedAndEscaped(String which) {
        String huge = "s3://" + "x".repeat(1_500_000);
        String controls = "mem:bad\u0000name\nforged line\u001b[31m";
        for (String input : new String[] {huge, controls.translateEscapes(), "/var/lib/\u0000persist".translateEscapes()}) {
            assertThatThrownBy(() -> parse(which, input))
                    .isInstanceOf(IllegalArgumentException.class)
                    .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(1_000)
                            .doesNotContain("\u0000".translateEscapes(), "\n".translateEscapes(),
                                    "\u001b".translateEscapes()));
        }
        assertThatThrownBy(() -> parse(which, huge)).hasMessageContaining("(1500005 chars)");
    }

    /** A path with '..' would be resolved silently, and through symbolic links differently, to another directory. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "blob      | /var/lib/../persist",
        "blob      | file:///var/lib/../persist",
        "blob      | relative/../dir",
        "consensus | sqlite:///var/lib/../consensus.db",
        "consensus | sqlite:../consensus.db",
    })
    void pathsWithDotDotSegmentsAreRefused(String which, String input) {
        assertThatThrownBy(() -> parse(which, input))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'..' segments");
    }

    private static Object parse(String which, String input) {
        return which.equals("blob") ? BlobLocation.parse(input) : ConsensusLocation.parse(input);
    }

    @Test
    void embeddedDefaultsPutBothStoresUnderOneDirectory(@TempDir Path dir) {
        PersistLocation location = PersistLocation.embedded(dir);
        assertThat(location.blob()).isEqualTo(new BlobLocation.HadoopFs(dir.resolve("blob").toUri()));
        assertThat(location.consensus()).isEqualTo(new ConsensusLocation.Sqlite(dir.resolve("consensus.db")));
        try (Blob blob = location.openBlob(Map.of(), RetryPolicy.DEFAULT)) {
            blob.set("s/k", new byte[] {1});
            assertThat(dir.resolve("blob/s/k")).exists();
        }
    }
}
