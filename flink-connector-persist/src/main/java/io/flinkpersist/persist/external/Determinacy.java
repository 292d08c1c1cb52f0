package io.flinkpersist.persist.external;

/**
 * Whether a failed call to an external store definitely did not take effect.
 *
 * <p>The distinction drives every retry decision: a determinate failure can be retried blindly, an
 * indeterminate one (a timeout, a connection lost after the request was sent) may have taken effect and
 * must be resolved by reading the store again, never by guessing.
 */
public enum Determinacy {
    /** The operation definitely did not happen. */
    DETERMINATE,
    /** The operation may or may not have happened. */
    INDETERMINATE
}
