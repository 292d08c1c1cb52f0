package io.flinkpersist.persist.consensus;

/** The outcome of a {@link Consensus#compareAndSet}. */
public enum CasResult {
    /** The new version was written. */
    COMMITTED,
    /** The key's head was not the expected one; nothing was written. */
    EXPECTATION_MISMATCH
}
