package io.flinkpersist.flink.source;

import io.flinkpersist.flink.InvalidPersistOptionException;
import org.apache.flink.annotation.PublicEvolving;

/** {@link PersistSourceBuilder#build()} refused an option. */
@PublicEvolving
public final class InvalidSourceOptionException extends InvalidPersistOptionException {
    private static final long serialVersionUID = 1L;

    InvalidSourceOptionException(String option, String problem, Throwable cause) {
        super(option, problem, cause);
    }
}
