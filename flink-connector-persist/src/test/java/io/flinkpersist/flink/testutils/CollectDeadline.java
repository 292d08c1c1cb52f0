package io.flinkpersist.flink.testutils;

import java.util.Iterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Reads a job's collected results with a deadline. Flink's collect iterator retries in a loop that swallows
 * interrupts, so it does not give way to JUnit's timeout: a job that stops emitting (or fails over and over) would
 * hang the whole suite instead of failing its test.
 */
public final class CollectDeadline {
    private final long deadlineNanos;

    private CollectDeadline(long deadlineNanos) {
        this.deadlineNanos = deadlineNanos;
    }

    /** A deadline {@code seconds} from now. */
    public static CollectDeadline in(long seconds) {
        return new CollectDeadline(System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds));
    }

    /** The iterator's next element, or an AssertionError naming {@code progress} once the deadline has passed. */
    public <T> T next(Iterator<T> it, Supplier<String> progress) throws Exception {
        return within(it::next, progress);
    }

    /** Whether the iterator has more (false once a bounded job ended), within the deadline. */
    public boolean hasNext(Iterator<?> it, Supplier<String> progress) throws Exception {
        return within(it::hasNext, progress);
    }

    private <R> R within(Supplier<R> call, Supplier<String> progress) throws Exception {
        CompletableFuture<R> result = CompletableFuture.supplyAsync(call);
        try {
            return result.get(Math.max(1, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("no result within the deadline: " + progress.get(), e);
        }
    }
}
