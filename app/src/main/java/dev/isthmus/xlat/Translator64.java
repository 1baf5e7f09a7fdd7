package dev.isthmus.xlat;

import dev.isthmus.addr.Ipv4Pool;
import dev.isthmus.addr.Ipv4Special;
import dev.isthmus.wire.BigEndian;
import dev.isthmus.wire.Checksum;
import dev.isthmus.wire.IpProtocol;
import dev.isthmus.wire.PacketBuffer;
import dev.isthmus.wire.PacketSink;
import java.lang.foreign.MemorySegment;

/**
 * IPv6 → IPv4, RFC 7915 §5.
 *
 * <p>Order of work for every packet, so that nothing is rewritten before the packet is known to be
 * translatable and any ICMPv6 error the translator originates quotes the packet as it arrived:
 *
 * <ol>
 *   <li>read and validate (lengths, extension header chain, transport header, ICMPv6 checksum,
 *       the packet inside an ICMPv6 error);
 *   <li>map the destination, then the source (RFC 7757 §3.3 via {@link AddressMapper}); as in
 *       Jool, a packet the translator cannot route gets no Time Exceeded. A well-formed packet
 *       refused here is answered as §5.1 (1/5 for the source) and §5.4 (1/1 otherwise) say;
 *       malformed ones and those §5.1/§5.2 call silent are dropped without a word;
 *   <li>the router duties: Hop Limit (§5.1 Time to Live), Routing Header with Segments Left
 *       (§5.1), Packet Too Big or fragmentation (§1.4, §5);
 *   <li>rewrite in place — the payload stays where it is and the 20-byte IPv4 header is written
 *       just in front of the upper-layer header — and emit: to the sink, split by
 *       {@link Fragmenter64}, or into the {@link Translator.Hairpin} (RFC 7757 §4.2), which takes
 *       it back to IPv6.
 * </ol>
 *
 * <p>The common case (TCP, UDP or Echo with no extension header, a flow seen before) has a path
 * of its own, {@link #translateCommon}: it reads the fixed header once into locals, finds both
 * IPv4 addresses and the RFC 1624 checksum delta of the pseudo-header change with one probe of a
 * {@link Flow64Memo}, and writes the IPv4 header with three stores. Anything else, and anything
 * that path is unsure of, goes through {@link #translateAny}.
 */
final class Translator64 {
    private static final int V6 = 40;
    private static final int V4 = 20;
    private static final int ICMP_HEADER = 8;
    /**
     * RFC 7915 §5.1, Flags: "The Don't Fragment (DF) flag is set as follows: If the size of the
     * translated IPv4 packet is less than or equal to 1260 bytes, it is set to zero; otherwise, it
     * is set to one."
     */
    static final int DF_THRESHOLD = 1260;
    /** RFC 8200 §5: the IPv6 minimum link MTU; no Packet Too Big may ask for less. */
    static final int IPV6_MIN_MTU = 1280;

    private static final int DF = 0x4000;
    private static final int MF = 0x2000;

    private final XlatContext ctx;
    private final Translator.Hairpin hairpin;
    private final AddressMapper mapper;
    private final IcmpOriginator originator;
    private final Xlat64Identification ids;
    private final Flow64Memo flows;
    private final Ipv6Chain chain = new Ipv6Chain();
    private final Ipv6Chain innerChain = new Ipv6Chain();
    private final Fragmenter64 fragmenter = new Fragmenter64();
    private final int tos;
    private final int ipv4Mtu;
    private final int ipv6Mtu;
    private final XlatSettings.HairpinMode hairpinMode;
    private final Ipv4Pool rfc6791;
    private final int ownIpv4;

    // The packet inside an ICMPv6 error (RFC 7915 §5.3), filled by prepareError().
    private long errorMapping;
    private int origEnd;
    private int extLength;
    private int innerUpper;
    private int innerProtocol;
    private int innerTotal;
    private int innerUpperLength;
    private int innerTrafficClass;
    private int innerHopLimit;
    private int innerFlags;
    private int innerId;
    private boolean innerFirst;
    private int innerSrc4;
    private int innerDst4;
    private MappingKind innerSrcKind;
    private long innerSrcHi;
    private long innerSrcLo;
    private long innerDstHi;
    private long innerDstLo;

    Translator64(XlatContext ctx, Translator.Hairpin hairpin) {
        this(ctx, hairpin, new Xlat64Identification());
    }

    /** With a given Identification generator (tests that assert whole packets). */
    Translator64(XlatContext ctx, Translator.Hairpin hairpin, Xlat64Identification ids) {
        this.ctx = ctx;
        this.hairpin = hairpin;
        this.mapper = ctx.mapper;
        this.originator = ctx.originator;
        this.ids = ids;
        XlatSettings s = ctx.settings;
        this.tos = s.tos();
        // The Total Length field caps any IPv4 packet at 65535 bytes, whatever the link says.
        this.ipv4Mtu = Math.min(0xffff, Math.max(68, s.ipv4Mtu()));
        this.ipv6Mtu = Math.max(IPV6_MIN_MTU, s.ipv6Mtu());
        this.hairpinMode = s.hairpin() == null ? XlatSettings.HairpinMode.OFF : s.hairpin();
        this.rfc6791 = s.rfc6791v4() == null ? Ipv4Pool.empty() : s.rfc6791v4();
        this.ownIpv4 = s.ownIpv4();
        this.flows = new Flow64Memo(mapper, hairpinMode);
    }

    Verdict translate(PacketBuffer pkt, PacketSink out) {
        if (translateCommon(pkt, out)) {
            return Verdict.TRANSLATED;
        }
        return translateAny(pkt, out);
    }

    /**
     * The common case alone — TCP, UDP or ICMPv6 Echo straight after the fixed header, no offload,
     * Hop Limit above 1, a pair of addresses {@link Flow64Memo} knows, within the IPv4 MTU — so
     * that C2 compiles a short path with none of the rare branches in it. Every check here is one
     * that {@link #translateAny} makes too, with the same outcome for the packets that pass it; a
     * packet that fails any of them is left untouched (false) and {@link #translateAny} takes it
     * from the start, so its verdict, drop reason and ICMPv6 error are exactly those of the full
     * path.
     */
    private boolean translateCommon(PacketBuffer pkt, PacketSink out) {
        Offload offload = ctx.offload;
        if (offload.partialChecksum || offload.segmentSize > 0) {
            return false;
        }
        MemorySegment s = pkt.segment();
        int off = pkt.offset();
        int avail = pkt.length();
        if (avail < V6 || off < 0 || off + (long) avail > s.byteSize()) {
            return false;
        }
        long w = BigEndian.u64(s, off);
        int w0 = (int) (w >>> 32);
        int l4Length = (int) (w >>> 16) & 0xffff;
        int nh = (int) (w >>> 8) & 0xff;
        int hopLimit = (int) w & 0xff;
        // The RFC 7915 §5.1 Hop Limit check is translateAny's to answer.
        if (w0 >>> 28 != 6 || l4Length > avail - V6 || hopLimit <= 1) {
            return false;
        }
        int upper = off + V6;
        int checksumAt;
        if (nh == IpProtocol.UDP && l4Length >= 8) {
            checksumAt = upper + 6;
        } else if (nh == IpProtocol.TCP && l4Length >= 20) {
            checksumAt = upper + 16;
        } else if (nh == IpProtocol.ICMPV6 && l4Length >= ICMP_HEADER) {
            checksumAt = upper + 2;
        } else {
            return false;
        }
        int checksum = BigEndian.u16(s, checksumAt);
        // RFC 8200 §8.1: a zero UDP checksum is invalid; translateAny drops it.
        if (checksum == 0 && nh == IpProtocol.UDP) {
            return false;
        }
        int total = V4 + l4Length;
        if (total > ipv4Mtu) {
            return false; // Packet Too Big or fragmentation
        }
        long srcHi = BigEndian.u64(s, off + 8);
        long srcLo = BigEndian.u64(s, off + 16);
        long dstHi = BigEndian.u64(s, off + 24);
        long dstLo = BigEndian.u64(s, off + 32);
        int typeCode4 = nh == IpProtocol.ICMPV6
                ? echoTypeCode4(s, upper, l4Length, srcHi, srcLo, dstHi, dstLo)
                : 0;
        if (typeCode4 < 0 || !flows.map(srcHi, srcLo, dstHi, dstLo)) {
            return false;
        }
        int src4 = flows.src4;
        int dst4 = flows.dst4;
        int protocol4;
        Path path;
        if (nh == IpProtocol.ICMPV6) {
            // §5.2 Echo: new types, and the checksum no longer covers the pseudo-header.
            long oldSum = Checksum.ipv6Pseudo(srcHi, srcLo, dstHi, dstLo, IpProtocol.ICMPV6, l4Length)
                    + BigEndian.u16(s, upper);
            BigEndian.set32(s, upper, typeCode4 << 16 | Checksum.adjust(checksum, oldSum, typeCode4));
            protocol4 = IpProtocol.ICMP;
            path = Path.ICMP_INFO_64;
        } else {
            // §5.5: only the pseudo-header's addresses changed, RFC 1624 incremental update.
            int c = Checksum.applyDelta(checksum, flows.checksumDelta);
            if (c == 0 && nh == IpProtocol.UDP) {
                c = 0xffff; // RFC 768: a computed zero is sent as all ones (zero means "none").
            }
            BigEndian.set16(s, checksumAt, c);
            protocol4 = nh;
            path = nh == IpProtocol.TCP ? Path.TCP_64 : Path.UDP_64;
        }
        flows.trace(ctx.trace);
        int trafficClass = (w0 >>> 20) & 0xff;
        int o4 = upper - V4;
        writeHeader(s, o4, tos >= 0 ? tos : trafficClass, total, ids.next(src4, dst4, protocol4),
                total > DF_THRESHOLD ? DF : 0, hopLimit - 1, protocol4, src4, dst4);
        pkt.set(o4, total);
        out.emit(s, o4, total);
        ctx.trace.outputs++;
        ctx.translated(path);
        return true;
    }

    /**
     * For an ICMPv6 message at {@code icmp} of {@code length} bytes: when it is an Echo Request or
     * Reply whose checksum verifies (RFC 5508 REQ-3 spirit, as in {@link #translateAny}), its
     * ICMPv4 type (§5.2: 128 → 8, 129 → 0) and code as one 16-bit word; otherwise -1.
     */
    private static int echoTypeCode4(MemorySegment s, int icmp, int length, long srcHi, long srcLo, long dstHi,
            long dstLo) {
        int typeCode6 = BigEndian.u16(s, icmp);
        int type4 = Icmp64Mapper.echoType(typeCode6 >>> 8);
        if (type4 < 0) {
            return -1;
        }
        long sum = Checksum.add(s, icmp, length,
                Checksum.ipv6Pseudo(srcHi, srcLo, dstHi, dstLo, IpProtocol.ICMPV6, length));
        return Checksum.verifies(sum) ? type4 << 8 | (typeCode6 & 0xff) : -1;
    }

    /** Any packet, RFC 7915 §5 in full. */
    private Verdict translateAny(PacketBuffer pkt, PacketSink out) {
        MemorySegment s = pkt.segment();
        int off = pkt.offset();
        int avail = pkt.length();
        if (avail < V6 || off < 0 || off + (long) avail > s.byteSize()) {
            return ctx.drop(DropReason.TRUNCATED);
        }
        int w0 = BigEndian.u32(s, off);
        if (w0 >>> 28 != 6) {
            return ctx.drop(DropReason.BAD_VERSION);
        }
        int w1 = BigEndian.u32(s, off + 4);
        int payloadLength = w1 >>> 16;
        // Ethernet padding may follow the packet: the Payload Length says where it ends.
        if (payloadLength > avail - V6) {
            return ctx.drop(DropReason.TRUNCATED);
        }
        int end = off + V6 + payloadLength;
        int nh = (w1 >>> 8) & 0xff;
        int hopLimit = w1 & 0xff;
        long srcHi = BigEndian.u64(s, off + 8);
        long srcLo = BigEndian.u64(s, off + 16);
        long dstHi = BigEndian.u64(s, off + 24);
        long dstLo = BigEndian.u64(s, off + 32);
        // RFC 7915 §1.2: multicast is out of scope.
        if (dstHi >>> 56 == 0xff) {
            return ctx.drop(DropReason.MULTICAST);
        }

        // --- 1. validate -------------------------------------------------------------------
        int upper;
        int protocol;
        boolean fragmentHeader = false;
        boolean fragment = false;
        boolean first = true;
        int fragFlags = 0;
        int fragId = 0;
        int segmentsLeftPointer = -1;
        if (nh == IpProtocol.UDP || nh == IpProtocol.TCP || nh == IpProtocol.ICMPV6) {
            upper = off + V6;
            protocol = nh;
        } else {
            DropReason r = chain.walk(s, off, end);
            if (r == DropReason.EXTENSION_AFTER_FRAGMENT) {
                // §5.1.1: "SHOULD be dropped and logged"; §5.4 adds the error.
                return prohibited(r, -1, s, off, end, out);
            }
            if (r != DropReason.NONE) {
                return ctx.drop(r);
            }
            upper = chain.upperOffset;
            protocol = chain.protocol;
            segmentsLeftPointer = chain.segmentsLeftPointer;
            if (chain.fragmentHeader >= 0) {
                // RFC 7915 §5.1.1: ID = low 16 bits of the FH Identification, MF = M, DF = 0,
                // offset copied.
                fragmentHeader = true;
                fragment = chain.isFragment();
                first = chain.fragmentOffset8 == 0;
                fragFlags = (chain.moreFragments ? MF : 0) | chain.fragmentOffset8;
                fragId = chain.fragmentId & 0xffff;
                // A fragment whose data would reach beyond the largest datagram cannot be
                // represented (RFC 8200 §4.5 would answer it with a Parameter Problem).
                if ((chain.fragmentOffset8 << 3) + (end - upper) > 0xffff) {
                    return ctx.drop(DropReason.FRAGMENT_BEYOND_MAXIMUM);
                }
            }
        }
        int l4Length = end - upper;
        // Offload (live data plane): a partial checksum and/or a TCP/UDP super-packet, see Offload.
        Offload offload = ctx.offload;
        boolean partial = offload.partialChecksum;
        boolean icmpError = false;
        int echoType4 = -1;
        if (protocol == IpProtocol.ICMPV6) {
            // RFC 7915 §1.2 / checklist: fragmented ICMP is not translated (its checksum covers the
            // whole message, which one fragment does not hold).
            if (fragment) {
                return ctx.drop(DropReason.FRAGMENTED_ICMP);
            }
            if (l4Length < ICMP_HEADER) {
                return ctx.drop(DropReason.BAD_L4_HEADER);
            }
            // RFC 5508 REQ-3 spirit: do not translate (and so re-checksum) a corrupted message.
            long sum = Checksum.add(s, upper, l4Length,
                    Checksum.ipv6Pseudo(srcHi, srcLo, dstHi, dstLo, IpProtocol.ICMPV6, l4Length));
            if (!Checksum.verifies(sum)) {
                return ctx.drop(DropReason.BAD_ICMP_CHECKSUM);
            }
            int type6 = BigEndian.u8(s, upper);
            if (type6 >= 128) {
                // §5.2: Echo Request/Reply → 8/0; MLD (130-132, 143), ND (133-137) and unknown
                // informational messages are single-hop or meaningless in IPv4: silently drop.
                echoType4 = Icmp64Mapper.echoType(type6);
                if (echoType4 < 0) {
                    return ctx.drop(DropReason.ICMP_TYPE_UNSUPPORTED);
                }
            } else {
                icmpError = true;
                DropReason r = prepareError(s, upper, end);
                if (r != DropReason.NONE) {
                    return ctx.drop(r);
                }
            }
        } else if (first && protocol == IpProtocol.TCP) {
            if (l4Length < 20) {
                return ctx.drop(DropReason.BAD_L4_HEADER);
            }
        } else if (first && protocol == IpProtocol.UDP) {
            if (l4Length < 8) {
                return ctx.drop(DropReason.BAD_L4_HEADER);
            }
            // RFC 8200 §8.1: an IPv6 UDP checksum of zero is invalid; the receiver drops it.
            if (BigEndian.u16(s, upper + 6) == 0 && !partial) {
                return ctx.drop(DropReason.BAD_L4_HEADER);
            }
        }

        // --- 2. addresses (destination first: the source's treatment depends on it) ------------
        if (!mapper.map64(dstHi, dstLo)) {
            return prohibited(mapper.refusedNonGlobal ? DropReason.WKP_NON_GLOBAL : DropReason.UNTRANSLATABLE_DESTINATION,
                    protocol, s, off, end, out);
        }
        int dst4 = mapper.v4;
        MappingKind dstKind = mapper.kind;
        boolean dstIsEam4 = mapper.v4IsEam;
        ctx.trace.destination(dstKind, mapper.eam);
        if (Ipv4Special.isMulticastOrBroadcast(dst4)) {
            return ctx.drop(DropReason.MULTICAST);
        }
        int src4;
        boolean mapped = mapper.map64(srcHi, srcLo);
        if (mapped && mapper.kind == MappingKind.POOL6 && mapper.inDynamicPool(mapper.v4)) {
            // An IPv4-translatable source whose IPv4 form is a dynamic pool address would speak
            // for the node bound to it (or take the address before the pool hands it out): refused
            // like a source outside every prefix, §5.1 (1/5).
            boolean sent = originator.icmpv6(s, off, end - off, 1, 5, 0, out);
            return ctx.dropWithError(DropReason.SOURCE_IN_DYNAMIC_POOL, sent);
        }
        if (!mapped && !mapper.refusedNonGlobal && mapper.hasDynamic()) {
            // An IP6NODE6 no stateless rule covers: its dynamic binding (IP4NODE6), made now when
            // it has none. An ICMPv6 error only uses an existing one (otherwise RFC 6791 below):
            // an error is no reason to take an address from the pool.
            mapped = mapper.dynamic64(srcHi, srcLo, !icmpError);
            if (!mapped && !icmpError) {
                // The pool is exhausted. Not §5.1's 1/5 (the source is acceptable, only no
                // address is free now) but §5.4's default, 1/1 administratively prohibited;
                // also for an Echo Request, which RFC 4443 §2.4(e) lets us answer, so that a
                // ping says why rather than timing out.
                boolean sent = originator.icmpv6(s, off, end - off, 1, 1, 0, out);
                return ctx.dropWithError(DropReason.DYNAMIC_POOL_EXHAUSTED, sent);
            }
        }
        if (mapped && !Ipv4Special.isIllegalSource(mapper.v4)) {
            src4 = mapper.v4;
            ctx.trace.source(mapper.kind, mapper.eam);
        } else if (icmpError) {
            // RFC 6791: an ICMPv6 error from a router that has no translatable address still
            // reaches the IPv4 host, from an address of the RFC 6791 pool; the
            // same router always gets the same one, different routers most likely different ones
            // (RFC 6791 prefers a pool to one address, which traceroute would show as a loop).
            src4 = rfc6791.isEmpty() ? ownIpv4 : rfc6791.pick(addressHash(srcHi, srcLo));
            ctx.trace.source(MappingKind.RFC6791, -1);
        } else if (mapper.refusedNonGlobal) {
            return prohibited(DropReason.WKP_NON_GLOBAL, protocol, s, off, end, out);
        } else if (mapped) {
            // §5.1: "if the translator gets an illegal source address ... the translator SHOULD
            // silently drop the packet" (RFC 1812 §5.3.7 martians: 0/8, 127/8, multicast...).
            return ctx.drop(DropReason.ILLEGAL_SOURCE);
        } else {
            // §5.1: "If the translator only supports stateless mode and if the IPv6 source
            // address is not within the range of configured IPv6 prefix(es), the translator
            // SHOULD drop the packet and respond with an ICMPv6 'Destination Unreachable, Source
            // address failed ingress/egress policy' (Type 1, Code 5)."
            boolean sent = originator.icmpv6(s, off, end - off, 1, 5, 0, out);
            return ctx.dropWithError(DropReason.UNTRANSLATABLE_SOURCE, sent);
        }

        // --- 3. router duties ---------------------------------------------------------------
        // §5.1 Time to Live: "the translator (as any router) MUST check for zero and send the
        // ICMPv4 'TTL Exceeded' or ICMPv6 'Hop Limit Exceeded' error"; Hop Limit 1 would leave as
        // TTL 0.
        if (hopLimit <= 1) {
            boolean sent = originator.icmpv6(s, off, end - off, 3, 0, 0, out);
            return ctx.dropWithError(DropReason.TTL_EXPIRED, sent);
        }
        // §5.1: "If a Routing header with a non-zero Segments Left field is present, then the
        // packet MUST NOT be translated, and an ICMPv6 'parameter problem/erroneous header field
        // encountered' (Type 4, Code 0) error message, with the Pointer field indicating the
        // first byte of the Segments Left field, SHOULD be returned to the sender."
        if (segmentsLeftPointer >= 0) {
            boolean sent = originator.icmpv6(s, off, end - off, 4, 0, segmentsLeftPointer, out);
            return ctx.dropWithError(DropReason.ROUTING_HEADER, sent);
        }
        int trafficClass = (w0 >>> 20) & 0xff;
        int tos4 = tos >= 0 ? tos : trafficClass;
        if (icmpError) {
            return emitError(pkt, out, s, tos4, hopLimit - 1, src4, dst4, fragmentHeader, fragId);
        }

        int total = V4 + l4Length;
        boolean hairpinned = hairpinMode.hairpins(dstKind, dstIsEam4);
        // A hairpinned packet never leaves on the IPv4 link, so its MTU does not apply.
        int mtu = hairpinned ? 0xffff : ipv4Mtu;
        int flags;
        if (offload.segmentSize > 0) {
            // A super-packet: the receiver cuts it into segments, and DF and the MTU apply to one
            // segment (IPv4 header + transport header + segmentSize); the whole must still fit
            // the Total Length field (the data plane keeps the TUN's gso_max_size below that).
            if (fragmentHeader || protocol != IpProtocol.TCP && protocol != IpProtocol.UDP) {
                return ctx.drop(DropReason.BAD_OFFLOAD);
            }
            int l4h = protocol == IpProtocol.TCP ? (BigEndian.u8(s, upper + 12) >>> 4) << 2 : 8;
            if (l4h < 8 || l4h > l4Length) {
                return ctx.drop(DropReason.BAD_L4_HEADER);
            }
            if (total > 0xffff) {
                return ctx.drop(DropReason.SUPER_PACKET_TOO_BIG);
            }
            int segment = V4 + l4h + offload.segmentSize;
            if (segment > mtu) {
                if (protocol == IpProtocol.TCP) {
                    // Smaller segments are legal TCP (RFC 9293 §3.7.1): cut finer rather than
                    // answer Packet Too Big.
                    offload.segmentSize = mtu - V4 - l4h;
                    segment = mtu;
                } else {
                    // UDP datagram boundaries must not move: as one datagram of segment size.
                    int ptb = Math.max(IPV6_MIN_MTU, Math.min(mtu + V4, ipv6Mtu));
                    boolean sent = originator.icmpv6(s, off, end - off, 2, 0, ptb, out);
                    return ctx.dropWithError(DropReason.PACKET_TOO_BIG, sent);
                }
            }
            flags = segment > DF_THRESHOLD ? DF : 0;
            // The segments are cut by the receiver, never fragmented here.
            mtu = 0xffff;
        } else if (fragmentHeader) {
            flags = fragFlags;
        } else {
            flags = total > DF_THRESHOLD ? DF : 0;
            if ((flags & DF) != 0 && total > mtu) {
                // §1.4: the translator "MUST send a Packet Too Big error message or fragment the
                // packet when the packet size exceeds the MTU of the next-hop interface". An IPv6
                // packet of M bytes without extension headers becomes M - 20 bytes of IPv4, so the
                // IPv6 host may send ipv4Mtu + 20 (it will not use a Fragment Header unless told
                // less than 1280, and RFC 8200 §5 forbids telling it that); the IPv6 link's own
                // MTU caps it.
                int ptb = Math.max(IPV6_MIN_MTU, Math.min(mtu + V4, ipv6Mtu));
                boolean sent = originator.icmpv6(s, off, end - off, 2, 0, ptb, out);
                return ctx.dropWithError(DropReason.PACKET_TOO_BIG, sent);
            }
        }

        // --- 4. rewrite ---------------------------------------------------------------------
        int protocol4 = protocol;
        Path path;
        if (protocol == IpProtocol.ICMPV6) {
            // §5.2 Echo: "Adjust the Type values to 8 and 0, respectively, and adjust the ICMP
            // checksum both to take the type change into account and to exclude the ICMPv6
            // pseudo-header."
            protocol4 = IpProtocol.ICMP;
            int typeCode6 = BigEndian.u16(s, upper);
            int typeCode4 = echoType4 << 8 | (typeCode6 & 0xff);
            long oldSum = Checksum.ipv6Pseudo(srcHi, srcLo, dstHi, dstLo, IpProtocol.ICMPV6, l4Length) + typeCode6;
            int c = Checksum.adjust(BigEndian.u16(s, upper + 2), oldSum, typeCode4);
            BigEndian.set32(s, upper, typeCode4 << 16 | c);
            path = Path.ICMP_INFO_64;
        } else if (first && (protocol == IpProtocol.TCP || protocol == IpProtocol.UDP)) {
            // §5.5: the pseudo-header changed (addresses only: length and protocol are the same
            // in both), RFC 1624 incremental update. Only the first fragment holds the header.
            int at = upper + (protocol == IpProtocol.TCP ? 16 : 6);
            long v6 = Checksum.add64(srcHi, Checksum.add64(srcLo, Checksum.add64(dstHi, Checksum.add64(dstLo, 0))));
            long v4 = Checksum.add32(src4, Checksum.add32(dst4, 0));
            int c;
            if (partial) {
                // A partial checksum P (the uncomplemented pseudo-header sum) is updated without
                // the complements: P' = P + ~m + m'.
                c = ~Checksum.adjust(~BigEndian.u16(s, at) & 0xffff, v6, v4) & 0xffff;
            } else {
                c = Checksum.adjust(BigEndian.u16(s, at), v6, v4);
            }
            if (c == 0 && protocol == IpProtocol.UDP && !partial) {
                c = 0xffff; // RFC 768: a computed zero is sent as all ones (zero means "none").
            }
            BigEndian.set16(s, at, c);
            path = protocol == IpProtocol.TCP ? Path.TCP_64 : Path.UDP_64;
        } else {
            // §5.5 / §5.1 Protocol: "all transport protocols are translated"; the ones whose
            // checksum the translator does not know are forwarded unchanged.
            path = Path.OTHER_64;
        }
        if (fragment) {
            path = Path.FRAGMENT_64;
        } else if (!fragmentHeader) {
            fragId = ids.next(src4, dst4, protocol4);
        }
        if (partial && total > mtu) {
            // Fragments cannot carry a partial checksum: complete it, then fragment as usual.
            Offload.completeChecksum(s, upper, l4Length, protocol);
            offload.partialChecksum = false;
        }
        int o4 = upper - V4;
        writeHeader(s, o4, tos4, total, fragId, flags, hopLimit - 1, protocol4, src4, dst4);
        emit(pkt, hairpinned ? hairpin.to(out) : out, s, o4, total, mtu);
        return ctx.translated(path);
    }

    /**
     * Validates the ICMPv6 error at {@code icmp} (its checksum already verified) and the packet it
     * quotes, and maps everything that needs mapping, without writing. Fills the inner-packet
     * fields.
     */
    private DropReason prepareError(MemorySegment s, int icmp, int end) {
        int type6 = BigEndian.u8(s, icmp);
        int code6 = BigEndian.u8(s, icmp + 1);
        int rest6 = BigEndian.u32(s, icmp + 4);
        long m = Icmp64Mapper.error(type6, code6, rest6, false, ipv4Mtu, ipv6Mtu);
        if (m == Icmp64Mapper.UNSUPPORTED_TYPE) {
            return DropReason.ICMP_TYPE_UNSUPPORTED;
        }
        if (m == Icmp64Mapper.UNSUPPORTED_POINTER) {
            return DropReason.ICMP_POINTER_UNSUPPORTED;
        }
        int inner = icmp + ICMP_HEADER;
        // RFC 4884 §4.4/§4.5: a valid length attribute (64-bit words) marks where the original
        // datagram ends and an ICMP extension structure begins; an invalid one is read as none
        // (see IcmpExtension.originalLength): the whole rest is then the original datagram.
        origEnd = end;
        extLength = 0;
        if (Icmp64Mapper.carriesLength(type6)) {
            int length = IcmpExtension.originalLength(BigEndian.u8(s, icmp + 4), IcmpExtension.UNIT6, end - inner);
            if (length > 0) {
                origEnd = inner + length;
                extLength = end - origEnd;
            }
        }
        if (origEnd - inner < V6 || BigEndian.u8(s, inner) >>> 4 != 6) {
            return DropReason.ICMP_ERROR_BAD_INNER;
        }
        // §5.3: the inner header is translated like an outer one, extension headers skipped.
        if (innerChain.walk(s, inner, origEnd) != DropReason.NONE) {
            return DropReason.ICMP_ERROR_BAD_INNER;
        }
        innerUpper = innerChain.upperOffset;
        innerProtocol = innerChain.protocol;
        int innerPayload = BigEndian.u16(s, inner + 4);
        int skipped = innerUpper - inner - V6;
        if (innerPayload < skipped) {
            return DropReason.ICMP_ERROR_BAD_INNER;
        }
        innerUpperLength = innerPayload - skipped;
        innerTotal = V4 + innerUpperLength;
        if (innerTotal > 0xffff) {
            return DropReason.ICMP_ERROR_BAD_INNER;
        }
        int w0 = BigEndian.u32(s, inner);
        innerTrafficClass = (w0 >>> 20) & 0xff;
        innerHopLimit = BigEndian.u8(s, inner + 7);
        innerFirst = innerChain.fragmentOffset8 == 0;
        if (innerChain.fragmentHeader >= 0) {
            innerFlags = (innerChain.moreFragments ? MF : 0) | innerChain.fragmentOffset8;
            innerId = innerChain.fragmentId & 0xffff;
        } else {
            // The quoted packet never existed as IPv4: any ID serves; zero says so.
            innerFlags = innerTotal > DF_THRESHOLD ? DF : 0;
            innerId = 0;
        }
        if (innerProtocol == IpProtocol.ICMPV6 && innerFirst && origEnd > innerUpper) {
            int t = BigEndian.u8(s, innerUpper);
            // §5.3 / RFC 4443 §2.4(e.1): an error about an error must not exist.
            if (t < 128) {
                return DropReason.ICMP_ERROR_NESTED;
            }
            if (Icmp64Mapper.echoType(t) < 0) {
                return DropReason.ICMP_ERROR_BAD_INNER;
            }
        }
        if (innerChain.fragmentHeader >= 0 && type6 == 2) {
            // §5.2 Packet Too Big: the packet in error carries a Fragment Header, 8 more bytes.
            m = Icmp64Mapper.error(type6, code6, rest6, true, ipv4Mtu, ipv6Mtu);
        }
        errorMapping = m;
        // §5.3: the inner addresses are translated like the outer ones (map64 both: the inner
        // source is the IPv6 node the error goes back to, the inner destination the IPv4 node
        // that stands behind pool6 or an EAM).
        innerSrcHi = BigEndian.u64(s, inner + 8);
        innerSrcLo = BigEndian.u64(s, inner + 16);
        innerDstHi = BigEndian.u64(s, inner + 24);
        innerDstLo = BigEndian.u64(s, inner + 32);
        if (!mapInner(innerSrcHi, innerSrcLo)) {
            return DropReason.ICMP_ERROR_BAD_INNER;
        }
        innerSrc4 = mapper.v4;
        innerSrcKind = mapper.kind;
        if (!mapInner(innerDstHi, innerDstLo)) {
            return DropReason.ICMP_ERROR_BAD_INNER;
        }
        innerDst4 = mapper.v4;
        return DropReason.NONE;
    }

    /**
     * An address of the packet inside an ICMPv6 error: mapped as an outer one, or through an
     * existing dynamic binding (the quoted packet went to or came from the bound node, so the
     * IPv4 host recognizes the IPv4 form it used), never a new one.
     */
    private boolean mapInner(long h, long l) {
        return mapper.map64(h, l) || mapper.hasDynamic() && !mapper.refusedNonGlobal && mapper.dynamic64(h, l, false);
    }

    /**
     * Rewrites the ICMPv6 error that {@link #prepareError} validated into an ICMPv4 error and emits
     * it, RFC 7915 §5.2/§5.3.
     *
     * <pre>
     *  in:  | IPv6 | ext | ICMPv6 8 | inner IPv6 40 | inner ext | inner L4 + data | RFC 4884 ext |
     *  out:               | IPv4 20 | ICMPv4 8 | inner IPv4 20 | inner L4 + data | pad | ext |
     * </pre>
     *
     * The inner transport data stays where it is; the three headers are written in front of it.
     * When RFC 4884 needs the original datagram padded to 128 bytes, the data moves towards the
     * front (into room the shrunken headers left) and the extension stays in place; when the
     * original datagram is trimmed to make room for the extension, the extension moves towards
     * the front, to where the trimmed datagram ends.
     *
     * @param fragmentHeader whether the packet carried a Fragment Header (an atomic fragment: a
     *     fragmented ICMPv6 message never gets here), whose Identification is {@code fragId}
     */
    private Verdict emitError(PacketBuffer pkt, PacketSink out, MemorySegment s, int tos4, int ttl, int src4,
            int dst4, boolean fragmentHeader, int fragId) {
        int data = origEnd - innerUpper;
        int original4 = V4 + data;
        // RFC 1812 §4.3.2.3: an ICMPv4 error holds at most 576 bytes in all.
        int budget = IcmpOriginator.ICMPV4_ERROR_MAX - V4 - ICMP_HEADER;
        // RFC 4884 §4.1/§4.2, RFC 7915 §5.2: the extension is kept beside an original datagram
        // padded or trimmed to 32-bit words (original4 is a multiple of 4 already: the ICMPv6
        // one was a multiple of 8, and 40 + 8n bytes of headers became 20), at least 128 bytes.
        int field = extLength > 0
                ? IcmpExtension.originalField(original4, extLength, budget, IcmpExtension.UNIT4)
                : -1;
        boolean extension = field > 0;
        int pad = extension ? Math.max(0, field - original4) : 0;
        int total = extension
                ? V4 + ICMP_HEADER + field + extLength
                // As much of the original as fits; an extension that cannot have the 128 bytes
                // beside it is left out (length attribute 0).
                : Math.min(IcmpOriginator.ICMPV4_ERROR_MAX, V4 + ICMP_HEADER + original4);
        int upper4 = innerUpper - pad;
        int o4 = upper4 - V4 - ICMP_HEADER - V4;
        if (o4 < 0) {
            // Only with a buffer that ignores PacketBuffer.HEADROOM.
            return ctx.drop(DropReason.NO_HEADROOM);
        }
        MappingKind innerKind = innerSrcKind;
        int innerSrc = innerSrc4;
        boolean hairpinned = hairpinMode == XlatSettings.HairpinMode.SIMPLE
                ? mapper.isEamIpv4(dst4)
                // RFC 7757 §4.2.2: for an ICMP error the test is on the inner packet's source.
                : hairpinMode == XlatSettings.HairpinMode.INTRINSIC
                        && innerKind == MappingKind.POOL6 && mapper.isEamIpv4(innerSrc);

        if (pad > 0) {
            MemorySegment.copy(s, innerUpper, s, upper4, data);
            for (int i = upper4 + data; i < origEnd; i++) {
                BigEndian.set8(s, i, 0);
            }
        }
        int extAt = upper4 - V4 + field;
        if (extension && extAt != origEnd) {
            // The original datagram was trimmed: the extension, unchanged, follows what is left.
            MemorySegment.copy(s, origEnd, s, extAt, extLength);
        }
        // Inner transport header: checksums adjusted even though the packet is truncated, from
        // the inner header's own fields (RFC 7915 §5.3; the receiver matches the quoted packet
        // against what it sent, which carried the IPv4 pseudo-header's checksum).
        int innerProtocol4 = innerProtocol;
        if (innerProtocol == IpProtocol.ICMPV6) {
            innerProtocol4 = IpProtocol.ICMP;
            if (innerFirst && data >= 1) {
                int type6 = BigEndian.u8(s, upper4);
                int type4 = Icmp64Mapper.echoType(type6);
                BigEndian.set8(s, upper4, type4);
                if (data >= 4) {
                    int code = BigEndian.u8(s, upper4 + 1);
                    long oldSum = Checksum.ipv6Pseudo(innerSrcHi, innerSrcLo, innerDstHi, innerDstLo,
                            IpProtocol.ICMPV6, innerUpperLength) + (type6 << 8 | code);
                    BigEndian.set16(s, upper4 + 2, Checksum.adjust(BigEndian.u16(s, upper4 + 2), oldSum, type4 << 8 | code));
                }
            }
        } else if (innerFirst && (innerProtocol == IpProtocol.TCP || innerProtocol == IpProtocol.UDP)) {
            int at = innerProtocol == IpProtocol.TCP ? 16 : 6;
            if (data >= at + 2) {
                int c = BigEndian.u16(s, upper4 + at);
                if (c != 0 || innerProtocol == IpProtocol.TCP) {
                    long v6 = Checksum.add64(innerSrcHi, Checksum.add64(innerSrcLo,
                            Checksum.add64(innerDstHi, Checksum.add64(innerDstLo, 0))));
                    long v4 = Checksum.add32(innerSrc, Checksum.add32(innerDst4, 0));
                    c = Checksum.adjust(c, v6, v4);
                    if (c == 0 && innerProtocol == IpProtocol.UDP) {
                        c = 0xffff;
                    }
                    BigEndian.set16(s, upper4 + at, c);
                }
            }
        }
        int innerTos = tos >= 0 ? tos : innerTrafficClass;
        // §5.3: the inner header is translated without decrementing its Hop Limit.
        writeHeader(s, upper4 - V4, innerTos, innerTotal, innerId, innerFlags, innerHopLimit, innerProtocol4,
                innerSrc, innerDst4);

        int at = o4 + V4;
        int rest = Icmp64Mapper.rest(errorMapping);
        if (extension) {
            rest |= (field >>> 2) << 16; // RFC 4884 §4.1/§4.2: sixth octet, 32-bit words
        }
        BigEndian.set32(s, at, Icmp64Mapper.type(errorMapping) << 24 | Icmp64Mapper.code(errorMapping) << 16);
        BigEndian.set32(s, at + 4, rest);
        // The message changed throughout (types, inner header, maybe truncation): full checksum.
        BigEndian.set16(s, at + 2, Checksum.finish(Checksum.add(s, at, total - V4, 0)));

        // RFC 7915 §5.1.1: with a Fragment Header, the Identification is the low 16 bits of its
        // own, and the flags follow it (MF = M = 0, offset 0, DF = 0), as on every other path.
        int id = fragmentHeader ? fragId : ids.next(src4, dst4, IpProtocol.ICMP);
        int flags = fragmentHeader || total <= DF_THRESHOLD ? 0 : DF;
        writeHeader(s, o4, tos4, total, id, flags, ttl, IpProtocol.ICMP, src4, dst4);
        emit(pkt, hairpinned ? hairpin.to(out) : out, s, o4, total, hairpinned ? 0xffff : ipv4Mtu);
        return ctx.translated(Path.ICMP_ERROR_64);
    }

    /**
     * RFC 7915 §5.4: "If the IPv6 packet is discarded, then the translator SHOULD send back an
     * ICMPv6 error message to the original sender of the packet, unless the discarded packet is
     * itself an ICMPv6 message. The ICMPv6 message MUST have Type 1 (Destination Unreachable) and
     * Code 1 (Communication with destination administratively prohibited), unless otherwise
     * specified". Used for the well-formed packets this translator refuses by policy (no mapping
     * for the destination, RFC 6052 §3.1, an extension header after the Fragment Header);
     * malformed packets and the drops §5.1/§5.2 call silent are dropped without it.
     */
    private Verdict prohibited(DropReason reason, int protocol, MemorySegment s, int off, int end, PacketSink out) {
        if (protocol == IpProtocol.ICMPV6) {
            return ctx.drop(reason);
        }
        boolean sent = originator.icmpv6(s, off, end - off, 1, 1, 0, out);
        return ctx.dropWithError(reason, sent);
    }

    /** Hands the finished packet to {@code sink}, split into fragments when it exceeds {@code mtu}. */
    private void emit(PacketBuffer pkt, PacketSink sink, MemorySegment s, int o4, int total, int mtu) {
        if (total <= mtu) {
            pkt.set(o4, total);
            sink.emit(s, o4, total);
            ctx.trace.outputs++;
        } else {
            // DF is clear here: DF=1 packets above the MTU were answered with Packet Too Big.
            ctx.trace.outputs += fragmenter.fragment(s, o4, total, mtu, sink);
            pkt.set(fragmenter.lastOffset, fragmenter.lastLength);
        }
    }

    /**
     * Writes an option-less IPv4 header (RFC 791 §3.1) from values, checksum included, with three
     * stores. {@code flags} holds DF/MF and the fragment offset.
     */
    private static void writeHeader(MemorySegment s, int o, int tos, int total, int id, int flags, int ttl,
            int protocol, int src, int dst) {
        int w0 = 0x4500_0000 | tos << 16 | (total & 0xffff);
        int w1 = id << 16 | flags;
        int w2 = ttl << 24 | protocol << 16;
        long sum = Checksum.add32(w0, Checksum.add32(w1, Checksum.add32(w2, Checksum.add32(src, Checksum.add32(dst, 0)))));
        BigEndian.set64(s, o, (long) w0 << 32 | (w1 & 0xffff_ffffL));
        BigEndian.set64(s, o + 8, (long) (w2 | Checksum.finish(sum)) << 32 | (src & 0xffff_ffffL));
        BigEndian.set32(s, o + 16, dst);
    }

    private static int addressHash(long hi, long lo) {
        long h = hi * 0x9e37_79b9_7f4a_7c15L ^ lo;
        return (int) (h ^ h >>> 32);
    }
}
