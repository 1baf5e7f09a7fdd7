package dev.isthmus.nat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An immutable set of TCP/UDP ports ({@code alg-ftp-ports = [21]}), asked once per packet of the
 * protocol it applies to: a 64 Kib bitmap, so that the question is one load and a shift.
 */
public final class PortSet {
    public static final PortSet NONE = new PortSet(new long[1024]);

    private final long[] bits;

    private PortSet(long[] bits) {
        this.bits = bits;
    }

    /** @throws IllegalArgumentException for a port outside 1-65535 */
    public static PortSet of(int... ports) {
        long[] bits = new long[1024];
        for (int p : ports) {
            if (p < 1 || p > 65535) {
                throw new IllegalArgumentException("port " + p + " is not in 1-65535");
            }
            bits[p >>> 6] |= 1L << p;
        }
        return new PortSet(bits);
    }

    public boolean contains(int port) {
        return (bits[port >>> 6 & 1023] >>> port & 1) != 0;
    }

    public boolean isEmpty() {
        for (long w : bits) {
            if (w != 0) {
                return false;
            }
        }
        return true;
    }

    /** The ports in ascending order. */
    public List<Integer> ports() {
        List<Integer> out = new ArrayList<>();
        for (int p = 1; p <= 65535; p++) {
            if (contains(p)) {
                out.add(p);
            }
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

    /** As the config writes it: {@code [21, 2121]}. */
    @Override
    public String toString() {
        return ports().toString();
    }
}
