package io.flinkpersist.persist.batch.part;

import static org.assertj.core.api.Assertions.assertThat;

import io.flinkpersist.persist.testutils.Update;
import io.flinkpersist.persist.time.Description;
import io.flinkpersist.persist.time.Frontier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * The plain reader, which copies values straight out of parts in persist's plain layout, reads exactly what
 * parquet-java reads from them: parts of this build, and parts an earlier build wrote through parquet-java (the
 * upgrade fixture's); a part in another layout is left to parquet-java.
 */
class PlainPartReaderTest {
    private static final String KEY = "s00000000-0000-0000-0000-000000000001/wkey/part";
    private static final Description DESC = new Description(Frontier.of(0), Frontier.EMPTY, Frontier.MINIMUM);

    @Provide
    Arbitrary<List<Update>> updates() {
        return Combinators.combine(
                        Arbitraries.bytes().array(byte[].class).ofMaxSize(40),
                        Arbitraries.bytes().array(byte[].class).ofMaxSize(3000),
                        Arbitraries.longs().greaterOrEqual(0),
                        Arbitraries.longs().filter(d -> d != 0))
                .as(Update::new).list().ofMaxSize(800);
    }

    @Property(tries = 60)
    void readsWhatParquetJavaReadsFromPartsOfThisBuild(@ForAll("updates") List<Update> updates) throws IOException {
        byte[] file = ParquetPartCodec.encode(new BlobTraceBatchPart(DESC, 1, Update.records(updates)));
        BlobTraceBatchPart plain = PlainPartReader.read(KEY, file);
        assertThat(plain).as("the plain layout is recognised").isNotNull();
        BlobTraceBatchPart general = ParquetPartReader.readWithParquetJava(KEY, file);
        assertThat(plain.updates()).isEqualTo(general.updates());
        assertThat(Update.list(plain.updates())).containsExactlyElementsOf(updates);
        assertThat(plain.desc()).isEqualTo(general.desc());
        assertThat(plain.index()).isEqualTo(general.index());
    }

    @Test
    void readsWhatParquetJavaReadsFromPartsAnEarlierBuildWrote() throws IOException {
        Path fixture = Paths.get("src/test/resources/upgrade/18ba5cf-core/shard/blob");
        List<Path> parts = new ArrayList<>();
        try (Stream<Path> files = Files.walk(fixture)) {
            for (Path path : files.filter(Files::isRegularFile).toList()) {
                byte[] bytes = Files.readAllBytes(path);
                if (bytes.length > 8 && new String(bytes, 0, 4).equals("PAR1")) {
                    parts.add(path);
                }
            }
        }
        assertThat(parts).as("Parquet parts in the fixture").isNotEmpty();
        for (Path path : parts) {
            byte[] bytes = Files.readAllBytes(path);
            BlobTraceBatchPart plain = PlainPartReader.read(path.toString(), bytes);
            assertThat(plain).as("%s is in the plain layout", path).isNotNull();
            assertThat(plain.updates()).as("%s", path)
                    .isEqualTo(ParquetPartReader.readWithParquetJava(path.toString(), bytes).updates());
        }
    }

    @Test
    void aPartInAnotherLayoutIsLeftToParquetJava() throws IOException {
        List<Update> updates = List.of(Update.of("a", "x", 1, 1), Update.of("a", "x", 2, 1), Update.of("b", "x", 2, -1));
        byte[] file = ParquetPartCodecTest.writeWithGroupApi(ParquetPartCodec.SCHEMA, updates,
                Map.of(ParquetPartCodec.HEADER_KEY, ParquetPartCodecTest.header(DESC, 0)),
                builder -> builder.withDictionaryEncoding(true));
        assertThat(PlainPartReader.read(KEY, file)).isNull();
        assertThat(Update.list(ParquetPartCodec.decode(KEY, file).updates())).containsExactlyElementsOf(updates);
    }
}
