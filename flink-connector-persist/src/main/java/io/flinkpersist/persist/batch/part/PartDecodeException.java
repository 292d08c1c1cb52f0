package io.flinkpersist.persist.batch.part;

/**
 * A stored part that cannot be read back: corrupt or truncated bytes, a layout we do not support, a bad header, or
 * contents that break the part rules. The message names the part and the reason.
 */
public final class PartDecodeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String part;

    /**
     * @param part the blob key of the part, or a description of where an inline part came from
     */
    public PartDecodeException(String part, String reason, Throwable cause) {
        super("cannot decode part " + part + ": " + reason, cause);
        this.part = part;
    }

    public PartDecodeException(String part, String reason) {
        this(part, reason, null);
    }

    /** The blob key (or inline location) of the part. */
    public String part() {
        return part;
    }
}
