package io.flinkpersist.persist.batch.part;

/**
 * A part that breaks one of persist's part rules ({@link BlobTraceBatchPart#validate()}). Writing one would corrupt
 * the shard, and reading one means it already is.
 */
public final class InvalidPartException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    public InvalidPartException(String message) {
        super(message);
    }
}
