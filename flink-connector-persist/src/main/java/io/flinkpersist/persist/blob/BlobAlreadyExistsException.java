package io.flinkpersist.persist.blob;

/**
 * A {@link Blob#set} of a key that already holds different bytes: keys are write-once, so this is a bug in
 * the caller (two writers chose the same key), never a transient failure.
 */
public final class BlobAlreadyExistsException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    private final String key;

    public BlobAlreadyExistsException(String key) {
        super("blob key " + key + " already exists with different contents; blob keys are write-once");
        this.key = key;
    }

    public String key() {
        return key;
    }
}
