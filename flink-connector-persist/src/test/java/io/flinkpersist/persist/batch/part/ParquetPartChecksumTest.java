package io.flinkpersist.persist.batch.part;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.flinkpersist.persist.testutils.Update;
import io.flinkpersist.persist.time.Description;
import io.flinkpersist.persist.time.Frontier;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.parquet.format.PageHeader;
import org.apache.parquet.format.Util;
import org.junit.jupiter.api.Test;

/**
 * Every page of a part carries a CRC32 of its bytes, and decoding verifies it: a bit flipped anywhere in a page's
 * values is a {@link PartDecodeException} naming the part, never different data. (Before checksums, most such flips
 * read back as other keys, values, times or diffs.)
 */
class ParquetPartChecksumTest {
    private static final String KEY = "s00000000-0000-0000-0000-000000000001/wkey/part";
    private static final Description DESC = new Description(Frontier.of(0), Frontier.EMPTY, Frontier.MINIMUM);

    private static BlobTraceBatchPart part() {
        List<Update> updates = new ArrayList<>(Update.EDGE_CASES);
        Random random = new Random(7);
        for (int i = 0; i < 45_000; i++) {
            updates.add(new Update(Update.randomBytes(1 + random.nextInt(60), i), Update.randomBytes(
                    random.nextInt(4), -i), random.nextLong(Long.MAX_VALUE), 1 + random.nextInt(5)));
        }
        return new BlobTraceBatchPart(DESC, 2, Update.records(updates));
    }

    /** The byte ranges of the file that hold page values (not page headers, not the footer); each page checksummed. */
    private static List<int[]> pageData(byte[] file) throws IOException {
        return pageData(file, true);
    }

    private static List<int[]> pageData(byte[] file, boolean checksums) throws IOException {
        List<int[]> ranges = new ArrayList<>();
        int footerLength = (file[file.length - 8] & 0xff) | (file[file.length - 7] & 0xff) << 8
                | (file[file.length - 6] & 0xff) << 16 | (file[file.length - 5] & 0xff) << 24;
        int end = file.length - 8 - footerLength;
        int at = 4;
        while (at < end) {
            ByteArrayInputStream in = new ByteArrayInputStream(file, at, end - at);
            int before = in.available();
            PageHeader header = Util.readPageHeader(in);
            int start = at + before - in.available();
            assertThat(header.isSetCrc()).as("page at %d has a checksum", at).isEqualTo(checksums);
            ranges.add(new int[] {start, start + header.getCompressed_page_size()});
            at = start + header.getCompressed_page_size();
        }
        return ranges;
    }

    @Test
    void aBitFlippedInAnyPageIsADecodeErrorNamingThePart() throws IOException {
        BlobTraceBatchPart part = part();
        byte[] file = ParquetPartCodec.encode(part);
        assertThat(ParquetPartCodec.decode(KEY, file).updates()).isEqualTo(part.updates());
        List<int[]> pages = pageData(file);
        assertThat(pages).as("pages of the four columns").hasSizeGreaterThan(8);

        Random random = new Random(11);
        for (int trial = 0; trial < 400; trial++) {
            // Every page at least once, then anywhere.
            int[] page = pages.get(trial < pages.size() ? trial : random.nextInt(pages.size()));
            int offset = page[0] + random.nextInt(page[1] - page[0]);
            byte[] damaged = file.clone();
            damaged[offset] ^= (byte) (1 << random.nextInt(8));
            assertThatThrownBy(() -> ParquetPartCodec.decode(KEY, damaged))
                    .as("a bit flipped at byte %d", offset)
                    .isInstanceOf(PartDecodeException.class)
                    .hasMessageContaining(KEY)
                    .hasMessageContaining("CRC");
        }
    }

    /**
     * Written without checksums ({@code pageChecksums(false)}), as persist writes parts: the same file but for the
     * page headers' checksums, read back as written.
     */
    @Test
    void aPartWithoutChecksumsReadsBackAsWritten() throws IOException {
        BlobTraceBatchPart part = part();
        byte[] withChecksums = ParquetPartCodec.encode(part, true);
        byte[] without = ParquetPartCodec.encode(part, false);

        assertThat(pageData(without, false)).hasSameSizeAs(pageData(withChecksums));
        assertThat(without.length).isLessThan(withChecksums.length);
        assertThat(ParquetPartCodec.decode(KEY, without).updates()).isEqualTo(part.updates());
    }

    @Test
    void anEmptyPartHasNoPagesAndNoRowGroup() throws IOException {
        byte[] file = ParquetPartCodec.encode(new BlobTraceBatchPart(DESC, 0, ColumnarRecords.EMPTY));
        assertThat(pageData(file)).isEmpty();
        assertThat(ParquetPartCodec.decode(KEY, file).updates().len()).isZero();
    }
}
