package io.flinkpersist.persist.batch.part;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.apache.parquet.format.DataPageHeaderV2;
import org.apache.parquet.format.Encoding;
import org.apache.parquet.format.PageHeader;
import org.apache.parquet.format.PageType;
import org.apache.parquet.format.Util;

/**
 * The hand-written page header reads, with parquet-format's own reader, as the header parquet-format writes, is
 * exactly as long as planned whatever the checksum, and is parquet-format's bytes whenever no padding is needed.
 */
class DataPageHeaderV2EncodingTest {
    private static PageHeader expected(int rows, int bytes, boolean checksummed, int checksum) {
        DataPageHeaderV2 v2 = new DataPageHeaderV2(rows, 0, rows, Encoding.PLAIN, 0, 0);
        v2.setIs_compressed(false);
        PageHeader header = new PageHeader(PageType.DATA_PAGE_V2, bytes, bytes);
        if (checksummed) {
            header.setCrc(checksum);
        }
        header.setData_page_header_v2(v2);
        return header;
    }

    private static byte[] parquetFormats(PageHeader header) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Util.writePageHeader(header, out);
        return out.toByteArray();
    }

    @Property(tries = 2000)
    void readsAsParquetFormatsHeaderAtThePlannedLength(@ForAll @IntRange(min = 1, max = 20_000) int rows,
            @ForAll @IntRange(min = 0, max = Integer.MAX_VALUE) int bytes, @ForAll boolean checksummed,
            @ForAll int checksum) throws IOException {
        int length = DataPageHeaderV2Encoding.length(rows, bytes, checksummed);
        byte[] file = new byte[length + 3];
        Arrays.fill(file, (byte) 0x5a);

        int end = DataPageHeaderV2Encoding.write(file, 1, rows, bytes, checksummed, checksum);

        assertThat(end).isEqualTo(1 + length);
        assertThat(file[0]).as("nothing written before").isEqualTo((byte) 0x5a);
        assertThat(file[end]).as("nothing written after").isEqualTo((byte) 0x5a);
        ByteArrayInputStream in = new ByteArrayInputStream(file, 1, length);
        PageHeader read = Util.readPageHeader(in);
        assertThat(in.available()).as("the header ends where planned").isZero();
        PageHeader expected = expected(rows, bytes, checksummed, checksum);
        assertThat(read).isEqualTo(expected);
        byte[] theirs = parquetFormats(expected);
        if (theirs.length == length) {
            assertThat(Arrays.copyOfRange(file, 1, end)).as("no padding needed: parquet-format's bytes")
                    .isEqualTo(theirs);
        }
    }

    @Property(tries = 200)
    void everyChecksumVarintLengthIsMadeUpFor(@ForAll @IntRange(min = 0, max = 31) int bits) throws IOException {
        // Checksums whose zigzag varint takes 1 to 5 bytes, both signs.
        for (int checksum : new int[] {(1 << bits) - 1, -(1 << bits), 1 << bits}) {
            int length = DataPageHeaderV2Encoding.length(20_000, 1 << 20, true);
            byte[] file = new byte[length];
            assertThat(DataPageHeaderV2Encoding.write(file, 0, 20_000, 1 << 20, true, checksum)).isEqualTo(length);
            assertThat(Util.readPageHeader(new ByteArrayInputStream(file)).getCrc()).isEqualTo(checksum);
        }
    }
}
