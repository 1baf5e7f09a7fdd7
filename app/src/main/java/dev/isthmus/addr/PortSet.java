package dev.isthmus.addr;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An immutable set of TCP/UDP ports 1..65535 (the transparent relay's {@code connect-ports}, the
 * NAT64 FTP ALG's {@code alg-ftp-ports}): a bit per port, 8 KiB, so that a look-up (per accepted
 * connection, or per packet in the data plane) is one array read however many ranges the
 * operator wrote.
 */
public final class PortSet {
    /**
     * The transparent relay's default: every port but 25. A relay that reaches port 25 of any IPv4
     * host is an open mail relay, the spam vector the forward proxy's CONNECT refuses for the same
     * reason; submission (587) and SMTPS (465) ask the client to log in, so they stay allowed.
     */
    public static final PortSet ALL_BUT_SMTP = new PortSet(new long[1024]).with(1, 24).with(26, 65535);

    /** No port. */
    public static final PortSet NONE = new PortSet(new long[1024]);

    private final long[] bits;

    private PortSet(long[] bits) {
        this.bits = bits;
    }

    /** Exactly these ports. */
    public static PortSet of(int... ports) {
        PortSet set = NONE;
        for (int p : ports) {
            set = set.with(p, p);
        }
        return set;
    }

    /** This set and ports {@code first} to {@code last}. */
    public PortSet with(int first, int last) {
        if (first < 1 || last > 65535 || first > last) {
            throw new IllegalArgumentException("port range " + first + "-" + last + " is not within 1-65535");
        }
        long[] b = bits.clone();
        for (int p = first; p <= last; p++) {
            b[p >>> 6] |= 1L << p;
        }
        return new PortSet(b);
    }

    public boolean isEmpty() {
        return equals(NONE);
    }

    public boolean contains(int port) {
        return port >= 1 && port <= 65535 && (bits[port >>> 6] & 1L << port) != 0;
    }

    /** Every port in the set, ascending. */
    public List<Integer> ports() {
        List<Integer> out = new ArrayList<>();
        for (int p = 1; p <= 65535; p++) {
            if (contains(p)) {
                out.add(p);
            }
        }
        return out;
    }

    /**
     * The set as the config writes it: a lone port as an {@link Integer}, a run of ports as a
     * {@code "FIRST-LAST"} string, in ascending order.
     */
    public List<Object> items() {
        List<Object> out = new ArrayList<>();
        int p = 1;
        while (p <= 65535) {
            if (!contains(p)) {
                p++;
                continue;
            }
            int first = p;
            while (p < 65535 && contains(p + 1)) {
                p++;
            }
            out.add(first == p ? Integer.valueOf(p) : first + "-" + p);
            p++;
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PortSet other && Arrays.equals(bits, other.bits);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bits);
    }

    @Override
    public String toString() {
        return items().toString();
    }
}
