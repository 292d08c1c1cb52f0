package io.flinkpersist.flink.sink;

import io.flinkpersist.flink.InvalidPersistOptionException;
import org.apache.flink.annotation.PublicEvolving;

/** {@link PersistSinkBuilder#build()} refused an option. */
@PublicEvolving
public final class InvalidSinkOptionException extends InvalidPersistOptionException {
    private static final long serialVersionUID = 1L;

    InvalidSinkOptionException(String option, String problem, Throwable cause) {
        super(option, problem, cause);
    }
}
