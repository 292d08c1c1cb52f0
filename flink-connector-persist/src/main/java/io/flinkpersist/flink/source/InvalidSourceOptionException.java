package io.flinkpersist.flink.source;

import org.apache.flink.annotation.PublicEvolving;

/**
 * {@link PersistSourceBuilder#build()} refused an option: {@link #option()} names it as the builder does, and
 * {@link #problem()} says what was wrong and what is allowed (never a secret).
 */
@PublicEvolving
public final class InvalidSourceOptionException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String option;
    private final String problem;

    InvalidSourceOptionException(String option, String problem, Throwable cause) {
        super("invalid option '" + option + "'" + problem, cause);
        this.option = option;
        this.problem = problem;
    }

    /** The builder's name of the option, e.g. {@code asOf}. */
    public String option() {
        return option;
    }

    /** The rest of the message, after the option's name: the value shown (unless secret) and what is allowed. */
    public String problem() {
        return problem;
    }
}
