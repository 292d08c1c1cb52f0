package io.flinkpersist.persist.batch;

/** What {@link BatchBuilder#add} did. */
public enum Added {
    /** The update was buffered. */
    RECORD,
    /** The update was buffered and the buffer was flushed as a part. */
    RECORD_AND_PARTS
}
