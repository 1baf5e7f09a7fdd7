package dev.isthmus.nat;

import dev.isthmus.alg.ftp.ActiveMapper;
import dev.isthmus.alg.ftp.Ftp64Control;
import dev.isthmus.alg.ftp.FtpAlgCounters;
import dev.isthmus.xlat.NanoClock;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;

/**
 * The FTP ALG of RFC 6384 as the stateful NAT64 runs it: which TCP sessions it follows (those to
 * an IPv4 server port of {@link Nat64Settings#ftpAlgPorts}), one {@link Ftp64Control} per
 * control connection, shared by every worker of one {@link Nat64Table} (the two directions of a
 * connection may meet different workers), and the active-mode mapping (RFC 6384 §5.3) made in
 * the table.
 *
 * <p>A control connection is followed from its client's SYN to the end of its NAT64 session: the
 * table's {@link Nat64Listener#sessionEnded} removes it (a map removal, quick enough for the
 * shard lock it is called under). It is closed ({@link Ftp64Control#close}) later, outside that
 * lock: a worker inside the control's monitor may be waiting for the shard's lock, to make an
 * active-mode mapping, so taking the monitor under the lock could deadlock. At most {@link #MAX_CONTROL_CONNECTIONS} are followed at
 * once; beyond, a new one passes untouched, as plain NAT64 would pass it, and is counted
 * ({@link #notFollowed}): an FTP server that offers PASV and PORT still works through it.
 *
 * <p>Not mapped: the TCP header an ICMP error quotes. An error about a control segment (a
 * Packet Too Big, say) quotes its sequence number as the sender of the error saw it, in the other
 * side's numbering once a rewrite changed a length, and the endpoint may find it outside its
 * window and ignore the error. Control segments are short lines, far below any MTU, so this is
 * left as it is.
 */
public final class FtpAlg {
    /**
     * Control connections followed at once. Each holds a few KiB at most (a line being
     * completed per direction), so the bound keeps the ALG's memory within tens of MiB however
     * many control connections a subscriber base opens.
     */
    public static final int MAX_CONTROL_CONNECTIONS = 16_384;
    /**
     * The port the synthetic session of an active-mode mapping names: RFC 959 §3.2 has the server
     * connect from L-1 = 20; from any other port it still gets in (see {@link #mapActive}).
     */
    static final int FTP_DATA_PORT = 20;

    private final Nat64Table table;
    private final PortSet ports;
    private final int limit;
    private final FtpAlgCounters counters = new FtpAlgCounters();
    private final LongAdder notFollowed = new LongAdder();
    private final ConcurrentHashMap<Key, Ftp64Control> controls = new ConcurrentHashMap<>();
    /** Ended under a shard lock, to be closed outside it. */
    private final ConcurrentLinkedQueue<Ftp64Control> ended = new ConcurrentLinkedQueue<>();

    /** A control connection: the client (X',x) and the server (Z,z). */
    private record Key(long x6Hi, long x6Lo, int x, int z4, int z) {}

    FtpAlg(Nat64Table table, PortSet ports, int limit) {
        this.table = table;
        this.ports = ports;
        this.limit = limit;
    }

    /** Whether the TCP sessions with IPv4 server port {@code z} are followed: the one check on the fast path. */
    boolean follows(int z) {
        return ports.contains(z);
    }

    /** The ALG's counters, with the connections that ended closed first. */
    public FtpAlgCounters counters() {
        closeEnded();
        return counters;
    }

    /** Control connections left untouched because {@link #MAX_CONTROL_CONNECTIONS} were followed. */
    public long notFollowed() {
        return notFollowed.sum();
    }

    /** Control connections followed now. */
    public int following() {
        return controls.size();
    }

    /**
     * The client's SYN of a control connection (X',x) → (Z,z) that left from T: it starts (or
     * starts again, for a new connection on the same ports) with a fresh ALG state.
     *
     * @param clock the worker's clock, which the active-mode mappings of this connection use
     * @return the connection's state, or null when it is not followed (the limit)
     */
    Ftp64Control start(long x6Hi, long x6Lo, int x, int z4, int z, int t4, NanoClock clock) {
        closeEnded();
        Key k = new Key(x6Hi, x6Lo, x, z4, z);
        if (!controls.containsKey(k) && controls.size() >= limit) {
            notFollowed.increment();
            return null;
        }
        ActiveMapper mapper = (hi, lo, p, server) -> mapActive(hi, lo, p, server, t4, clock.nanoTime());
        Ftp64Control c = new Ftp64Control(x6Hi, x6Lo, z4, t4, mapper, counters);
        Ftp64Control before = controls.put(k, c);
        if (before != null) {
            before.close();
        }
        return c;
    }

    private void closeEnded() {
        for (Ftp64Control c = ended.poll(); c != null; c = ended.poll()) {
            c.close();
        }
    }

    /** The followed control connection (X',x) ↔ (Z,z), or null. */
    Ftp64Control find(long x6Hi, long x6Lo, int x, int z4, int z) {
        return controls.get(new Key(x6Hi, x6Lo, x, z4, z));
    }

    /**
     * RFC 6384 §5.3 (EPRT → PORT): the BIB entry through which the server's data connection from Z
     * reaches (X',p), made before the PORT that names it leaves. It is made as if X' had sent a
     * SYN from p to (Z,20) — the table's own rules, limits and paired pooling apply, and nothing
     * is special in it: the session V6 INIT lets a SYN from (Z,20) in as a simultaneous open
     * (RFC 6146 §3.5.2.2); a SYN from another port of Z finds the BIB entry, which
     * endpoint-independent filtering opens to anyone, and address-dependent filtering to Z, since
     * X' has a session with Z now (RFC 4787 REQ-8). The session to (Z,20), if nothing uses it,
     * ends after TCP_TRANS as any unanswered SYN's would. With {@code drop-external-tcp}-style
     * policy ({@link Nat64Settings#dropExternalTcp}) only a connection from port 20 gets in.
     *
     * @param controlT T of the control connection: FTP servers check that the PORT names the
     *     client's address (the control connection's peer), so a mapping on another T is useless
     * @return {@code T << 16 | t}, or -1 (a limit, the pool, or a BIB entry of (X',p) on another T)
     */
    long mapActive(long x6Hi, long x6Lo, int p, int z4, int controlT, long nowNanos) {
        NatResult r = new NatResult(); // EPRT is rare; a worker's own result may be mid-packet
        NatVerdict v = table.outbound(r, NatProtocol.TCP, x6Hi, x6Lo, p, z4, FTP_DATA_PORT, TcpState.SYN, nowNanos);
        if (v != NatVerdict.OK || r.t4() != controlT) {
            return -1;
        }
        return (r.t4() & 0xffff_ffffL) << 16 | r.t4Port();
    }

    /** The table's listener with the ALG's bookkeeping in front: {@code next} hears everything as before. */
    Nat64Listener listener(Nat64Listener next) {
        return new Nat64Listener() {
            @Override
            public void sessionStarted(NatEvent e) {
                next.sessionStarted(e);
            }

            @Override
            public void sessionEnded(NatEvent e) {
                if (e.protocol() == NatProtocol.TCP && ports.contains(e.z4Port())) {
                    Ftp64Control c = controls.remove(new Key(e.x6Hi(), e.x6Lo(), e.x6Port(), e.z4(), e.z4Port()));
                    if (c != null) {
                        ended.add(c);
                    }
                }
                next.sessionEnded(e);
            }

            @Override
            public void bibCreated(NatEvent e) {
                next.bibCreated(e);
            }

            @Override
            public void bibRemoved(NatEvent e) {
                next.bibRemoved(e);
            }

            @Override
            public void subscriberStarted(NatEvent e) {
                next.subscriberStarted(e);
            }

            @Override
            public void subscriberEnded(NatEvent e) {
                next.subscriberEnded(e);
            }

            @Override
            public void probe(NatEvent e) {
                next.probe(e);
            }

            @Override
            public void storedSynExpired(NatEvent e) {
                next.storedSynExpired(e);
            }
        };
    }
}
