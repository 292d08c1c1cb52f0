package io.flinkpersist.e2e.bench;

import java.util.SplittableRandom;
import org.apache.flink.api.common.functions.MapFunction;

/**
 * A record of the sink benchmark: an 8-byte id and a payload of random bytes drawn from the id, so that a reader
 * can check each record it gets back against the one that was written. Random so that no sink wins by encoding a
 * repeated filler cheaply (Parquet's dictionary, for one).
 *
 * <p>A Flink POJO (public fields, no-arg constructor) and an Avro reflect record (a long and bytes), so that every
 * sink writes the same type: FileSink's Parquet baseline goes through Avro reflection as a user's POJO would.
 */
public final class BenchRecord {
    public long id;
    public byte[] payload;

    public BenchRecord() {}

    BenchRecord(long id, byte[] payload) {
        this.id = id;
        this.payload = payload;
    }

    /** The payload the record with {@code id} carries: the same bytes every time. */
    static byte[] payloadOf(long id, int payloadBytes) {
        byte[] payload = new byte[payloadBytes];
        new SplittableRandom(id).nextBytes(payload);
        return payload;
    }

    /** Turns the job's sequence numbers into records with payloads of a fixed size. */
    static final class Generator implements MapFunction<Long, BenchRecord> {
        private final int payloadBytes;

        Generator(int payloadBytes) {
            this.payloadBytes = payloadBytes;
        }

        @Override
        public BenchRecord map(Long id) {
            return new BenchRecord(id, payloadOf(id, payloadBytes));
        }
    }
}
