package io.flinkpersist.persist.ids;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.UUID;

/**
 * The ids of the blob parts one writer session uploads, in the order they are cut: the id at position
 * {@code n} is the name-based UUID of (session, n). Unlike random ids they can be recomputed, so a writer that
 * durably records its session and position can find, after a crash, every part it may have uploaded past that
 * position. A fresh random session is as collision-free as random ids. Not thread-safe.
 */
public final class PartIdSequence {
    private static final String NAMESPACE = "persist-part:";

    private final UUID session;
    private long position;

    /** Continues {@code session} at {@code position}. */
    public PartIdSequence(UUID session, long position) {
        this.session = Objects.requireNonNull(session, "session");
        if (position < 0) {
            throw new IllegalArgumentException("position must be 0 or more, was " + position);
        }
        this.position = position;
    }

    /** A sequence of a new random session, starting at 0. */
    public static PartIdSequence random() {
        return new PartIdSequence(UUID.randomUUID(), 0);
    }

    /** The id at {@code position} of {@code session}. */
    public static PartId at(UUID session, long position) {
        return PartId.of(UUID.nameUUIDFromBytes(
                (NAMESPACE + session + ":" + position).getBytes(StandardCharsets.UTF_8)));
    }

    public UUID session() {
        return session;
    }

    /** The position of the id {@link #next()} returns. */
    public long position() {
        return position;
    }

    public PartId next() {
        return at(session, position++);
    }

    @Override
    public String toString() {
        return "PartIdSequence{" + session + " at " + position + "}";
    }
}
