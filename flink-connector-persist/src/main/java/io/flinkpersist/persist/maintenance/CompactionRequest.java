package io.flinkpersist.persist.maintenance;

import io.flinkpersist.persist.batch.HollowBatch;
import io.flinkpersist.persist.time.Description;
import java.util.List;

/**
 * Adjacent batches of a shard to merge into one: {@code desc} spans them, from the first's lower to the last's
 * upper, with the shard's since when the request was made, to which the output's times are advanced.
 */
public record CompactionRequest(List<HollowBatch> inputs, Description desc) {
    public CompactionRequest {
        inputs = List.copyOf(inputs);
        if (inputs.isEmpty()) {
            throw new IllegalArgumentException("a compaction needs at least one input batch");
        }
    }

    public long updates() {
        return inputs.stream().mapToLong(HollowBatch::len).sum();
    }

    public int parts() {
        return inputs.stream().mapToInt(b -> b.parts().size()).sum();
    }

    public int runs() {
        return inputs.stream().mapToInt(HollowBatch::runCount).sum();
    }

    /** Encoded bytes of the input parts, blob and inline. */
    public long bytes() {
        return inputs.stream().flatMap(b -> b.parts().stream())
                .mapToLong(p -> p.isInline() ? p.inlineBytes() : p.encodedSizeBytes()).sum();
    }

    @Override
    public String toString() {
        return "CompactionRequest{" + inputs.size() + " batches, " + runs() + " runs, " + parts() + " parts, "
                + updates() + " updates, " + desc + "}";
    }
}
