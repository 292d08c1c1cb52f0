package io.flinkpersist.persist.blob;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalHadoopBlobTest extends BlobContractTest {
    @TempDir
    Path dir;

    @Override
    protected Blob openBlob() {
        // A root that does not exist yet: opening creates it, with no configuration at all.
        return HadoopBlob.open(dir.resolve("persist-root").toUri(), Map.of());
    }

    @Test
    void writesPlainFilesUnderTheRootAndNoSideFiles() throws Exception {
        blob.set("s1/part", new byte[] {1, 2, 3});
        try (Stream<Path> files = Files.walk(dir.resolve("persist-root"))) {
            assertThat(files.filter(Files::isRegularFile).map(p -> dir.resolve("persist-root").relativize(p).toString()))
                    .containsExactly("s1/part");
        }
        assertThat(Files.readAllBytes(dir.resolve("persist-root/s1/part"))).containsExactly(1, 2, 3);
    }

    @Test
    void optionsThatAreNotHadoopOptionsAreRejected() {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> HadoopBlob.open(dir.toUri(), Map.of("s3a.access.key", "x")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'s3a.access.key'")
                .hasMessageContaining("start with 'fs.' or 'hadoop.'");
    }
}
