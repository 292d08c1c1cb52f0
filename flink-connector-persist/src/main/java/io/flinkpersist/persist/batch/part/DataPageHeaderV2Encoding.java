package io.flinkpersist.persist.batch.part;

/**
 * The Thrift compact encoding of the page header of a PLAIN, uncompressed data page v2 of a required column, as
 * parquet-format's {@code PageHeader} writes it, but of a length fixed before the page's checksum is known: the
 * writer lays a page's values out after the header, checksums them where they lie, then writes the header in front.
 * A checksum whose varint is shorter than the longest (5 bytes) is made up for by writing as many field headers in
 * the compact protocol's long form (type byte, then the field id), which every compact reader accepts. Without a
 * checksum the encoding is parquet-format's, byte for byte.
 */
final class DataPageHeaderV2Encoding {
    private static final int TYPE_BOOLEAN_FALSE = 2;
    private static final int TYPE_I32 = 5;
    private static final int TYPE_STRUCT = 12;
    private static final int STOP = 0;
    private static final int PAGE_TYPE_DATA_PAGE_V2 = 3;
    private static final int ENCODING_PLAIN = 0;
    /** The longest varint of an int32: what a header leaves room for before the checksum is known. */
    private static final int LONGEST_CHECKSUM = 5;

    private DataPageHeaderV2Encoding() {}

    /** The header's length: with {@code checksummed}, room for any checksum. */
    static int length(int rows, int bytes, boolean checksummed) {
        // Field headers: 4 or 5 in PageHeader, 7 in DataPageHeaderV2, one byte each; two stops.
        int length = checksummed ? 5 : 4;
        length += varintLength(zigzag(PAGE_TYPE_DATA_PAGE_V2)) + 2 * varintLength(zigzag(bytes));
        if (checksummed) {
            length += LONGEST_CHECKSUM;
        }
        length += 7 + 2 * varintLength(zigzag(rows)) + 4 * varintLength(zigzag(0));
        return length + 2;
    }

    /**
     * Writes the header at {@code at}, exactly {@link #length} bytes, and returns where the page's values start.
     *
     * @param checksum the CRC32 of the page's values; only read if {@code checksummed}
     */
    static int write(byte[] file, int at, int rows, int bytes, boolean checksummed, int checksum) {
        Writer out = new Writer(file, at);
        // Bytes to make up for a checksum shorter than the longest: one per field header in the long form.
        int longForms = checksummed ? LONGEST_CHECKSUM - varintLength(zigzag(checksum)) : 0;
        out.field(1, TYPE_I32, longForms-- > 0);
        out.varint(zigzag(PAGE_TYPE_DATA_PAGE_V2));
        out.field(2, TYPE_I32, longForms-- > 0);
        out.varint(zigzag(bytes));
        out.field(3, TYPE_I32, longForms-- > 0);
        out.varint(zigzag(bytes));
        if (checksummed) {
            out.field(4, TYPE_I32, longForms-- > 0);
            out.varint(zigzag(checksum));
        }
        out.field(8, TYPE_STRUCT, false);
        out.structBegin();
        out.field(1, TYPE_I32, false);
        out.varint(zigzag(rows));
        out.field(2, TYPE_I32, false);
        out.varint(zigzag(0));
        out.field(3, TYPE_I32, false);
        out.varint(zigzag(rows));
        out.field(4, TYPE_I32, false);
        out.varint(zigzag(ENCODING_PLAIN));
        out.field(5, TYPE_I32, false);
        out.varint(zigzag(0));
        out.field(6, TYPE_I32, false);
        out.varint(zigzag(0));
        out.field(7, TYPE_BOOLEAN_FALSE, false);
        out.structEnd();
        out.structEnd();
        return out.at;
    }

    private static int zigzag(int n) {
        return (n << 1) ^ (n >> 31);
    }

    private static int varintLength(int n) {
        int length = 1;
        while ((n & ~0x7f) != 0) {
            n >>>= 7;
            length++;
        }
        return length;
    }

    /** Compact protocol output into a byte array: field ids relative to the last one of the current struct. */
    private static final class Writer {
        private final byte[] file;
        private int at;
        private int lastField;
        private int outerLastField;

        Writer(byte[] file, int at) {
            this.file = file;
            this.at = at;
        }

        /** A field header: short (the id's delta and the type in one byte) or long (the type, then the id). */
        void field(int id, int type, boolean longForm) {
            if (longForm) {
                file[at++] = (byte) type;
                varint(zigzag(id));
            } else {
                file[at++] = (byte) ((id - lastField) << 4 | type);
            }
            lastField = id;
        }

        void structBegin() {
            outerLastField = lastField;
            lastField = 0;
        }

        void structEnd() {
            file[at++] = STOP;
            lastField = outerLastField;
        }

        void varint(int n) {
            while ((n & ~0x7f) != 0) {
                file[at++] = (byte) (n & 0x7f | 0x80);
                n >>>= 7;
            }
            file[at++] = (byte) n;
        }
    }
}
