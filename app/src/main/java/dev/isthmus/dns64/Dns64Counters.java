package dev.isthmus.dns64;

import java.util.concurrent.atomic.LongAdder;

/** The live counters of one DNS64 server; cheap to bump from many threads, read without locks. */
public final class Dns64Counters {
    private final LongAdder[] values = new LongAdder[Dns64Counter.values().length];

    public Dns64Counters() {
        for (int i = 0; i < values.length; i++) {
            values[i] = new LongAdder();
        }
    }

    void count(Dns64Counter c) {
        values[c.ordinal()].increment();
    }

    public long get(Dns64Counter c) {
        return values[c.ordinal()].sum();
    }
}
