package dev.isthmus.alg.sip.media;

import dev.isthmus.relay.RelayCounters;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The media relay's totals, written by the event loops and the proxy, read by {@code show calls},
 * {@code show stats} and the metrics endpoint.
 */
public final class MediaCounters {
    private final LongAdder opened = new LongAdder();
    private final LongAdder ended = new LongAdder();
    private final LongAdder timedOut = new LongAdder();
    private final AtomicLong active = new AtomicLong();
    private final LongAdder packets = new LongAdder();
    private final LongAdder bytes = new LongAdder();
    private final LongAdder[] refused = RelayCounters.adders(MediaUnavailable.Reason.values().length);
    private final LongAdder[] dropped = RelayCounters.adders(MediaDrop.values().length);

    /** Calls opened since start. */
    public long opened() {
        return opened.sum();
    }

    /** Calls ended since start, timed out ones included. */
    public long ended() {
        return ended.sum();
    }

    /** Calls ended by the media timeout. */
    public long timedOut() {
        return timedOut.sum();
    }

    /** Calls open now. */
    public long active() {
        return active.get();
    }

    /** Datagrams relayed, both ways, RTP and RTCP. */
    public long packets() {
        return packets.sum();
    }

    /** Bytes of UDP payload relayed. */
    public long bytes() {
        return bytes.sum();
    }

    public long refused(MediaUnavailable.Reason r) {
        return refused[r.ordinal()].sum();
    }

    public long dropped(MediaDrop d) {
        return dropped[d.ordinal()].sum();
    }

    void open() {
        opened.increment();
        active.incrementAndGet();
    }

    void end(boolean timeout) {
        ended.increment();
        active.decrementAndGet();
        if (timeout) {
            timedOut.increment();
        }
    }

    void relayed(int length) {
        packets.increment();
        bytes.add(length);
    }

    void refuse(MediaUnavailable.Reason r) {
        refused[r.ordinal()].increment();
    }

    void drop(MediaDrop d) {
        dropped[d.ordinal()].increment();
    }
}
