package dev.isthmus.dataplane;

import dev.isthmus.xlat.XlatCounters;

/**
 * Live statistics of a running data plane, per worker (= per TUN queue), for the control
 * server and metrics. Values are written by the workers and read here without locks: they may
 * lag by one batch of packets, which is fine for statistics; each value only grows.
 */
public interface DataplaneStats {
    /** The number of workers; valid worker indexes are {@code 0..workers()-1}. */
    int workers();

    /** The worker's translator counters (drop reasons, translation paths); the live object. */
    XlatCounters counters(int worker);

    /** Packets (super-packets count once) read from the worker's queue. */
    long packetsIn(int worker);

    /**
     * Packets written to the worker's queue: translations, fragments, ICMP errors; the datagrams
     * of a coalesced UDP super-packet count one each.
     */
    long packetsOut(int worker);

    /** Failed reads and writes (each failure kind is also logged once). */
    long ioErrors(int worker);

    /** Reads that were TCP/UDP super-packets (offload; their segments are not counted apart). */
    long superPacketsIn(int worker);

    /** Reads dropped because their virtio-net header asked for an offload that does not fit the packet. */
    long offloadRefused(int worker);

    /** Writes that were UDP super-packets coalesced from datagrams of one flow (offload). */
    long superPacketsOut(int worker);
}
