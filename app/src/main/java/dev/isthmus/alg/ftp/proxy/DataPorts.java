package dev.isthmus.alg.ftp.proxy;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The ports the proxy listens on for data connections ({@code data-ports}), so that a firewall in
 * front of it can open exactly those. Handed out round-robin, so that a port is not bound again
 * soon after its last transfer; a port that is in use anyway (another proxy, another program)
 * makes the caller try the next one, at most {@link #ATTEMPTS} times.
 */
public final class DataPorts {
    /**
     * The IANA dynamic range (RFC 6335 §6) starts at 49152; 50000-50999 sits inside it, is easy to
     * write in a firewall rule, and holds 1,000 transfers being set up at once.
     */
    public static final DataPorts DEFAULT = new DataPorts(50000, 50999);

    /** Binds tried for one listener before giving up with 425. */
    static final int ATTEMPTS = 16;

    private final int first;
    private final int last;
    private final AtomicInteger next = new AtomicInteger();

    public DataPorts(int first, int last) {
        if (first < 1024 || last > 65535 || first > last) {
            throw new IllegalArgumentException("data ports " + first + "-" + last + " are not a range within 1024-65535");
        }
        this.first = first;
        this.last = last;
    }

    public int first() {
        return first;
    }

    public int last() {
        return last;
    }

    /** The next port to try. */
    int next() {
        return first + Math.floorMod(next.getAndIncrement(), last - first + 1);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DataPorts d && d.first == first && d.last == last;
    }

    @Override
    public int hashCode() {
        return first * 65536 + last;
    }

    @Override
    public String toString() {
        return first + "-" + last;
    }
}
