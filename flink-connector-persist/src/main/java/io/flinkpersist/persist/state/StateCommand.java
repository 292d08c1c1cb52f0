package io.flinkpersist.persist.state;

/** A deterministic function from the current state to a {@link Transition}; may run several times. */
@FunctionalInterface
public interface StateCommand<R> {
    /**
     * @param afterIndeterminate whether an earlier attempt of this command may have been written (its
     *     compare-and-set failed indeterminately): the command must then recognise its own earlier write
     */
    Transition<R> apply(ShardState current, boolean afterIndeterminate);
}
