package io.flinkpersist.persist.batch.part;

/** A {@code ProtoColumnarRecords} whose columns do not fit together (wrong lengths, offsets out of order). */
public final class MalformedColumnarRecordsException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public MalformedColumnarRecordsException(String reason) {
        super("malformed ProtoColumnarRecords: " + reason);
    }
}
