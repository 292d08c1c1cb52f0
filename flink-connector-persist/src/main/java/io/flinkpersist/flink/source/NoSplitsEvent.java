package io.flinkpersist.flink.source;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.SourceEvent;

/**
 * The enumerator has no key range for a reader of an unbounded source (more readers than ranges). A reader that
 * holds none either (none restored) lets go of its hold on the shard's history and stays idle: finishing would keep
 * the job from ever being all running, which checkpoints and some tools wait for.
 */
@Internal
enum NoSplitsEvent implements SourceEvent {
    INSTANCE
}
