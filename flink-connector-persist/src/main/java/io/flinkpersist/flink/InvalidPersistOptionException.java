package io.flinkpersist.flink;

import org.apache.flink.annotation.PublicEvolving;

/**
 * A builder of a persist sink or source refused an option: {@link #option()} names it as the builder does, and
 * {@link #problem()} says what was wrong and what is allowed (never a secret). Layers with their own option names
 * (the SQL connector) report the problem under theirs.
 */
@PublicEvolving
public abstract class InvalidPersistOptionException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String option;
    private final String problem;

    protected InvalidPersistOptionException(String option, String problem, Throwable cause) {
        super("invalid option '" + option + "'" + problem, cause);
        this.option = option;
        this.problem = problem;
    }

    /** The builder's name of the option, e.g. {@code partTargetSizeBytes}. */
    public String option() {
        return option;
    }

    /** The rest of the message, after the option's name: the value shown (unless secret) and what is allowed. */
    public String problem() {
        return problem;
    }
}
