package io.flinkpersist.persist.external;

import java.util.Objects;

/**
 * A failure of an external store (blob or consensus), classified by {@link Determinacy}.
 *
 * <p>Messages never contain credentials: callers describe the operation and the key, not the location.
 */
public class ExternalException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final Determinacy determinacy;

    public ExternalException(Determinacy determinacy, String message, Throwable cause) {
        super(message, cause);
        this.determinacy = Objects.requireNonNull(determinacy, "determinacy");
    }

    public static ExternalException determinate(String message, Throwable cause) {
        return new ExternalException(Determinacy.DETERMINATE, message, cause);
    }

    public static ExternalException indeterminate(String message, Throwable cause) {
        return new ExternalException(Determinacy.INDETERMINATE, message, cause);
    }

    public Determinacy determinacy() {
        return determinacy;
    }

    public boolean isDeterminate() {
        return determinacy == Determinacy.DETERMINATE;
    }

    @Override
    public String getMessage() {
        return "[" + determinacy.name().toLowerCase(java.util.Locale.ROOT) + "] " + super.getMessage();
    }
}
