package io.flinkpersist.persist.time;

import java.util.Objects;

/**
 * The time bounds of a batch: it holds the updates originally at times {@code t} with
 * {@code lower <= t < upper}; if {@code since} is beyond {@code lower}, times may have been advanced to
 * {@code since} by compaction, and then no upper check applies.
 */
public record Description(Frontier lower, Frontier upper, Frontier since) {
    public Description {
        Objects.requireNonNull(lower, "lower");
        Objects.requireNonNull(upper, "upper");
        Objects.requireNonNull(since, "since");
    }

    /** A user batch: since is the minimum, nothing has been compacted. */
    public static Description of(Frontier lower, Frontier upper) {
        return new Description(lower, upper, Frontier.MINIMUM);
    }

    /** Whether the batch's times are still the ones written: {@code since <= lower}. */
    public boolean isUncompacted() {
        return since.lessEqual(lower);
    }

    /** Whether the interval {@code [lower, upper)} is empty. */
    public boolean isEmptyInterval() {
        return upper.lessEqual(lower);
    }

    @Override
    public String toString() {
        return "(lower=" + lower + ", upper=" + upper + ", since=" + since + ")";
    }
}
