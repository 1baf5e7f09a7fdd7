package dev.isthmus.xlat;

import dev.isthmus.addr.Ipv4Special;
import dev.isthmus.wire.BigEndian;
import dev.isthmus.wire.IcmpView;
import dev.isthmus.wire.IpProtocol;
import dev.isthmus.wire.Ipv4View;
import dev.isthmus.wire.Ipv6ExtensionView;
import dev.isthmus.wire.Ipv6View;
import dev.isthmus.wire.PacketBuffer;
import dev.isthmus.wire.PacketSink;
import java.lang.foreign.MemorySegment;

/**
 * ICMP errors the translator itself originates, as a router does: Time Exceeded, Fragmentation
 * Needed / Packet Too Big, Parameter Problem, Destination Unreachable.
 *
 * <p>The error is built in a scratch buffer from the offending packet as it arrived (callers send
 * errors before they rewrite anything in place). It obeys the rules for when not to send one
 * (RFC 1812 §4.3.2.7, RFC 4443 §2.4(e)): never about an ICMP error, a non-initial fragment, a
 * packet to multicast or broadcast or from a non-unicast source; and it is rate limited
 * (RFC 7915 §4.4/§5.4 make the whole feature configurable).
 */
final class IcmpOriginator {
    /** RFC 1812 §4.3.2.3: an ICMPv4 error carries at most 576 bytes in all. */
    static final int ICMPV4_ERROR_MAX = 576;
    /** RFC 4443 §2.4(c): an ICMPv6 error must not exceed the minimum IPv6 MTU. */
    static final int ICMPV6_ERROR_MAX = 1280;

    private static final int TTL = 64;
    private static final long SECOND = 1_000_000_000L;

    private final XlatSettings settings;
    private final XlatCounters counters;
    private final Trace trace;
    private final NanoClock clock;
    private final PacketBuffer scratch = PacketBuffer.scratch(PacketBuffer.HEADROOM + ICMPV6_ERROR_MAX);
    private final Ipv4View ip4 = new Ipv4View();
    private final Ipv6View ip6 = new Ipv6View();
    private final IcmpView icmp = new IcmpView();
    private final Ipv6ExtensionView ext = new Ipv6ExtensionView();
    private final long cost;
    private long credit;
    private long last;
    private int nextId;

    IcmpOriginator(XlatSettings settings, XlatCounters counters, Trace trace, NanoClock clock) {
        this.settings = settings;
        this.counters = counters;
        this.trace = trace;
        this.clock = clock;
        int rate = settings.icmpErrorsPerSecond();
        this.cost = rate <= 0 ? 0 : SECOND / rate;
        this.credit = SECOND;
        this.last = Long.MIN_VALUE;
    }

    /**
     * Sends an ICMPv4 error about the IPv4 packet {@code seg[off, off+len)}; {@code rest} is the
     * second word of the ICMP header (pointer, MTU). Returns true when an error was emitted.
     */
    boolean icmpv4(MemorySegment seg, int off, int len, int type, int code, int rest, PacketSink out) {
        ip4.wrap(seg, off);
        if (len < Ipv4View.MIN_HEADER || !mayAnswer4(seg, off, len) || !permit()) {
            return false;
        }
        MemorySegment s = scratch.segment();
        int o = PacketBuffer.HEADROOM;
        int quoted = Math.min(len, ICMPV4_ERROR_MAX - Ipv4View.MIN_HEADER - IcmpView.HEADER);
        int total = Ipv4View.MIN_HEADER + IcmpView.HEADER + quoted;
        int dst = ip4.source();
        MemorySegment.copy(seg, off, s, o + Ipv4View.MIN_HEADER + IcmpView.HEADER, quoted);
        ip4.wrap(s, o).setVersionIhl(5).setTos(0).setTotalLength(total).setIdentification(nextId++ & 0xffff)
                .setFragment(false, false, 0).setTtl(TTL).setProtocol(IpProtocol.ICMP)
                .setSource(settings.ownIpv4()).setDestination(dst).fillChecksum();
        icmp.wrap(s, o + Ipv4View.MIN_HEADER).setTypeCode(type, code).setRest(rest)
                .fillIpv4Checksum(IcmpView.HEADER + quoted);
        return emit(out, o, total, Path.ORIGINATED_ICMPV4);
    }

    /** Sends an ICMPv6 error about the IPv6 packet {@code seg[off, off+len)}. */
    boolean icmpv6(MemorySegment seg, int off, int len, int type, int code, int rest, PacketSink out) {
        ip6.wrap(seg, off);
        if (len < Ipv6View.HEADER || !mayAnswer6(seg, off, len, type, code) || !permit()) {
            return false;
        }
        MemorySegment s = scratch.segment();
        int o = PacketBuffer.HEADROOM;
        int quoted = Math.min(len, ICMPV6_ERROR_MAX - Ipv6View.HEADER - IcmpView.HEADER);
        int payload = IcmpView.HEADER + quoted;
        long dstHi = ip6.sourceHi();
        long dstLo = ip6.sourceLo();
        MemorySegment.copy(seg, off, s, o + Ipv6View.HEADER + IcmpView.HEADER, quoted);
        ip6.wrap(s, o).setVersionClassFlow(0, 0).setPayloadLength(payload).setNextHeader(IpProtocol.ICMPV6)
                .setHopLimit(TTL).setSource(settings.ownIpv6().hi(), settings.ownIpv6().lo())
                .setDestination(dstHi, dstLo);
        icmp.wrap(s, o + Ipv6View.HEADER).setTypeCode(type, code).setRest(rest)
                .fillIpv6Checksum(payload, ip6.pseudoHeaderSum(IpProtocol.ICMPV6, payload));
        return emit(out, o, Ipv6View.HEADER + payload, Path.ORIGINATED_ICMPV6);
    }

    private boolean emit(PacketSink out, int off, int len, Path path) {
        out.emit(scratch.segment(), off, len);
        counters.path(path);
        trace.outputs++;
        return true;
    }

    /** RFC 1812 §4.3.2.7. */
    private boolean mayAnswer4(MemorySegment seg, int off, int len) {
        int src = ip4.source();
        if (Ipv4Special.isIllegalSource(src) || Ipv4Special.isMulticastOrBroadcast(ip4.destination())) {
            return false;
        }
        if (ip4.fragmentOffset() != 0) {
            return false;
        }
        int hl = ip4.headerLength();
        if (ip4.protocol() == IpProtocol.ICMP && len >= hl + 1) {
            int t = BigEndian.u8(seg, off + hl);
            // Echo reply 0, echo 8, router adv/sol 9/10, timestamp 13/14, info 15/16, mask 17/18 are
            // queries; everything else is an error or unknown — never answer those.
            return t == 0 || t == 8 || (t >= 9 && t <= 10) || (t >= 13 && t <= 18);
        }
        return true;
    }

    /** RFC 4443 §2.4(e). */
    private boolean mayAnswer6(MemorySegment seg, int off, int len, int type, int code) {
        long srcHi = ip6.sourceHi();
        boolean srcUnspecified = srcHi == 0 && ip6.sourceLo() == 0;
        if (srcUnspecified || (srcHi >>> 56) == 0xff) {
            return false;
        }
        // §2.4(e.3): to a multicast destination only Packet Too Big and Parameter Problem code 2.
        if ((ip6.destinationHi() >>> 56) == 0xff && type != 2 && !(type == 4 && code == 2)) {
            return false;
        }
        int nh = ip6.nextHeader();
        int p = off + Ipv6View.HEADER;
        int end = off + len;
        while (IpProtocol.isSkippableExtension(nh) || nh == IpProtocol.FRAGMENT) {
            if (p + Ipv6ExtensionView.MIN_LENGTH > end) {
                return true;
            }
            ext.wrap(seg, p);
            if (nh == IpProtocol.FRAGMENT) {
                if ((BigEndian.u16(seg, p + 2) >>> 3) != 0) {
                    return false; // non-initial fragment
                }
                nh = ext.nextHeader();
                p += 8;
            } else {
                nh = ext.nextHeader();
                p += ext.length();
            }
        }
        // §2.4(e.1): never about an ICMPv6 error (types 0-127).
        return !(nh == IpProtocol.ICMPV6 && p < end && BigEndian.u8(seg, p) < 128);
    }

    private boolean permit() {
        if (!settings.icmpErrors()) {
            counters.path(Path.ICMP_ERROR_RATE_LIMITED);
            return false;
        }
        if (cost == 0) {
            return true;
        }
        long now = clock.nanoTime();
        if (last != Long.MIN_VALUE) {
            credit = Math.min(SECOND, credit + Math.max(0, now - last));
        }
        last = now;
        if (credit >= cost) {
            credit -= cost;
            return true;
        }
        counters.path(Path.ICMP_ERROR_RATE_LIMITED);
        return false;
    }
}
