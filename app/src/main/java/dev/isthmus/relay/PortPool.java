package dev.isthmus.relay;

import java.security.SecureRandom;
import java.util.BitSet;
import java.util.random.RandomGenerator;

/**
 * The UDP ports of one relay address that the media relay and the TURN server hand out: single
 * ports, and even/odd pairs for RTP and RTCP (RFC 3550 §11: RTP on an even port, RTCP on the
 * next). Where a search starts is random (RFC 6056 §3.3.1's spirit, and RFC 8656 §7.2: relayed
 * ports SHOULD be chosen at random), so that an off-path attacker cannot guess the port of the
 * next call or allocation and inject media into it.
 *
 * <p>A port handed out may still be taken by another process: the caller that fails to bind it
 * calls {@link #release} and asks again; {@link #allocate} never returns the same port twice in a
 * row while others are free.
 *
 * <p>Thread-safe: allocations happen at call setup and allocation time, not per packet.
 */
public final class PortPool {
    private final int first;
    private final int last;
    private final BitSet used;
    private final RandomGenerator random;
    private int inUse;

    /** The ports {@code first..last}, both included, in 1..65535. */
    public PortPool(int first, int last) {
        this(first, last, new SecureRandom());
    }

    PortPool(int first, int last, RandomGenerator random) {
        if (first < 1 || last > 65535 || first > last) {
            throw new IllegalArgumentException("not a port range: " + first + "-" + last);
        }
        this.first = first;
        this.last = last;
        this.used = new BitSet(last - first + 1);
        this.random = random;
    }

    /** A free port, now taken; -1 when every port of the range is taken. */
    public synchronized int allocate() {
        int size = last - first + 1;
        if (inUse == size) {
            return -1;
        }
        int start = random.nextInt(size);
        int i = used.nextClearBit(start);
        if (i >= size) {
            i = used.nextClearBit(0);
        }
        used.set(i);
        inUse++;
        return first + i;
    }

    /**
     * A free even port whose odd successor is free too, both now taken (release with
     * {@link #releasePair}); -1 when no such pair is left.
     */
    public synchronized int allocatePair() {
        int lowEven = (first + 1) & ~1;
        int pairs = (last - lowEven + 1) / 2;
        if (pairs <= 0) {
            return -1;
        }
        int start = random.nextInt(pairs);
        for (int k = 0; k < pairs; k++) {
            int even = lowEven + 2 * ((start + k) % pairs);
            int i = even - first;
            if (!used.get(i) && !used.get(i + 1)) {
                used.set(i, i + 2);
                inUse += 2;
                return even;
            }
        }
        return -1;
    }

    /** Gives {@code port} back; a port that is not taken is ignored. */
    public synchronized void release(int port) {
        if (port < first || port > last || !used.get(port - first)) {
            return;
        }
        used.clear(port - first);
        inUse--;
    }

    /** Gives back the pair {@code even}, {@code even + 1} of {@link #allocatePair}. */
    public void releasePair(int even) {
        release(even);
        release(even + 1);
    }

    /** How many ports are taken. */
    public synchronized int inUse() {
        return inUse;
    }

    /** How many ports the range has. */
    public int size() {
        return last - first + 1;
    }

    @Override
    public String toString() {
        return first + "-" + last;
    }
}
