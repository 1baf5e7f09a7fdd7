package dev.isthmus.nat;

import dev.isthmus.addr.Ipv4Special;
import dev.isthmus.addr.Rfc6052Prefix;
import dev.isthmus.alg.ftp.Ftp64Control;
import dev.isthmus.wire.BigEndian;
import dev.isthmus.wire.Checksum;
import dev.isthmus.wire.IpProtocol;
import dev.isthmus.wire.PacketBuffer;
import dev.isthmus.wire.PacketSink;
import dev.isthmus.xlat.DropReason;
import dev.isthmus.xlat.NanoClock;
import dev.isthmus.xlat.Offload;
import dev.isthmus.xlat.PacketTranslator;
import dev.isthmus.xlat.Path;
import dev.isthmus.xlat.Trace;
import dev.isthmus.xlat.Translator;
import dev.isthmus.xlat.Verdict;
import dev.isthmus.xlat.XlatCounters;
import dev.isthmus.xlat.XlatSettings;
import java.lang.foreign.MemorySegment;

/**
 * Stateful NAT64, RFC 6146, for one worker: the {@link Nat64Table} decides, the stateless
 * translator translates.
 *
 * <p>For each packet, in the RFC's order: determine the incoming tuple (§3.4) from the headers
 * — for an ICMP error, from the packet inside it —; filter and update the state (§3.5) in the
 * shared table, which gives the outgoing tuple (§3.6); then translate (§3.7). The translation is
 * the stateless one of RFC 7915 with the table's answer as one extra address mapping (X' ↔ T,
 * {@link CurrentMapping}) and pool6 for the other side (so RFC 6052 §3.1's rule about non-global
 * IPv4 addresses under the Well-Known Prefix holds here too); the port or ICMP identifier is then
 * replaced in the translated packet, checksums updated incrementally ({@link PortRewrite}). The
 * stateless translator therefore sees the packet as it arrived, and any ICMP error it originates
 * (Time Exceeded, Packet Too Big...) quotes the client's own ports.
 *
 * <p>Hairpinning (§3.8): a TCP or UDP packet from X2' to Pref64::T1 never becomes IPv4. Both
 * lookups are made — outbound, which gives X2' its (T2,t2), and inbound from (T2,t2) to (T1,t1),
 * which finds X1' — and the IPv6 packet is rewritten in place to (Pref64::T2,t2) → (X1',x1). An
 * ICMPv6 error about such a packet goes back to X2' the same way, never as ICMPv4 (RFC 5508
 * REQ-7).
 *
 * <p>Fragments (§3.4) are translated one by one, not reassembled: the first carries the ports and
 * gets the table's answer; the others follow its mapping ({@link FragmentTracker}), and those
 * that arrive before it wait for it (2 s at most).
 *
 * <p>The FTP ALG (RFC 6384, {@link FtpAlg}): a TCP segment of a session whose IPv4 server port is
 * one of {@link Nat64Settings#ftpAlgPorts} — the destination port 6→4, the source port 4→6 —
 * that is not hairpinned is translated as any other, then handed to its control connection's
 * {@link Ftp64Control} and rewritten in place ({@link FtpAlgSegments}) before it leaves. Every
 * other packet pays one bitmap lookup for it.
 */
public final class Nat64Translator implements PacketTranslator {
    private static final int V6 = 40;
    private static final int ICMP_HEADER = 8;
    private static final int TCP_ACK = 0x10;
    /** The most extension headers walked before the upper layer; more is refused as unsupported. */
    private static final int MAX_EXTENSIONS = 8;
    /** Datagrams whose fragments a worker can follow at once. */
    private static final int FRAGMENT_ENTRIES = 4096;

    private final Nat64Table table;
    private final Pool4 pool4;
    private final Rfc6052Prefix pool6;
    private final NanoClock clock;
    private final Translator stateless;
    private final CurrentMapping current = new CurrentMapping();
    private final NatResult result = new NatResult();
    private final Out64 out64 = new Out64();
    private final Offload noOffload = new Offload();
    private final FragmentTracker fragments = new FragmentTracker(FRAGMENT_ENTRIES);
    // The identity of the datagram when the packet in hand is its first fragment.
    private boolean firstFragment;
    private long fragA;
    private long fragB;
    private long fragC;
    private long fragD;
    private long fragE;
    private final Out46 out46 = new Out46();
    private boolean lastUsedTable;
    private final FtpAlg ftpAlg;
    /** The ALG's hand that ran on the last packet, or null. */
    private FtpAlgSegments algRan;

    /**
     * @param settings the stateless settings: pool6 must be the NAT64 prefix, and no EAM entry
     *     (an IPv4 address is either a pool4 address or a pool6-embedded one here)
     */
    public Nat64Translator(Nat64Table table, XlatSettings settings, XlatCounters counters, NanoClock clock) {
        if (settings.pool6() == null) {
            throw new IllegalArgumentException("stateful NAT64 needs pool6");
        }
        this.table = table;
        this.pool4 = table.settings().pool4();
        this.pool6 = settings.pool6();
        this.clock = clock;
        this.stateless = new Translator(settings, counters, clock, current);
        this.ftpAlg = table.ftpAlg();
        out64.alg = new FtpAlgSegments(true);
        out46.alg = new FtpAlgSegments(false);
    }

    @Override
    public Verdict translate(PacketBuffer pkt, PacketSink out) {
        noOffload.clear();
        return translate(pkt, out, noOffload);
    }

    @Override
    public Verdict translate(PacketBuffer pkt, PacketSink out, Offload offload) {
        current.clear();
        lastUsedTable = false;
        firstFragment = false;
        algRan = null;
        if (pkt.length() < 1) {
            return stateless.translate(pkt, out, offload);
        }
        int version = BigEndian.u8(pkt.segment(), pkt.offset()) >>> 4;
        if (version == 6) {
            return translate64(pkt, out, offload);
        }
        if (version == 4) {
            return translate46(pkt, out, offload, false);
        }
        return stateless.translate(pkt, out, offload);
    }

    @Override
    public Trace trace() {
        return stateless.trace();
    }

    @Override
    public XlatSettings settings() {
        return stateless.settings();
    }

    /** This worker's counts of the table's verdicts. */
    public NatCounters natCounters() {
        return result.counters();
    }

    /**
     * The table's answer for the last packet (verdict, BIB entry, session state), or null when
     * the packet never reached the table (malformed, not for pool6 or pool4...).
     */
    public NatResult lastResult() {
        return lastUsedTable ? result : null;
    }

    /**
     * What the FTP ALG did to the last packet (e.g. "ftp-alg: EPSV → PASV"), empty when it did
     * nothing or did not see the packet: for {@code translate --explain}.
     */
    public String lastAlgExplain() {
        return algRan == null ? "" : algRan.explain();
    }

    // ------------------------------------------------------------------ IPv6 → IPv4

    private Verdict translate64(PacketBuffer pkt, PacketSink out, Offload offload) {
        MemorySegment s = pkt.segment();
        int off = pkt.offset();
        int len = pkt.length();
        if (len < V6 || BigEndian.u16(s, off + 4) > len - V6) {
            return stateless.translate(pkt, out, offload); // malformed: the stateless drop says how
        }
        int end = off + V6 + BigEndian.u16(s, off + 4);
        long srcHi = BigEndian.u64(s, off + 8);
        long srcLo = BigEndian.u64(s, off + 16);
        long dstHi = BigEndian.u64(s, off + 24);
        long dstLo = BigEndian.u64(s, off + 32);
        if (!pool6.contains(dstHi, dstLo)) {
            // Not for the NAT64: refused by the stateless rules (no mapping covers it).
            return stateless.translate(pkt, out, offload);
        }
        if (pool6.contains(srcHi, srcLo)) {
            return stateless.refuse(pkt, DropReason.SOURCE_IN_POOL6, -1, 0, out);
        }
        int nh = BigEndian.u8(s, off + 6);
        int at = off + V6;
        for (int i = 0; nh != IpProtocol.TCP && nh != IpProtocol.UDP && nh != IpProtocol.ICMPV6; i++) {
            if (at + 8 > end) {
                return stateless.translate(pkt, out, offload); // malformed: the stateless drop says how
            }
            if (nh == IpProtocol.FRAGMENT) {
                int word = BigEndian.u16(s, at + 2);
                int inner = BigEndian.u8(s, at);
                if ((word & 0xfff9) == 0) {
                    // An atomic fragment (offset 0, no more): the whole datagram, ports and all.
                    nh = inner;
                    at += 8;
                    continue;
                }
                if (inner != IpProtocol.TCP && inner != IpProtocol.UDP) {
                    return stateless.refuse(pkt, inner == IpProtocol.ICMPV6 ? DropReason.FRAGMENTED_ICMP
                            : DropReason.PROTOCOL_UNSUPPORTED, -1, 0, out);
                }
                long tag = FragmentTracker.tag(BigEndian.u32(s, at + 4), inner, 6);
                if ((word & 0xfff8) != 0) {
                    return laterFragment64(pkt, out, offload, srcHi, srcLo, dstHi, dstLo, tag);
                }
                // The first fragment: the ports are here; its mapping is kept for the rest.
                firstFragment = true;
                fragA = srcHi;
                fragB = srcLo;
                fragC = dstHi;
                fragD = dstLo;
                fragE = tag;
                nh = inner;
                at += 8;
                continue;
            }
            if (!IpProtocol.isSkippableExtension(nh) || i == MAX_EXTENSIONS) {
                return stateless.refuse(pkt, DropReason.PROTOCOL_UNSUPPORTED, -1, 0, out);
            }
            nh = BigEndian.u8(s, at);
            at += 8 * (BigEndian.u8(s, at + 1) + 1);
        }
        int l4 = end - at;
        int z4 = pool6.extract(dstHi, dstLo);
        if (pool6.isWellKnown() && Ipv4Special.isNonGlobal(z4)) {
            // RFC 6052 §3.1, before any state: the stateless translator refuses it, and says so.
            return stateless.translate(pkt, out, offload);
        }
        if (nh == IpProtocol.ICMPV6) {
            if (l4 < ICMP_HEADER) {
                return stateless.translate(pkt, out, offload);
            }
            int type = BigEndian.u8(s, at);
            if (type < 128) {
                return error64(pkt, out, offload, s, at + ICMP_HEADER, end, srcHi, srcLo);
            }
            if (type != 128 && type != 129) {
                return stateless.refuse(pkt, DropReason.ICMP_TYPE_UNSUPPORTED, -1, 0, out);
            }
            return outbound(pkt, out, offload, NatProtocol.ICMP, srcHi, srcLo, BigEndian.u16(s, at + 4), z4, 0, 0);
        }
        if (l4 < (nh == IpProtocol.TCP ? 20 : 8)) {
            return stateless.translate(pkt, out, offload);
        }
        NatProtocol p = nh == IpProtocol.TCP ? NatProtocol.TCP : NatProtocol.UDP;
        int flags = p == NatProtocol.TCP ? BigEndian.u8(s, at + 13) : 0;
        return outbound(pkt, out, offload, p, srcHi, srcLo, BigEndian.u16(s, at), z4, BigEndian.u16(s, at + 2), flags);
    }

    private Verdict outbound(PacketBuffer pkt, PacketSink out, Offload offload, NatProtocol p, long srcHi,
            long srcLo, int x, int z4, int z, int flags) {
        lastUsedTable = true;
        NatVerdict v = table.outbound(result, p, srcHi, srcLo, x, z4, z, flags, clock.nanoTime());
        if (v != NatVerdict.OK) {
            return refused(pkt, v, out);
        }
        if (pool4.contains(z4)) {
            return hairpin(pkt, out, offload, p, z4, z, flags);
        }
        Ftp64Control control = null;
        if (ftpAlg != null && p == NatProtocol.TCP && ftpAlg.follows(z)) {
            // The client's SYN starts a control connection (again, for a new one on the same ports).
            control = (flags & (TcpState.SYN | TCP_ACK)) == TcpState.SYN
                    ? ftpAlg.start(srcHi, srcLo, x, z4, z, result.t4(), clock)
                    : ftpAlg.find(srcHi, srcLo, x, z4, z);
            if (control != null && firstFragment) {
                return stateless.refuse(pkt, DropReason.FTP_ALG_FRAGMENT, -1, 0, out);
            }
        }
        current.set(srcHi, srcLo, result.t4());
        Verdict verdict = stateless.translate(pkt, out64.arm(out, offload, false, result.t4Port(), control), offload);
        if (control != null) {
            return algVerdict(pkt, out, out64, verdict);
        }
        if (firstFragment && verdict == Verdict.TRANSLATED) {
            fragments.remember(fragA, fragB, fragC, fragD, fragE, srcHi, srcLo, result.t4(), clock.nanoTime());
            releaseHeld(out, out64);
        }
        return verdict;
    }

    /**
     * A later fragment 6→4: translated with the mapping its first fragment got (no port in it to
     * rewrite), or held for the first when that has not come yet.
     */
    private Verdict laterFragment64(PacketBuffer pkt, PacketSink out, Offload offload, long srcHi, long srcLo,
            long dstHi, long dstLo, long tag) {
        long now = clock.nanoTime();
        int slot = fragments.find(srcHi, srcLo, dstHi, dstLo, tag, now);
        if (slot < 0) {
            return hold(pkt, out, srcHi, srcLo, dstHi, dstLo, tag, now);
        }
        current.set(fragments.x6Hi(slot), fragments.x6Lo(slot), fragments.t4(slot));
        return stateless.translate(pkt, out64.arm(out, offload, false, 0), offload);
    }

    /** A later fragment 4→6, as {@link #laterFragment64}. */
    private Verdict laterFragment46(PacketBuffer pkt, PacketSink out, Offload offload, long key, long tag) {
        long now = clock.nanoTime();
        int slot = fragments.find(key, 0, 0, 0, tag, now);
        if (slot < 0) {
            return hold(pkt, out, key, 0, 0, 0, tag, now);
        }
        current.set(fragments.x6Hi(slot), fragments.x6Lo(slot), fragments.t4(slot));
        return stateless.translate(pkt, out46.arm(out, offload, false, 0), offload);
    }

    private Verdict hold(PacketBuffer pkt, PacketSink out, long a, long b, long c, long d, long tag, long now) {
        int expired = fragments.expireHeld(now);
        if (expired > 0) {
            result.counters().fragmentsTimedOut(expired);
        }
        boolean held = fragments.hold(pkt.segment(), pkt.offset(), pkt.length(), a, b, c, d, tag, now);
        return stateless.refuse(pkt, held ? DropReason.NAT64_FRAGMENT_HELD : DropReason.NAT64_FRAGMENT_REFUSED, -1, 0,
                out);
    }

    /**
     * After a first fragment: the later fragments of its datagram that came ahead of it, now
     * translated with its mapping (held ones only exist on this rare path).
     */
    private void releaseHeld(PacketSink out, PortSink sink) {
        if (!fragments.holdsAny()) {
            return;
        }
        int slot = fragments.find(fragA, fragB, fragC, fragD, fragE, clock.nanoTime());
        for (PacketBuffer b = fragments.takeHeld(fragA, fragB, fragC, fragD, fragE); b != null && slot >= 0;
                b = fragments.takeHeld(fragA, fragB, fragC, fragD, fragE)) {
            current.set(fragments.x6Hi(slot), fragments.x6Lo(slot), fragments.t4(slot));
            noOffload.clear();
            stateless.translate(b, sink.arm(out, noOffload, false, 0), noOffload);
        }
    }

    /**
     * RFC 6146 §3.8: after the outbound lookup gave X2' its (T2,t2), the packet is an IPv4 packet
     * from (T2,t2) to (T1,t1) in all but form; the inbound lookup finds X1',x1 and the IPv6 packet
     * leaves as (Pref64::T2,t2) → (X1',x1), Hop Limit decremented, checksum updated (RFC 1624).
     */
    private Verdict hairpin(PacketBuffer pkt, PacketSink out, Offload offload, NatProtocol p, int t1, int t1Port,
            int flags) {
        MemorySegment s = pkt.segment();
        int off = pkt.offset();
        if (p == NatProtocol.ICMP) {
            // A query to a pool4 address asks the translator itself, which answers none.
            return stateless.refuse(pkt, DropReason.NAT64_REFUSED, -1, 0, out);
        }
        int protocol = p == NatProtocol.TCP ? IpProtocol.TCP : IpProtocol.UDP;
        int upper = off + V6;
        if (BigEndian.u8(s, off + 6) != protocol) {
            return stateless.refuse(pkt, DropReason.PROTOCOL_UNSUPPORTED, -1, 0, out); // extension headers
        }
        int checksumAt = PortRewrite.checksumAt(protocol, upper);
        int c = BigEndian.u16(s, checksumAt);
        boolean partial = offload.partialChecksum;
        if (c == 0 && protocol == IpProtocol.UDP && !partial) {
            return stateless.refuse(pkt, DropReason.BAD_L4_HEADER, -1, 0, out); // RFC 8200 §8.1
        }
        int hopLimit = BigEndian.u8(s, off + 7);
        if (hopLimit <= 1) {
            return stateless.refuse(pkt, DropReason.TTL_EXPIRED, 3, 0, out);
        }
        int t2 = result.t4();
        int t2Port = result.t4Port();
        NatVerdict v = table.inbound(result, p, t2, t2Port, t1, t1Port, flags, clock.nanoTime(), s, off, pkt.length());
        if (v != NatVerdict.OK) {
            return refused(pkt, v, out);
        }
        long oldSum = Checksum.add(s, off + 8, 32, 0);
        long srcHi = pool6.embedHi(t2);
        long srcLo = pool6.embedLo(t2);
        BigEndian.set64(s, off + 8, srcHi);
        BigEndian.set64(s, off + 16, srcLo);
        BigEndian.set64(s, off + 24, result.x6Hi());
        BigEndian.set64(s, off + 32, result.x6Lo());
        BigEndian.set8(s, off + 7, hopLimit - 1);
        int delta = Checksum.delta(oldSum, Checksum.add(s, off + 8, 32, 0));
        // A partial checksum is the uncomplemented pseudo-header sum: P' = P + ~m + m'. It covers
        // no port, the device adds those.
        BigEndian.set16(s, checksumAt, partial ? ~Checksum.applyDelta(~c & 0xffff, delta) & 0xffff
                : Checksum.applyDelta(c, delta));
        int sum = partial ? -1 : checksumAt;
        PortRewrite.rewrite(s, upper, t2Port, sum, protocol == IpProtocol.UDP);
        PortRewrite.rewrite(s, upper + 2, result.x6Port(), sum, protocol == IpProtocol.UDP);
        out.emit(s, off, pkt.length());
        return stateless.hairpinned();
    }

    /**
     * An ICMPv6 error about a packet this NAT64 sent to X' (inner: source Y' = Pref64::Z, port z;
     * destination X', port x). The state is only read (RFC 5508 REQ-6, RFC 5382 REQ-10).
     */
    private Verdict error64(PacketBuffer pkt, PacketSink out, Offload offload, MemorySegment s, int inner, int end,
            long srcHi, long srcLo) {
        int upper = inner + V6;
        if (upper + 8 > end || BigEndian.u8(s, inner) >>> 4 != 6) {
            return stateless.translate(pkt, out, offload); // the stateless checks name the fault
        }
        long ySrcHi = BigEndian.u64(s, inner + 8);
        long ySrcLo = BigEndian.u64(s, inner + 16);
        long xHi = BigEndian.u64(s, inner + 24);
        long xLo = BigEndian.u64(s, inner + 32);
        int nh = BigEndian.u8(s, inner + 6);
        if (nh == IpProtocol.FRAGMENT) {
            // The quoted packet is one this NAT64 sent to X': RFC 7915 §4.1 gives every
            // translated IPv4 fragment a Fragment Header, and adds no other extension header.
            // Its ports follow that header (RFC 6146 §3.5.3: the tuple is the inner packet's),
            // as the stateless translator reads them (RFC 7915 §5.3). A later fragment carries no
            // ports (RFC 8200 §4.5): no tuple, so no session to match (RFC 6146 §3.4).
            if (upper + 16 > end || (BigEndian.u16(s, upper + 2) & 0xfff8) != 0) {
                return stateless.refuse(pkt, DropReason.ICMP_ERROR_BAD_INNER, -1, 0, out);
            }
            nh = BigEndian.u8(s, upper);
            upper += 8;
        }
        NatProtocol p;
        int x;
        int z;
        if (nh == IpProtocol.TCP || nh == IpProtocol.UDP) {
            p = nh == IpProtocol.TCP ? NatProtocol.TCP : NatProtocol.UDP;
            z = BigEndian.u16(s, upper);
            x = BigEndian.u16(s, upper + 2);
        } else if (nh == IpProtocol.ICMPV6 && BigEndian.u8(s, upper) >= 128) {
            p = NatProtocol.ICMP;
            z = 0;
            x = BigEndian.u16(s, upper + 4);
        } else {
            return stateless.refuse(pkt, DropReason.ICMP_ERROR_BAD_INNER, -1, 0, out);
        }
        if (!pool6.contains(ySrcHi, ySrcLo)) {
            return stateless.refuse(pkt, DropReason.ICMP_ERROR_BAD_INNER, -1, 0, out);
        }
        lastUsedTable = true;
        int z4 = pool6.extract(ySrcHi, ySrcLo);
        NatVerdict v = table.findOutbound(result, p, xHi, xLo, x, z4, z);
        if (v != NatVerdict.OK) {
            return stateless.refuse(pkt, DropReason.NAT64_REFUSED, -1, 0, out); // no error about an error
        }
        if (pool4.contains(z4)) {
            return hairpinError(pkt, out, s, inner - ICMP_HEADER, inner, upper, end, nh, z4, z);
        }
        current.set(xHi, xLo, result.t4());
        current.alias(srcHi, srcLo);
        return stateless.translate(pkt, out64.arm(out, offload, true, result.t4Port()), offload);
    }

    /**
     * RFC 6146 §3.8 with RFC 5508 REQ-7: an ICMPv6 error about a packet this NAT64 hairpinned.
     * X2' sent (X2',x2) → (Pref64::T1,t1); X1' got it as (Pref64::T2,t2) → (X1',x1), and that is
     * what the error quotes. The error goes back to X2' about the packet X2' sent: inner source
     * (X2',x2), inner destination (Pref64::T1,t1), the addresses and ports X2' used; the outer
     * source is Pref64::T1, X1' 's side as X2' knows it, whoever on that side wrote the error
     * (the address an error from there leaves from on the IPv4 path, RFC 6146 §3.5.3, in its
     * IPv6 form). The table answered (X1',x1) ↔ (T1,t1); the inbound lookup of (T1,t1) →
     * (T2,t2) finds X2'. Both only read state (RFC 5508 REQ-6).
     *
     * <p>The error never becomes ICMPv4: it is rewritten in place, IPv6 in and IPv6 out with the
     * same headers, so nothing changes size — a Packet Too Big's MTU holds as reported (RFC 7915
     * §5.2's 20 bytes are for a header that changes family) and a Parameter Problem's pointer
     * still points at the same byte. The inner transport checksum follows its pseudo-header and
     * ports (RFC 1624); the outer ICMPv6 checksum, verified first, is computed anew.
     */
    private Verdict hairpinError(PacketBuffer pkt, PacketSink out, MemorySegment s, int icmp, int inner, int upper,
            int end, int protocol, int t2, int t2Port) {
        int off = pkt.offset();
        if (protocol != IpProtocol.TCP && protocol != IpProtocol.UDP) {
            // An ICMP query is never hairpinned (see hairpin), so no error can be about one.
            return stateless.refuse(pkt, DropReason.NAT64_REFUSED, -1, 0, out);
        }
        long srcHi = BigEndian.u64(s, off + 8);
        long srcLo = BigEndian.u64(s, off + 16);
        long dstHi = BigEndian.u64(s, off + 24);
        long dstLo = BigEndian.u64(s, off + 32);
        int icmpLength = end - icmp;
        if (!Checksum.verifies(Checksum.add(s, icmp, icmpLength,
                Checksum.ipv6Pseudo(srcHi, srcLo, dstHi, dstLo, IpProtocol.ICMPV6, icmpLength)))) {
            return stateless.refuse(pkt, DropReason.BAD_ICMP_CHECKSUM, -1, 0, out);
        }
        int hopLimit = BigEndian.u8(s, off + 7);
        if (hopLimit <= 1) {
            return stateless.refuse(pkt, DropReason.TTL_EXPIRED, -1, 0, out); // no error about an error
        }
        NatProtocol p = protocol == IpProtocol.TCP ? NatProtocol.TCP : NatProtocol.UDP;
        int t1 = result.t4();
        int t1Port = result.t4Port();
        if (table.findInbound(result, p, t1, t1Port, t2, t2Port) != NatVerdict.OK) {
            return stateless.refuse(pkt, DropReason.NAT64_REFUSED, -1, 0, out);
        }
        long t1Hi = pool6.embedHi(t1);
        long t1Lo = pool6.embedLo(t1);
        long oldInner = Checksum.add(s, inner + 8, 32, Checksum.add(s, upper, 4, 0));
        BigEndian.set64(s, inner + 8, result.x6Hi());
        BigEndian.set64(s, inner + 16, result.x6Lo());
        BigEndian.set64(s, inner + 24, t1Hi);
        BigEndian.set64(s, inner + 32, t1Lo);
        BigEndian.set16(s, upper, result.x6Port());
        BigEndian.set16(s, upper + 2, t1Port);
        int checksumAt = PortRewrite.checksumAt(protocol, upper);
        if (checksumAt + 2 <= end) {
            int c = BigEndian.u16(s, checksumAt);
            if (c != 0 || protocol == IpProtocol.TCP) { // a zero UDP checksum is "none"
                c = Checksum.adjust(c, oldInner, Checksum.add(s, inner + 8, 32, Checksum.add(s, upper, 4, 0)));
                BigEndian.set16(s, checksumAt, c == 0 && protocol == IpProtocol.UDP ? 0xffff : c);
            }
        }
        BigEndian.set64(s, off + 8, t1Hi);
        BigEndian.set64(s, off + 16, t1Lo);
        BigEndian.set64(s, off + 24, result.x6Hi());
        BigEndian.set64(s, off + 32, result.x6Lo());
        BigEndian.set8(s, off + 7, hopLimit - 1);
        BigEndian.set16(s, icmp + 2, 0);
        BigEndian.set16(s, icmp + 2, Checksum.finish(Checksum.add(s, icmp, icmpLength,
                Checksum.ipv6Pseudo(t1Hi, t1Lo, result.x6Hi(), result.x6Lo(), IpProtocol.ICMPV6, icmpLength))));
        out.emit(s, off, end - off);
        return stateless.hairpinned();
    }

    // ------------------------------------------------------------------ IPv4 → IPv6

    private Verdict translate46(PacketBuffer pkt, PacketSink out, Offload offload, boolean hairpin) {
        MemorySegment s = pkt.segment();
        int off = pkt.offset();
        int len = pkt.length();
        int ihl = len < 20 ? 0 : (BigEndian.u8(s, off) & 0xf) * 4;
        int total = len < 20 ? 0 : BigEndian.u16(s, off + 2);
        if (ihl < 20 || total > len || total < ihl) {
            return stateless.translate(pkt, out, offload); // malformed: the stateless drop says how
        }
        int src = BigEndian.u32(s, off + 12);
        int dst = BigEndian.u32(s, off + 16);
        if (!pool4.contains(dst)) {
            return stateless.refuse(pkt, DropReason.NAT64_NOT_IN_POOL4, -1, 0, out);
        }
        if (!hairpin && pool4.contains(src)) {
            return stateless.refuse(pkt, DropReason.NAT64_SPOOFED_SOURCE, -1, 0, out);
        }
        int protocol = BigEndian.u8(s, off + 9);
        int fragWord = BigEndian.u16(s, off + 6);
        if ((fragWord & 0x3fff) != 0) {
            if (protocol != IpProtocol.TCP && protocol != IpProtocol.UDP) {
                return stateless.refuse(pkt, protocol == IpProtocol.ICMP ? DropReason.FRAGMENTED_ICMP
                        : DropReason.PROTOCOL_UNSUPPORTED, -1, 0, out);
            }
            if (hairpin) {
                return stateless.refuse(pkt, DropReason.PROTOCOL_UNSUPPORTED, -1, 0, out);
            }
            long key = (long) src << 32 | dst & 0xffff_ffffL;
            long tag = FragmentTracker.tag(BigEndian.u16(s, off + 4), protocol, 4);
            if ((fragWord & 0x1fff) != 0) {
                return laterFragment46(pkt, out, offload, key, tag);
            }
            firstFragment = true;
            fragA = key;
            fragB = 0;
            fragC = 0;
            fragD = 0;
            fragE = tag;
        }
        int at = off + ihl;
        int l4 = total - ihl;
        // From here on nothing goes to the stateless translator without the table's mapping: it
        // would map a pool4 destination through pool6 and send the packet round again.
        if (protocol == IpProtocol.ICMP) {
            if (l4 < ICMP_HEADER) {
                return stateless.refuse(pkt, DropReason.BAD_L4_HEADER, -1, 0, out);
            }
            int type = BigEndian.u8(s, at);
            if (type == 3 || type == 11 || type == 12) {
                return error46(pkt, out, offload, s, at + ICMP_HEADER, off + total, dst);
            }
            if (type != 8 && type != 0) {
                return stateless.refuse(pkt, DropReason.ICMP_TYPE_UNSUPPORTED, -1, 0, out);
            }
            return inbound(pkt, out, offload, NatProtocol.ICMP, src, 0, dst, BigEndian.u16(s, at + 4), 0, total);
        }
        if (protocol != IpProtocol.TCP && protocol != IpProtocol.UDP) {
            return stateless.refuse(pkt, DropReason.PROTOCOL_UNSUPPORTED, -1, 0, out);
        }
        if (l4 < (protocol == IpProtocol.TCP ? 20 : 8)) {
            return stateless.refuse(pkt, DropReason.BAD_L4_HEADER, -1, 0, out);
        }
        NatProtocol p = protocol == IpProtocol.TCP ? NatProtocol.TCP : NatProtocol.UDP;
        int flags = p == NatProtocol.TCP ? BigEndian.u8(s, at + 13) : 0;
        return inbound(pkt, out, offload, p, src, BigEndian.u16(s, at), dst, BigEndian.u16(s, at + 2), flags, total);
    }

    private Verdict inbound(PacketBuffer pkt, PacketSink out, Offload offload, NatProtocol p, int z4, int z, int t4,
            int t, int flags, int total) {
        if (pool6.isWellKnown() && Ipv4Special.isNonGlobal(z4)) {
            // RFC 6052 §3.1, before any state; answered as RFC 7915 §4.4 answers what it cannot map.
            return stateless.refuse(pkt, DropReason.WKP_NON_GLOBAL, 3, 13, out);
        }
        lastUsedTable = true;
        NatVerdict v = table.inbound(result, p, z4, z, t4, t, flags, clock.nanoTime(), pkt.segment(), pkt.offset(),
                total);
        if (v != NatVerdict.OK) {
            return refused(pkt, v, out);
        }
        Ftp64Control control = null;
        if (ftpAlg != null && p == NatProtocol.TCP && ftpAlg.follows(z)) {
            control = ftpAlg.find(result.x6Hi(), result.x6Lo(), result.x6Port(), z4, z);
            if (control != null && firstFragment) {
                return stateless.refuse(pkt, DropReason.FTP_ALG_FRAGMENT, -1, 0, out);
            }
        }
        current.set(result.x6Hi(), result.x6Lo(), t4);
        Verdict verdict = stateless.translate(pkt, out46.arm(out, offload, false, result.x6Port(), control), offload);
        if (control != null) {
            return algVerdict(pkt, out, out46, verdict);
        }
        if (firstFragment && verdict == Verdict.TRANSLATED) {
            fragments.remember(fragA, fragB, fragC, fragD, fragE, result.x6Hi(), result.x6Lo(), t4, clock.nanoTime());
            releaseHeld(out, out46);
        }
        return verdict;
    }

    /** An ICMPv4 error about a packet this NAT64 sent from (T,t) to (Z,z); state only read. */
    private Verdict error46(PacketBuffer pkt, PacketSink out, Offload offload, MemorySegment s, int inner, int end,
            int dst) {
        int ihl = inner + 20 > end ? 0 : (BigEndian.u8(s, inner) & 0xf) * 4;
        int upper = inner + ihl;
        if (ihl < 20 || upper + 8 > end) {
            return stateless.refuse(pkt, DropReason.ICMP_ERROR_BAD_INNER, -1, 0, out);
        }
        if ((BigEndian.u16(s, inner + 6) & 0x1fff) != 0) {
            // A later fragment of what this NAT64 sent from (T,t) holds no transport header, so
            // the error has no tuple (RFC 6146 §3.4: the inner packet's ports or identifier) and
            // no session can be matched (§3.5); reading its payload as ports could pick a
            // stranger's session. A first fragment (offset 0, MF) has its ports and is matched
            // like an unfragmented packet; the stateless translator quotes it with a Fragment
            // Header (RFC 7915 §4.3).
            return stateless.refuse(pkt, DropReason.ICMP_ERROR_BAD_INNER, -1, 0, out);
        }
        int t4 = BigEndian.u32(s, inner + 12);
        int z4 = BigEndian.u32(s, inner + 16);
        int protocol = BigEndian.u8(s, inner + 9);
        NatProtocol p;
        int t;
        int z;
        if (protocol == IpProtocol.TCP || protocol == IpProtocol.UDP) {
            p = protocol == IpProtocol.TCP ? NatProtocol.TCP : NatProtocol.UDP;
            t = BigEndian.u16(s, upper);
            z = BigEndian.u16(s, upper + 2);
        } else if (protocol == IpProtocol.ICMP && (BigEndian.u8(s, upper) == 8 || BigEndian.u8(s, upper) == 0)) {
            p = NatProtocol.ICMP;
            t = BigEndian.u16(s, upper + 4);
            z = 0;
        } else {
            return stateless.refuse(pkt, DropReason.ICMP_ERROR_BAD_INNER, -1, 0, out);
        }
        if (t4 != dst) {
            // The error must come back to the address the packet left from.
            return stateless.refuse(pkt, DropReason.ICMP_ERROR_BAD_INNER, -1, 0, out);
        }
        lastUsedTable = true;
        NatVerdict v = table.findInbound(result, p, z4, z, t4, t);
        if (v != NatVerdict.OK) {
            return stateless.refuse(pkt, DropReason.NAT64_REFUSED, -1, 0, out); // no error about an error
        }
        current.set(result.x6Hi(), result.x6Lo(), t4);
        return stateless.translate(pkt, out46.arm(out, offload, true, result.x6Port()), offload);
    }

    /**
     * After the translation of a followed FTP control segment: the ALG's refusal, if it made one,
     * becomes the packet's verdict. The stateless translator had counted the packet on its TCP
     * path as it emitted; that count is taken back and the drop counted instead, so a withheld
     * segment counts once, as a drop.
     */
    private Verdict algVerdict(PacketBuffer pkt, PacketSink out, PortSink sink, Verdict verdict) {
        algRan = sink.ran ? sink.alg : null;
        if (sink.withheld == null) {
            return verdict;
        }
        return stateless.withhold(pkt, sink == out64 ? Path.TCP_64 : Path.TCP_46, sink.withheld, out);
    }

    /** A drop the table decided, with the ICMP error it recommends (RFC 6146 §3.5). */
    private Verdict refused(PacketBuffer pkt, NatVerdict v, PacketSink out) {
        IcmpReply icmp = v.icmp();
        return icmp.family() == 0
                ? stateless.refuse(pkt, DropReason.NAT64_REFUSED, -1, 0, out)
                : stateless.refuse(pkt, DropReason.NAT64_REFUSED, icmp.type(), icmp.code(), out);
    }

    // ------------------------------------------------------------------ the port half

    /**
     * Where the stateless translator emits: rewrites the NATed port of the packet's own family and
     * passes everything on to {@code target}; armed per packet with the table's answer.
     */
    private abstract static class PortSink implements PacketSink {
        PacketSink target;
        Offload offload;
        boolean error;
        int port;
        /** The FTP control connection the packet belongs to, or null (nearly always). */
        Ftp64Control control;
        FtpAlgSegments alg;
        /** Set when the ALG kept the packet back: why. */
        DropReason withheld;
        /** Whether the ALG saw the packet (the translation may have dropped it before). */
        boolean ran;

        final PacketSink arm(PacketSink out, Offload o, boolean icmpError, int newPort) {
            return arm(out, o, icmpError, newPort, null);
        }

        final PacketSink arm(PacketSink out, Offload o, boolean icmpError, int newPort, Ftp64Control c) {
            target = out;
            offload = o;
            error = icmpError;
            port = newPort;
            control = c;
            withheld = null;
            ran = false;
            return this;
        }

        /**
         * Hands the translated packet to the FTP ALG when it is a followed control segment, then
         * to {@code target} unless the ALG kept it back.
         */
        final void pass(MemorySegment s, int o, int len) {
            if (control != null) {
                ran = true;
                len = alg.run(s, o, len, offload, control);
                if (len < 0) {
                    withheld = alg.reason;
                    return;
                }
            }
            target.emit(s, o, len);
        }
    }

    /**
     * Receives the stateless 6→4 result: sets the source port or identifier to t (for an error,
     * the inner packet's destination port). ICMPv6 errors the stateless translator originated
     * toward the IPv6 side pass as they are.
     */
    private static final class Out64 extends PortSink {
        @Override
        public void emit(MemorySegment s, int o, int len) {
            if (len < 20 || BigEndian.u8(s, o) >>> 4 != 4) {
                target.emit(s, o, len);
                return;
            }
            int ihl = (BigEndian.u8(s, o) & 0xf) * 4;
            int protocol = BigEndian.u8(s, o + 9);
            int l4 = o + ihl;
            // Only the first fragment carries the transport header (RFC 791).
            if ((BigEndian.u16(s, o + 6) & 0x1fff) == 0) {
                if (error) {
                    rewriteInner(s, l4, o + len);
                } else if (l4 + 8 <= o + len) {
                    // With a partial checksum the device sums the transport header itself.
                    boolean partial = offload.partialChecksum && protocol != IpProtocol.ICMP;
                    PortRewrite.rewrite(s, PortRewrite.portAt(protocol, l4, true), port,
                            partial ? -1 : PortRewrite.checksumAt(protocol, l4), protocol == IpProtocol.UDP);
                }
            }
            pass(s, o, len);
        }

        private void rewriteInner(MemorySegment s, int icmp, int end) {
            int inner = icmp + ICMP_HEADER;
            if (inner + 20 > end) {
                return;
            }
            int ihl = (BigEndian.u8(s, inner) & 0xf) * 4;
            int protocol = BigEndian.u8(s, inner + 9);
            int upper = inner + ihl;
            rewriteQuoted(s, icmp, upper, end, protocol, false, port);
        }
    }

    /**
     * Receives the stateless 4→6 result: sets the destination port or identifier to x (for an
     * error, the inner packet's source port). ICMPv4 errors the stateless translator originated
     * toward the IPv4 side pass as they are.
     */
    private static final class Out46 extends PortSink {
        @Override
        public void emit(MemorySegment s, int o, int len) {
            if (len < V6 || BigEndian.u8(s, o) >>> 4 != 6) {
                pass(s, o, len);
                return;
            }
            int end = o + len;
            int nh = BigEndian.u8(s, o + 6);
            int at = o + V6;
            if (nh == IpProtocol.FRAGMENT) {
                // RFC 7915 §4.1 adds only a Fragment Header; a later fragment has no ports.
                if (at + 8 > end || (BigEndian.u16(s, at + 2) & 0xfff8) != 0) {
                    target.emit(s, o, len);
                    return;
                }
                nh = BigEndian.u8(s, at);
                at += 8;
            }
            if (error) {
                int inner = at + ICMP_HEADER;
                if (inner + V6 <= end) {
                    int innerNh = BigEndian.u8(s, inner + 6);
                    int upper = inner + V6;
                    if (innerNh == IpProtocol.FRAGMENT && upper + 8 <= end) {
                        innerNh = BigEndian.u8(s, upper);
                        upper += 8;
                    }
                    rewriteQuoted(s, at, upper, end, innerNh, true, port);
                }
            } else if (at + 8 <= end) {
                // With a partial checksum the device sums the transport header itself.
                boolean partial = offload.partialChecksum && nh != IpProtocol.ICMPV6;
                PortRewrite.rewrite(s, PortRewrite.portAt(nh, at, false), port,
                        partial ? -1 : PortRewrite.checksumAt(nh, at), nh == IpProtocol.UDP);
            }
            pass(s, o, len);
        }
    }

    /**
     * In an ICMP error at {@code icmp} quoting a packet whose transport header is at
     * {@code upper}: replaces the quoted packet's NATed port (its source port when
     * {@code source}), its own checksum when the quote holds it, and the outer ICMP checksum,
     * which covers both changes.
     */
    private static void rewriteQuoted(MemorySegment s, int icmp, int upper, int end, int protocol, boolean source,
            int port) {
        int field = PortRewrite.portAt(protocol, upper, source);
        if (field + 2 > end || PortRewrite.checksumAt(protocol, upper) < 0) {
            return;
        }
        int checksumAt = PortRewrite.checksumAt(protocol, upper);
        int delta = PortRewrite.rewrite(s, field, port, checksumAt + 2 <= end ? checksumAt : -1,
                protocol == IpProtocol.UDP);
        int outer = BigEndian.u16(s, icmp + 2);
        BigEndian.set16(s, icmp + 2, Checksum.applyDelta(outer, delta));
    }
}
