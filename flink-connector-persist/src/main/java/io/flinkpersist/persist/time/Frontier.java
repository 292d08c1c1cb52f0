package io.flinkpersist.persist.time;

import java.util.OptionalLong;

/**
 * A frontier over persist's totally ordered {@code u64} timestamps: an antichain with one element
 * {@code t} (every time {@code >= t} is still possible) or none (the closed frontier, above every time).
 *
 * <p>Times are carried as Java {@code long}s and must be non-negative: persist encodes them as 8
 * little-endian bytes, which for values below 2^63 reads back as the same {@code long}.
 */
public final class Frontier implements Comparable<Frontier> {
    /** The frontier that admits every time: {@code [0]}. */
    public static final Frontier MINIMUM = new Frontier(0);
    /** The closed frontier {@code []}: no time is beyond it. */
    public static final Frontier EMPTY = new Frontier(-1);

    /** The single element, or -1 for the empty frontier. */
    private final long element;

    private Frontier(long element) {
        this.element = element;
    }

    public static Frontier of(long time) {
        checkTime(time);
        return time == 0 ? MINIMUM : new Frontier(time);
    }

    static void checkTime(long time) {
        if (time < 0) {
            throw new IllegalArgumentException("time must be in [0, " + Long.MAX_VALUE + "], was " + time);
        }
    }

    public boolean isEmpty() {
        return element < 0;
    }

    /** The element of a non-empty frontier. */
    public OptionalLong element() {
        return isEmpty() ? OptionalLong.empty() : OptionalLong.of(element);
    }

    /** Whether {@code time} is at or beyond this frontier ({@code frontier <= time}). */
    public boolean lessEqual(long time) {
        return !isEmpty() && element <= time;
    }

    /** Whether {@code time} is strictly beyond this frontier. */
    public boolean lessThan(long time) {
        return !isEmpty() && element < time;
    }

    /** The frontier partial order, total here: {@code []} is the greatest. */
    @Override
    public int compareTo(Frontier other) {
        if (isEmpty() || other.isEmpty()) {
            return Boolean.compare(isEmpty(), other.isEmpty());
        }
        return Long.compare(element, other.element);
    }

    public boolean lessEqual(Frontier other) {
        return compareTo(other) <= 0;
    }

    public boolean lessThan(Frontier other) {
        return compareTo(other) < 0;
    }

    /** {@code time} advanced to this frontier: {@code max(time, element)}; undefined for the empty frontier. */
    public long advance(long time) {
        if (isEmpty()) {
            throw new IllegalStateException("cannot advance time " + time + " by the empty frontier");
        }
        return Math.max(time, element);
    }

    public static Frontier max(Frontier a, Frontier b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    public static Frontier min(Frontier a, Frontier b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Frontier other && other.element == element;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(element);
    }

    /** Printed like persist's antichains: {@code [5]} or {@code []}. */
    @Override
    public String toString() {
        return isEmpty() ? "[]" : "[" + element + "]";
    }
}
