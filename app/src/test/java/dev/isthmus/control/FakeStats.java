package dev.isthmus.control;

import dev.isthmus.dataplane.DataplaneStats;
import dev.isthmus.xlat.DropReason;
import dev.isthmus.xlat.Path;
import dev.isthmus.xlat.XlatCounters;
import java.lang.reflect.Field;

/**
 * A data plane that is not running: counters set by the test. {@link XlatCounters} counts only
 * from inside the translator, so its slots are set here through its private arrays (a rename there
 * fails these tests loudly, in {@link #set}).
 */
final class FakeStats implements DataplaneStats {
    final XlatCounters[] counters;
    final long[] in;
    final long[] out;
    final long[] ioErrors;
    final long[] superIn;
    final long[] refused;

    FakeStats(int workers) {
        counters = new XlatCounters[workers];
        for (int w = 0; w < workers; w++) {
            counters[w] = new XlatCounters();
        }
        in = new long[workers];
        out = new long[workers];
        ioErrors = new long[workers];
        superIn = new long[workers];
        refused = new long[workers];
    }

    /** Two workers with a few translations and drops (the numbers the tests look for). */
    static FakeStats sample() {
        FakeStats s = new FakeStats(2);
        s.in[0] = 120;
        s.in[1] = 80;
        s.out[0] = 117;
        s.out[1] = 79;
        s.ioErrors[1] = 1;
        s.path(0, Path.TCP_64, 60).path(1, Path.TCP_64, 40).path(0, Path.UDP_46, 55).path(1, Path.ICMP_INFO_64, 39);
        s.drop(0, DropReason.TTL_EXPIRED, 2).drop(0, DropReason.UNTRANSLATABLE_DESTINATION, 3)
                .drop(1, DropReason.UNTRANSLATABLE_DESTINATION, 1);
        return s;
    }

    FakeStats path(int worker, Path p, long value) {
        set(counters[worker], "paths", p.ordinal(), value);
        return this;
    }

    FakeStats drop(int worker, DropReason r, long value) {
        set(counters[worker], "drops", r.ordinal(), value);
        return this;
    }

    private static void set(XlatCounters c, String array, int index, long value) {
        try {
            Field f = XlatCounters.class.getDeclaredField(array);
            f.setAccessible(true);
            ((long[]) f.get(c))[index] = value;
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("XlatCounters no longer has a long[] " + array + "; update FakeStats", e);
        }
    }

    @Override
    public int workers() {
        return counters.length;
    }

    @Override
    public XlatCounters counters(int worker) {
        return counters[worker];
    }

    @Override
    public long packetsIn(int worker) {
        return in[worker];
    }

    @Override
    public long packetsOut(int worker) {
        return out[worker];
    }

    @Override
    public long ioErrors(int worker) {
        return ioErrors[worker];
    }

    @Override
    public long superPacketsIn(int worker) {
        return superIn[worker];
    }

    @Override
    public long offloadRefused(int worker) {
        return refused[worker];
    }

    @Override
    public long superPacketsOut(int worker) {
        return 0;
    }
}
