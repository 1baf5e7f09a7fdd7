package dev.isthmus.control;

import dev.isthmus.dataplane.DataplaneStats;
import dev.isthmus.xlat.XlatCounters;

/** {@link ControlServices#NO_DATAPLANE}: zero workers, so every per-worker read is out of range and never made. */
final class NoDataplane implements DataplaneStats {
    @Override
    public int workers() {
        return 0;
    }

    @Override
    public XlatCounters counters(int worker) {
        throw new IndexOutOfBoundsException(worker);
    }

    @Override
    public long packetsIn(int worker) {
        throw new IndexOutOfBoundsException(worker);
    }

    @Override
    public long packetsOut(int worker) {
        throw new IndexOutOfBoundsException(worker);
    }

    @Override
    public long ioErrors(int worker) {
        throw new IndexOutOfBoundsException(worker);
    }

    @Override
    public long superPacketsIn(int worker) {
        throw new IndexOutOfBoundsException(worker);
    }

    @Override
    public long offloadRefused(int worker) {
        throw new IndexOutOfBoundsException(worker);
    }

    @Override
    public long superPacketsOut(int worker) {
        throw new IndexOutOfBoundsException(worker);
    }
}
