package io.flinkpersist.persist.state;

import com.google.protobuf.CodedInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Where the top-level fields of an encoded message end: the cuts protobuf cannot see, as what is left parses. */
final class FieldBoundaries {
    private FieldBoundaries() {}

    /** The offsets in {@code value} at which a top-level field ends, but for the end of the value. */
    static List<Integer> of(byte[] value) {
        List<Integer> boundaries = new ArrayList<>();
        CodedInputStream in = CodedInputStream.newInstance(value);
        try {
            while (!in.isAtEnd()) {
                in.skipField(in.readTag());
                if (!in.isAtEnd()) {
                    boundaries.add(in.getTotalBytesRead());
                }
            }
        } catch (IOException e) {
            throw new AssertionError("not a protobuf message", e);
        }
        return boundaries;
    }
}
