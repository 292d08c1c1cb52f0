package io.flinkpersist.persist.state;

/** What a command decided about one state: write a new state and answer, or just answer. */
public sealed interface Transition<R> permits Transition.Write, Transition.Answer {
    R result();

    /** Compare-and-set {@code next} as the successor of the state the command saw. */
    record Write<R>(ShardState next, R result) implements Transition<R> {}

    /** Write nothing. */
    record Answer<R>(R result) implements Transition<R> {}

    static <R> Transition<R> write(ShardState next, R result) {
        return new Write<>(next, result);
    }

    static <R> Transition<R> answer(R result) {
        return new Answer<>(result);
    }
}
