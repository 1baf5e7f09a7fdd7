package dev.isthmus.nat;

import dev.isthmus.addr.Rfc6052Prefix;
import dev.isthmus.wire.BigEndian;
import dev.isthmus.wire.Checksum;
import dev.isthmus.wire.IcmpView;
import dev.isthmus.wire.IpProtocol;
import dev.isthmus.wire.Ipv4View;
import dev.isthmus.wire.Ipv6View;
import dev.isthmus.wire.PacketSink;
import dev.isthmus.wire.TcpView;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The packets the table's timers ask the NAT64 to originate: the TCP probe of an idle
 * ESTABLISHED session (RFC 6146 §3.5.2.2) and the ICMPv4 Port Unreachable for an IPv4 SYN that no
 * IPv6 SYN answered within TCP_INCOMING_SYN (RFC 5382 REQ-4; RFC 6146 §3.5.2.2).
 *
 * <p>As a {@link Nat64Listener} it runs under a shard's lock on the housekeeping thread: it only
 * builds the packet and queues a copy (bounded; overflow is counted in {@link #dropped}).
 * {@link #flush} hands the queue to the data plane after the sweep, outside every lock.
 */
public final class TimerPackets implements Nat64Listener {
    /** Packets held between two sweeps; a sweep that wants more drops and counts the rest. */
    static final int CAPACITY = 1024;
    private static final int TTL = 64;
    /** RFC 1812 §4.3.2.3: an ICMPv4 error carries at most 576 bytes in all. */
    private static final int ICMPV4_ERROR_MAX = 576;
    /** RFC 792: Destination Unreachable, code 3 Port Unreachable. */
    private static final int DESTINATION_UNREACHABLE = 3;
    private static final int PORT_UNREACHABLE = 3;

    private final Rfc6052Prefix pool6;
    private final ArrayBlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(CAPACITY);
    private final AtomicLong probes = new AtomicLong();
    private final AtomicLong unreachables = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private int nextId;

    /** @param pool6 the NAT64 prefix: a probe comes from the IPv4 peer's address embedded in it */
    public TimerPackets(Rfc6052Prefix pool6) {
        this.pool6 = pool6;
    }

    /**
     * RFC 6146 §3.5.2.2: "a TCP segment for the connection with no data. The sequence number and
     * acknowledgment number are set to zero. All flags but the ACK flag are set to zero." It goes
     * to the IPv6 endpoint, from (Y', y) as the session's translated packets come; a live host
     * answers with an ACK (RFC 9293 §3.10.7.4, the segment is not acceptable), which passes the
     * NAT64 and moves the session back to ESTABLISHED.
     */
    @Override
    public void probe(NatEvent e) {
        byte[] p = new byte[Ipv6View.HEADER + TcpView.MIN_HEADER];
        MemorySegment s = MemorySegment.ofArray(p);
        Ipv6View ip = new Ipv6View().wrap(s, 0);
        ip.setVersionClassFlow(0, 0).setPayloadLength(TcpView.MIN_HEADER).setNextHeader(IpProtocol.TCP)
                .setHopLimit(TTL).setSource(pool6.embedHi(e.z4()), pool6.embedLo(e.z4()))
                .setDestination(e.x6Hi(), e.x6Lo());
        int t = Ipv6View.HEADER;
        BigEndian.set16(s, t, e.z4Port());
        BigEndian.set16(s, t + 2, e.x6Port());
        // Sequence and acknowledgment numbers stay zero.
        BigEndian.set8(s, t + 12, (TcpView.MIN_HEADER / 4) << 4);
        BigEndian.set8(s, t + 13, TcpView.ACK);
        long sum = ip.pseudoHeaderSum(IpProtocol.TCP, TcpView.MIN_HEADER);
        BigEndian.set16(s, t + TcpView.CHECKSUM_OFFSET, Checksum.finish(Checksum.add(s, t, TcpView.MIN_HEADER, sum)));
        offer(p, probes);
    }

    /**
     * RFC 5382 REQ-4: ICMPv4 Destination Unreachable, Port Unreachable (3/3) about the stored
     * SYN, from the transport address it was sent to (T), quoting as much of it as was stored
     * (the IPv4 header and the whole TCP header at least; RFC 1812 §4.3.2.3 allows up to 576).
     */
    @Override
    public void storedSynExpired(NatEvent e) {
        MemorySegment syn = e.packet();
        int quoted = (int) Math.min(syn.byteSize(),
                ICMPV4_ERROR_MAX - Ipv4View.MIN_HEADER - IcmpView.HEADER);
        if (quoted < Ipv4View.MIN_HEADER) {
            return;
        }
        Ipv4View synIp = new Ipv4View().wrap(syn, 0);
        int total = Ipv4View.MIN_HEADER + IcmpView.HEADER + quoted;
        byte[] p = new byte[total];
        MemorySegment s = MemorySegment.ofArray(p);
        MemorySegment.copy(syn, 0, s, Ipv4View.MIN_HEADER + IcmpView.HEADER, quoted);
        new Ipv4View().wrap(s, 0).setVersionIhl(5).setTos(0).setTotalLength(total).setIdentification(nextId++ & 0xffff)
                .setFragment(false, false, 0).setTtl(TTL).setProtocol(IpProtocol.ICMP)
                .setSource(synIp.destination()).setDestination(synIp.source()).fillChecksum();
        new IcmpView().wrap(s, Ipv4View.MIN_HEADER).setTypeCode(DESTINATION_UNREACHABLE, PORT_UNREACHABLE).setRest(0)
                .fillIpv4Checksum(IcmpView.HEADER + quoted);
        offer(p, unreachables);
    }

    private void offer(byte[] packet, AtomicLong kind) {
        if (queue.offer(packet)) {
            kind.incrementAndGet();
        } else {
            dropped.incrementAndGet();
        }
    }

    /** Hands every queued packet to {@code out} (or discards them when null); returns how many. */
    public int flush(PacketSink out) {
        int n = 0;
        for (byte[] p = queue.poll(); p != null; p = queue.poll()) {
            if (out != null) {
                out.emit(MemorySegment.ofArray(p), 0, p.length);
                n++;
            }
        }
        return n;
    }

    /** TCP probes built (RFC 6146 §3.5.2.2). */
    public long probes() {
        return probes.get();
    }

    /** ICMPv4 port unreachables built for stored SYNs (RFC 5382 REQ-4). */
    public long unreachables() {
        return unreachables.get();
    }

    /** Packets not queued because a sweep asked for more than {@link #CAPACITY}. */
    public long dropped() {
        return dropped.get();
    }
}
