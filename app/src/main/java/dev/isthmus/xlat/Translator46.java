package dev.isthmus.xlat;

import dev.isthmus.addr.Ipv4Special;
import dev.isthmus.addr.Rfc6052Prefix;
import dev.isthmus.wire.BigEndian;
import dev.isthmus.wire.Checksum;
import dev.isthmus.wire.IpProtocol;
import dev.isthmus.wire.Ipv6Address;
import dev.isthmus.wire.PacketBuffer;
import dev.isthmus.wire.PacketSink;
import java.lang.foreign.MemorySegment;

/**
 * IPv4 → IPv6, RFC 7915 §4.
 *
 * <p>Order of work for every packet, so that nothing is rewritten before the packet is known to be
 * translatable and any ICMPv4 error the translator originates quotes the packet as it arrived:
 *
 * <ol>
 *   <li>read and validate: lengths, the header checksum (RFC 1812 §5.2.2: a router verifies it),
 *       options (§4.1), the transport header, the ICMPv4 checksum (RFC 5508 REQ-3) and the packet
 *       inside an ICMPv4 error (§4.3);
 *   <li>map the source, then the destination (RFC 7757 §3.3 via {@link AddressMapper}); as in
 *       Jool, a packet the translator cannot route gets no Time Exceeded. A well-formed packet
 *       refused here is answered with 3/13 (§4.4); malformed ones and those §4.1/§4.2 call silent
 *       are dropped without a word. A packet that {@link Translator.Hairpin} brings back from
 *       6→4 (RFC 7757 §4.2) has its source represented with pool6 rather than the EAM and keeps
 *       its TTL (the one decrement happened on the way in);
 *   <li>the router duties: TTL (§4.1 Hop Limit), unexpired source route (§4.1), Fragmentation
 *       Needed or fragmentation (§1.4, §4, §4.1);
 *   <li>rewrite in place — the payload stays where it is and the 40-byte IPv6 header (48 with a
 *       Fragment Header) is written just in front of the upper-layer header, in the room the
 *       {@link PacketBuffer#HEADROOM} leaves — and emit, or split with {@link Fragmenter46}.
 * </ol>
 *
 * <p>The common case (TCP, UDP or Echo, no options, no fragmentation) reads the header with three
 * loads into locals, takes the addresses from a one-entry memo of the last mapping when the flow
 * repeats, adjusts the transport checksum for the pseudo-header change (RFC 1624, one fold) and
 * writes the IPv6 header with five 64-bit stores.
 */
final class Translator46 {
    private static final int V4 = 20;
    private static final int V6 = 40;
    private static final int FH = 8;
    private static final int ICMP_HEADER = 8;
    /** RFC 4443 §2.4(c): an ICMPv6 error must not exceed the minimum IPv6 MTU. */
    static final int ICMPV6_ERROR_MAX = 1280;

    private static final int DF = 0x4000;
    private static final int MF = 0x2000;
    private static final int OFFSET_MASK = 0x1fff;

    private final XlatContext ctx;
    private final AddressMapper mapper;
    private final IcmpOriginator originator;
    private final Fragmenter46 fragmenter = new Fragmenter46();
    private final int trafficClass;
    private final boolean udpZeroChecksumCompute;
    private final int ipv4Mtu;
    private final int ipv6Mtu;
    private final int fragmentMtu;
    private final int[] plateaus;
    private final boolean hasRfc6791;
    private final long rfc6791Hi;
    private final long rfc6791Lo;
    private final Rfc6052Prefix pool6;
    private long pool6Hi;
    private long pool6Lo;
    private boolean pool6Refused;

    // The last successful source and destination mappings (map46 is the costliest step of the
    // common path, and consecutive packets mostly belong to one flow). The mapping rules are fixed
    // for the translator's lifetime, so a remembered result stays right; kind null = nothing yet.
    private int memoSrc4;
    private long memoSrcHi;
    private long memoSrcLo;
    private MappingKind memoSrcKind;
    private int memoSrcEam;
    private int memoDst4;
    private long memoDstHi;
    private long memoDstLo;
    private MappingKind memoDstKind;
    private int memoDstEam;

    // The ICMPv4 error and the packet inside it (RFC 7915 §4.3), filled by prepareError().
    private long errorMapping;
    private int origEnd;
    private int extLength;
    private int inner;
    private int innerHl;
    private int innerTotal;
    private int innerProtocol;
    private int innerTos;
    private int innerTtl;
    private int innerFlags;
    private int innerId;
    private boolean innerFragment;
    private boolean innerFirst;
    private int innerSrc4;
    private int innerDst4;
    private long innerSrcHi;
    private long innerSrcLo;
    private long innerDstHi;
    private long innerDstLo;

    Translator46(XlatContext ctx) {
        this.ctx = ctx;
        this.mapper = ctx.mapper;
        this.originator = ctx.originator;
        XlatSettings s = ctx.settings;
        this.trafficClass = s.trafficClass() < 0 ? -1 : s.trafficClass() & 0xff;
        this.udpZeroChecksumCompute = s.udpZeroChecksumCompute();
        this.ipv4Mtu = Math.max(68, s.ipv4Mtu());
        // RFC 8200 §5: every IPv6 link carries 1280 bytes; a smaller setting is an error we
        // overrule rather than fragment below the minimum.
        this.ipv6Mtu = Math.max(Icmp46Mapper.IPV6_MIN_MTU, s.ipv6Mtu());
        // §4.1: DF=0 packets are fragmented to lowest-ipv6-mtu (default 1280, configurable
        // upwards); the next hop's own MTU caps it.
        this.fragmentMtu = Math.min(ipv6Mtu, Math.max(Icmp46Mapper.IPV6_MIN_MTU, s.lowestIpv6Mtu()));
        this.plateaus = s.mtuPlateaus() == null ? XlatSettings.RFC1191_PLATEAUS : s.mtuPlateaus().clone();
        Ipv6Address a = s.rfc6791v6() != null ? s.rfc6791v6() : s.ownIpv6();
        this.hasRfc6791 = a != null;
        this.rfc6791Hi = a == null ? 0 : a.hi();
        this.rfc6791Lo = a == null ? 0 : a.lo();
        this.pool6 = s.pool6();
    }

    Verdict translate(PacketBuffer pkt, PacketSink out) {
        MemorySegment s = pkt.segment();
        int off = pkt.offset();
        int avail = pkt.length();
        if (avail < V4 || off < 0 || off + (long) avail > s.byteSize()) {
            return ctx.drop(DropReason.TRUNCATED);
        }
        // The fixed header in three loads: version..fragment, TTL..source, destination.
        long w01 = BigEndian.u64(s, off);
        int w0 = (int) (w01 >>> 32);
        if (w0 >>> 28 != 4) {
            return ctx.drop(DropReason.BAD_VERSION);
        }
        int hl = (w0 >>> 22) & 0x3c;
        int total = w0 & 0xffff;
        // RFC 791 §3.1: IHL is at least 5 and the Total Length includes the header.
        if (hl < V4 || total < hl) {
            return ctx.drop(DropReason.BAD_IPV4_HEADER);
        }
        // Ethernet padding may follow the packet: the Total Length says where it ends.
        if (total > avail) {
            return ctx.drop(DropReason.TRUNCATED);
        }
        long w23 = BigEndian.u64(s, off + 8);
        int w1 = (int) w01;
        int w2 = (int) (w23 >>> 32);
        int src = (int) w23;
        int dst = BigEndian.u32(s, off + 16);
        // RFC 1812 §5.2.2: a router verifies the header checksum and silently discards a packet
        // that fails; a translator forwards like a router (RFC 7915 §1.4). One's complement sums
        // may be taken over 32-bit words and folded afterwards (RFC 1071 §2).
        long hsum = (w01 >>> 32) + (w01 & 0xffff_ffffL) + (w23 >>> 32) + (w23 & 0xffff_ffffL) + (dst & 0xffff_ffffL);
        if (hl > V4) {
            hsum = Checksum.add(s, off + V4, hl - V4, hsum);
        }
        if (!Checksum.verifies(hsum)) {
            return ctx.drop(DropReason.BAD_IPV4_HEADER);
        }
        int flags = w1 & 0xffff;
        int offset8 = flags & OFFSET_MASK;
        boolean df = (flags & DF) != 0;
        boolean mf = (flags & MF) != 0;
        // §4.1: a packet is a fragment when MF is set or the offset is non-zero; only then does
        // the translation carry a Fragment Header (no atomic fragments, RFC 8021).
        boolean fragment = (flags & (MF | OFFSET_MASK)) != 0;
        boolean first = offset8 == 0;
        int l4 = off + hl;
        int l4Length = total - hl;
        int end = off + total;
        // RFC 791 §3.2: a fragment whose data would reach beyond the largest datagram cannot be
        // reassembled (nor represented in the Fragment Header's 13-bit offset), and every
        // fragment but the last carries a multiple of 8 data bytes (RFC 8200 §4.5 has the IPv6
        // destination discard a translation that did not).
        if ((offset8 << 3) + l4Length > 0xffff) {
            return ctx.drop(DropReason.FRAGMENT_BEYOND_MAXIMUM);
        }
        if (mf && (l4Length & 7) != 0) {
            return ctx.drop(DropReason.FRAGMENT_NOT_MULTIPLE_OF_8);
        }
        int ttl = w2 >>> 24;
        int protocol = (w2 >>> 16) & 0xff;
        boolean sourceRoute = false;
        if (hl > V4) {
            // §4.1: options are ignored, except an unexpired source route.
            int r = Ipv4Options.scan(s, off + V4, l4);
            if (r == Ipv4Options.MALFORMED) {
                return ctx.drop(DropReason.BAD_IPV4_OPTIONS);
            }
            sourceRoute = r == Ipv4Options.SOURCE_ROUTE;
        }
        // RFC 7915 §1.2: multicast is out of scope (and the limited broadcast never leaves its link).
        if (Ipv4Special.isMulticastOrBroadcast(dst)) {
            return ctx.drop(DropReason.MULTICAST);
        }

        // --- 1. validate the transport header ------------------------------------------------
        // Set by Translator.Hairpin when this packet is a 6→4 translation coming straight back.
        boolean hairpinned = ctx.trace.hairpinned;
        // Offload (live data plane): a partial checksum and/or a TCP/UDP super-packet, see Offload.
        Offload offload = ctx.offload;
        boolean partial = offload.partialChecksum;
        boolean icmpError = false;
        boolean udpCompute = false;
        int echoType6 = -1;
        int l4Checksum = 0; // the TCP/UDP checksum of a first fragment or whole packet
        if (protocol == IpProtocol.ICMP) {
            // §1.2: "Fragmented ICMP/ICMPv6 packets will not be translated" (the checksum covers
            // the whole message, which one fragment does not hold).
            if (fragment) {
                return ctx.drop(DropReason.FRAGMENTED_ICMP);
            }
            if (l4Length < ICMP_HEADER) {
                return ctx.drop(DropReason.BAD_L4_HEADER);
            }
            // RFC 5508 REQ-3: a NAT SHOULD drop ICMP messages whose checksum is wrong; translating
            // one would give it a valid ICMPv6 checksum.
            if (!Checksum.verifies(Checksum.add(s, l4, l4Length, 0))) {
                return ctx.drop(DropReason.BAD_ICMP_CHECKSUM);
            }
            int type4 = BigEndian.u8(s, l4);
            echoType6 = Icmp46Mapper.echoType(type4);
            if (echoType6 < 0) {
                if (!Icmp46Mapper.isTranslatableError(type4)) {
                    // §4.2: Information, Timestamp, Address Mask, Router Advertisement and
                    // Solicitation, Source Quench, Redirect, Alternative Host Address and unknown
                    // types: silently drop.
                    return ctx.drop(DropReason.ICMP_TYPE_UNSUPPORTED);
                }
                icmpError = true;
                DropReason r = prepareError(s, l4, end, hairpinned);
                if (r != DropReason.NONE) {
                    return ctx.drop(r);
                }
            }
        } else if (protocol == IpProtocol.TCP) {
            if (first) {
                if (l4Length < 20) {
                    return ctx.drop(DropReason.BAD_L4_HEADER);
                }
                l4Checksum = BigEndian.u16(s, l4 + 16);
            }
        } else if (protocol == IpProtocol.UDP) {
            if (first) {
                if (l4Length < 8) {
                    return ctx.drop(DropReason.BAD_L4_HEADER);
                }
                l4Checksum = BigEndian.u16(s, l4 + 6);
                // A partial checksum is a pseudo-header sum, never the "no checksum" zero.
                if (l4Checksum == 0 && !partial) {
                    // §4.5: an IPv6 UDP checksum may not be zero (RFC 8200 §8.1). "A stateless
                    // translator cannot compute the UDP checksum of fragmented packets, so when a
                    // stateless translator receives the first fragment of a fragmented UDP IPv4
                    // packet and the checksum field is zero, the translator SHOULD drop the
                    // packet"; an unfragmented one is dropped or given a checksum, as configured.
                    // Either refusal is answered as §4.4 says of every packet the translator
                    // discards (3/13, Communication Administratively Prohibited), as other
                    // translators do, so that the sender learns why rather than timing out.
                    if (fragment) {
                        return prohibited(DropReason.UDP_ZERO_CHECKSUM_FRAGMENT, s, off, total, out);
                    }
                    if (!udpZeroChecksumCompute) {
                        return prohibited(DropReason.UDP_ZERO_CHECKSUM, s, off, total, out);
                    }
                    int udpLength = BigEndian.u16(s, l4 + 4);
                    if (udpLength < 8 || udpLength > l4Length) {
                        return ctx.drop(DropReason.BAD_L4_HEADER);
                    }
                    udpCompute = true;
                }
            }
        } else if (protocol == IpProtocol.IGMP) {
            // §4.2 IGMP: "all the 'normal' IGMP messages are single-hop messages and SHOULD be
            // silently dropped by the translator. Other IGMP messages might be used by multicast
            // routing protocols and ... SHOULD also be silently dropped."
            return ctx.drop(DropReason.PROTOCOL_UNSUPPORTED);
        }

        // --- 2. addresses (source first) ------------------------------------------------------
        long srcHi;
        long srcLo;
        if (icmpError) {
            // §4.1 Source Address: "when translating ICMPv4 Error Messages into ICMPv6, the
            // 'illegal' source address will be translated for the purpose of trouble shooting";
            // a router with no IPv6 representation gets the RFC 6791 address.
            // RFC 7757 §4.2: in a hairpinned error from the node the packet in error went to,
            // that node is seen through pool6, as it was by the sender of that packet.
            if (hairpinned && src == innerDst4 && mapPool6(src)) {
                srcHi = pool6Hi;
                srcLo = pool6Lo;
                ctx.trace.source(MappingKind.POOL6, -1);
            } else if (mapper.map46(src)) {
                srcHi = mapper.hi;
                srcLo = mapper.lo;
                ctx.trace.source(mapper.kind, mapper.eam);
            } else if (hasRfc6791) {
                srcHi = rfc6791Hi;
                srcLo = rfc6791Lo;
                ctx.trace.source(MappingKind.RFC6791, -1);
            } else {
                return ctx.drop(DropReason.UNTRANSLATABLE_SOURCE);
            }
        } else {
            // §4.1 Source Address: "If the translator gets an illegal source address (e.g.,
            // 0.0.0.0, 127.0.0.1, etc.), the translator SHOULD silently drop the packet (as
            // discussed in Section 5.3.7 of [RFC1812])."
            if (Ipv4Special.isIllegalSource(src)) {
                return ctx.drop(DropReason.ILLEGAL_SOURCE);
            }
            if (hairpinned) {
                // RFC 7757 §4.2: the source of a hairpinned packet is an EAM-mapped IPv6 node;
                // it is represented with pool6, not the EAM, so that the peer sees it at the
                // address the peer itself would use (and its reply comes back through us).
                if (!mapPool6(src)) {
                    return prohibited(pool6Refused ? DropReason.WKP_NON_GLOBAL : DropReason.UNTRANSLATABLE_SOURCE,
                            s, off, total, out);
                }
                srcHi = pool6Hi;
                srcLo = pool6Lo;
                ctx.trace.source(MappingKind.POOL6, -1);
            } else if (src == memoSrc4 && memoSrcKind != null) {
                srcHi = memoSrcHi;
                srcLo = memoSrcLo;
                ctx.trace.source(memoSrcKind, memoSrcEam);
            } else {
                // A dynamic pool address stands for an IPv6 node; from the IPv4 side it is spoofed.
                if (mapper.inDynamicPool(src)) {
                    return ctx.drop(DropReason.DYNAMIC_POOL_SPOOFED_SOURCE);
                }
                if (!mapper.map46(src)) {
                    return prohibited(mapper.refusedNonGlobal ? DropReason.WKP_NON_GLOBAL
                            : DropReason.UNTRANSLATABLE_SOURCE, s, off, total, out);
                }
                srcHi = mapper.hi;
                srcLo = mapper.lo;
                ctx.trace.source(mapper.kind, mapper.eam);
                memoSrc4 = src;
                memoSrcHi = srcHi;
                memoSrcLo = srcLo;
                memoSrcKind = mapper.kind;
                memoSrcEam = mapper.eam;
            }
        }
        long dstHi;
        long dstLo;
        if (mapper.inDynamicPool(dst)) {
            // An IP4NODE6 of the dynamic pool: the node bound to it (not memoized, the binding may
            // change and each packet refreshes it).
            if (!mapper.dynamic46(dst)) {
                // Choice: 3/1 Host Unreachable rather than §4.4's default 3/13. The address is
                // ours and allowed; only no host stands behind it now (its binding expired, or
                // the node has not spoken yet), the case RFC 1812 §5.2.7.1 gives Host Unreachable
                // to, and a soft error (RFC 1122 §3.2.2.1) lets a TCP sender keep trying while
                // the IPv6 node comes back and is bound again. No error about an error.
                if (icmpError) {
                    return ctx.drop(DropReason.NO_DYNAMIC_BINDING);
                }
                boolean sent = originator.icmpv4(s, off, total, 3, 1, 0, out);
                return ctx.dropWithError(DropReason.NO_DYNAMIC_BINDING, sent);
            }
            dstHi = mapper.hi;
            dstLo = mapper.lo;
            ctx.trace.destination(MappingKind.DYNAMIC, -1);
        } else if (dst == memoDst4 && memoDstKind != null) {
            dstHi = memoDstHi;
            dstLo = memoDstLo;
            ctx.trace.destination(memoDstKind, memoDstEam);
        } else {
            if (!mapper.map46(dst)) {
                DropReason r = mapper.refusedNonGlobal ? DropReason.WKP_NON_GLOBAL : DropReason.UNTRANSLATABLE_DESTINATION;
                // No error about an error (RFC 1812 §4.3.2.7).
                return icmpError ? ctx.drop(r) : prohibited(r, s, off, total, out);
            }
            dstHi = mapper.hi;
            dstLo = mapper.lo;
            ctx.trace.destination(mapper.kind, mapper.eam);
            memoDst4 = dst;
            memoDstHi = dstHi;
            memoDstLo = dstLo;
            memoDstKind = mapper.kind;
            memoDstEam = mapper.eam;
        }

        // --- 3. router duties -----------------------------------------------------------------
        // §4.1 Hop Limit: "the translator (as any router) MUST check for zero and send the ICMPv4
        // 'TTL Exceeded' or ICMPv6 'Hop Limit Exceeded' error"; TTL 1 would leave as Hop Limit 0.
        // A hairpinned packet (RFC 7757 §4.2) already lost its hop on the way in (6→4): the
        // translator is one router, so it is not decremented twice.
        int hopLimit = hairpinned ? ttl : ttl - 1;
        if (hopLimit < 1) {
            boolean sent = originator.icmpv4(s, off, total, 11, 0, 0, out);
            return ctx.dropWithError(DropReason.TTL_EXPIRED, sent);
        }
        // §4.1: "if an unexpired source route option is present, then the packet MUST instead be
        // discarded, and an ICMPv4 'Destination Unreachable, Source Route Failed' (Type 3, Code 5)
        // error message SHOULD be returned to the sender."
        if (sourceRoute) {
            boolean sent = originator.icmpv4(s, off, total, 3, 5, 0, out);
            return ctx.dropWithError(DropReason.SOURCE_ROUTE, sent);
        }
        int tc = trafficClass >= 0 ? trafficClass : (w0 >>> 16) & 0xff;
        if (icmpError) {
            // No size check: the translated error is cut to 1280 bytes (RFC 4443 §2.4(c)),
            // which every IPv6 link carries.
            return emitError(pkt, out, s, tc, hopLimit, srcHi, srcLo, dstHi, dstLo);
        }

        int headers = fragment ? V6 + FH : V6;
        int size6 = headers + l4Length;
        boolean split = false;
        if (offload.segmentSize > 0) {
            // A super-packet: the receiver cuts it into segments, and the size rules below apply
            // to one segment (IPv6 header + transport header + segmentSize), not to the whole.
            if (fragment || protocol != IpProtocol.TCP && protocol != IpProtocol.UDP) {
                return ctx.drop(DropReason.BAD_OFFLOAD);
            }
            int l4h = protocol == IpProtocol.TCP ? (BigEndian.u8(s, l4 + 12) >>> 4) << 2 : 8;
            if (l4h < 8 || l4h > l4Length) {
                return ctx.drop(DropReason.BAD_L4_HEADER);
            }
            int limit = df ? ipv6Mtu : fragmentMtu;
            if (V6 + l4h + offload.segmentSize > limit) {
                if (protocol == IpProtocol.TCP) {
                    // Smaller segments are legal TCP (the MSS is an upper bound, RFC 9293
                    // §3.7.1): cut the super-packet so that every segment fits, instead of the
                    // Fragmentation Needed or fragments one packet of that size would get.
                    offload.segmentSize = limit - V6 - l4h;
                } else if (df) {
                    // UDP datagram boundaries must not move: as one datagram of segment size.
                    int mtu4 = Math.min(0xffff, ipv6Mtu - (V6 - V4));
                    boolean sent = originator.icmpv4(s, off, total, 3, 4, mtu4, out);
                    return ctx.dropWithError(DropReason.PACKET_TOO_BIG, sent);
                } else {
                    // Limitation: fragmenting every datagram of a UDP super-packet is not done.
                    return ctx.drop(DropReason.SUPER_PACKET_TOO_BIG);
                }
            }
        } else if (df) {
            if (size6 > ipv6Mtu) {
                // §4.1: "If the DF bit is set and the MTU of the next-hop interface is less than
                // the total length value of the IPv4 packet plus 20, the translator MUST send an
                // ICMPv4 'Fragmentation Needed' error message to the IPv4 source address." The
                // IPv4 packet that fits is 20 bytes (28 with a Fragment Header) smaller than the
                // IPv6 link's MTU (RFC 1191 §4: next-hop MTU in the low 16 bits).
                int mtu4 = Math.min(0xffff, ipv6Mtu - (headers - V4));
                boolean sent = originator.icmpv4(s, off, total, 3, 4, mtu4, out);
                return ctx.dropWithError(DropReason.PACKET_TOO_BIG, sent);
            }
        } else if (size6 > fragmentMtu) {
            split = true;
            if (partial) {
                // Fragments cannot carry a partial checksum (the receiver completes it over one
                // packet): complete it here, then translate it as an ordinary packet.
                Offload.completeChecksum(s, l4, l4Length, protocol);
                l4Checksum = BigEndian.u16(s, l4 + (protocol == IpProtocol.TCP ? 16 : 6));
                partial = false;
                offload.partialChecksum = false;
            }
        }
        int o6 = l4 - (split ? Fragmenter46.HEADERS : headers);
        if (o6 < 0) {
            // Only with a buffer that ignores PacketBuffer.HEADROOM.
            return ctx.drop(DropReason.NO_HEADROOM);
        }

        // --- 4. rewrite -----------------------------------------------------------------------
        int nh = protocol;
        Path path;
        if (protocol == IpProtocol.ICMP) {
            // §4.2 Echo: "Adjust the Type values to 128 and 129, respectively, and adjust the ICMP
            // checksum both to take the type change into account and to include the ICMPv6
            // pseudo-header."
            nh = IpProtocol.ICMPV6;
            int typeCode4 = BigEndian.u16(s, l4);
            int typeCode6 = echoType6 << 8 | (typeCode4 & 0xff);
            long newSum = Checksum.ipv6Pseudo(srcHi, srcLo, dstHi, dstLo, IpProtocol.ICMPV6, l4Length) + typeCode6;
            int c = Checksum.adjust(BigEndian.u16(s, l4 + 2), typeCode4, newSum);
            BigEndian.set32(s, l4, typeCode6 << 16 | c);
            path = Path.ICMP_INFO_46;
        } else if (first && (protocol == IpProtocol.TCP || protocol == IpProtocol.UDP)) {
            int at = l4 + (protocol == IpProtocol.TCP ? 16 : 6);
            int c;
            if (udpCompute) {
                // §4.5 option 2: "Calculating an IPv6 checksum and forwarding the packet".
                int udpLength = BigEndian.u16(s, l4 + 4);
                long sum = Checksum.ipv6Pseudo(srcHi, srcLo, dstHi, dstLo, IpProtocol.UDP, udpLength);
                BigEndian.set16(s, at, 0);
                c = Checksum.finish(Checksum.add(s, l4, udpLength, sum));
            } else {
                // §4.5: the pseudo-header changed — only the addresses: length and protocol are
                // the same in both (RFC 768, RFC 9293 §3.1, RFC 8200 §8.1). Only the first
                // fragment holds the header. RFC 1624 eqn. 3, HC' = ~(~HC + ~m + m'), with a
                // single fold: the old addresses enter as 32-bit one's complement negations, the
                // new ones as 32-bit halves (RFC 1071 §2: the sum may be taken in wider words
                // and folded once at the end).
                // A partial checksum P (the uncomplemented pseudo-header sum) is updated the same
                // way without the complements: P' = P + ~m + m'.
                int hc = partial ? ~l4Checksum & 0xffff : l4Checksum;
                long acc = (~hc & 0xffff) + (~src & 0xffff_ffffL) + (~dst & 0xffff_ffffL)
                        + sum64(srcHi) + sum64(srcLo) + sum64(dstHi) + sum64(dstLo);
                c = ~Checksum.fold(acc) & 0xffff;
                if (partial) {
                    c = ~c & 0xffff;
                }
            }
            if (c == 0 && protocol == IpProtocol.UDP && !partial) {
                c = 0xffff; // RFC 768: a computed zero is sent as all ones (zero means "none").
            }
            BigEndian.set16(s, at, c);
            path = protocol == IpProtocol.TCP ? Path.TCP_46 : Path.UDP_46;
        } else {
            // §4.5: "translators MUST forward all transport protocols as described in the 'Next
            // Header' step of Section 4.1" — the ones whose checksum we do not know, unchanged.
            path = Path.OTHER_46;
        }
        if (fragment) {
            path = Path.FRAGMENT_46;
        }
        int id = w1 >>> 16;
        if (split) {
            // §4.1: "the packet SHOULD be fragmented so that the resulting IPv6 packet (with
            // Fragment Header added to each fragment) will be less than or equal to
            // lowest-ipv6-mtu"; the IPv4 Identification serves as the fragments' (an IPv4
            // fragment keeps its siblings' ID, §4.1 Fragment Header fields).
            ctx.trace.outputs += fragmenter.fragment(s, l4, end, fragmentMtu, tc, hopLimit, nh, offset8, mf, id,
                    srcHi, srcLo, dstHi, dstLo, out);
            pkt.set(fragmenter.lastOffset, fragmenter.lastLength);
        } else {
            if (fragment) {
                // §4.1 "If there is a need to add a Fragment Header (the packet is a fragment
                // ...)": Payload Length +8, Next Header 44; the Fragment Header's Next Header is
                // the protocol, offset and M copied, Identification = the IPv4 one in the low 16
                // bits.
                writeHeader(s, o6, tc, l4Length + FH, IpProtocol.FRAGMENT, hopLimit, srcHi, srcLo, dstHi, dstLo);
                writeFragmentHeader(s, o6 + V6, nh, offset8, mf, id);
            } else {
                writeHeader(s, o6, tc, l4Length, nh, hopLimit, srcHi, srcLo, dstHi, dstLo);
            }
            int len6 = size6;
            pkt.set(o6, len6);
            out.emit(s, o6, len6);
            ctx.trace.outputs++;
        }
        return ctx.translated(path);
    }

    /**
     * Validates the packet inside the ICMPv4 error at {@code icmp} (its checksum already verified)
     * and maps what needs mapping, without writing. Fills the inner-packet fields.
     */
    private DropReason prepareError(MemorySegment s, int icmp, int end, boolean hairpinned) {
        int type4 = BigEndian.u8(s, icmp);
        int code4 = BigEndian.u8(s, icmp + 1);
        int rest4 = BigEndian.u32(s, icmp + 4);
        long m = Icmp46Mapper.error(type4, code4, rest4);
        if (m == Icmp46Mapper.UNSUPPORTED_TYPE) {
            return DropReason.ICMP_TYPE_UNSUPPORTED;
        }
        if (m == Icmp46Mapper.UNSUPPORTED_POINTER) {
            return DropReason.ICMP_POINTER_UNSUPPORTED;
        }
        int in = icmp + ICMP_HEADER;
        // RFC 4884 §4.1-§4.3: a valid length attribute (sixth octet, 32-bit words) says where the
        // original datagram ends and an ICMP extension structure begins; an invalid one is read
        // as none (see IcmpExtension.originalLength): the whole rest is then the original
        // datagram.
        origEnd = end;
        extLength = 0;
        if (Icmp46Mapper.carriesLength4(type4)) {
            int length = IcmpExtension.originalLength((rest4 >>> 16) & 0xff, IcmpExtension.UNIT4, end - in);
            if (length > 0) {
                origEnd = in + length;
                extLength = end - origEnd;
            }
        }
        if (origEnd - in < V4) {
            return DropReason.ICMP_ERROR_BAD_INNER;
        }
        int iw0 = BigEndian.u32(s, in);
        int ihl = (iw0 >>> 22) & 0x3c;
        int itotal = iw0 & 0xffff;
        if (iw0 >>> 28 != 4 || ihl < V4 || ihl > origEnd - in || itotal < ihl) {
            return DropReason.ICMP_ERROR_BAD_INNER;
        }
        int iw1 = BigEndian.u32(s, in + 4);
        int iw2 = BigEndian.u32(s, in + 8);
        inner = in;
        innerHl = ihl;
        innerTotal = itotal;
        innerTos = (iw0 >>> 16) & 0xff;
        innerId = iw1 >>> 16;
        innerFlags = iw1 & 0xffff;
        innerFragment = (innerFlags & (MF | OFFSET_MASK)) != 0;
        innerFirst = (innerFlags & OFFSET_MASK) == 0;
        innerTtl = iw2 >>> 24;
        innerProtocol = (iw2 >>> 16) & 0xff;
        innerSrc4 = BigEndian.u32(s, in + 12);
        innerDst4 = BigEndian.u32(s, in + 16);
        int data = in + ihl;
        if (innerProtocol == IpProtocol.ICMP && innerFirst && origEnd > data) {
            int t = BigEndian.u8(s, data);
            // §4.3 / RFC 1812 §4.3.2.7: an error about an error must not exist.
            if (Icmp46Mapper.isError(t)) {
                return DropReason.ICMP_ERROR_NESTED;
            }
            if (Icmp46Mapper.echoType(t) < 0) {
                return DropReason.ICMP_ERROR_BAD_INNER;
            }
        }
        if (Icmp46Mapper.type(m) == Icmp46Mapper.PACKET_TOO_BIG) {
            int mtu = Icmp46Mapper.packetTooBigMtu(rest4 & 0xffff, itotal, innerFragment, ipv4Mtu, ipv6Mtu, plateaus);
            m = Icmp46Mapper.pack(Icmp46Mapper.PACKET_TOO_BIG, 0, mtu);
        }
        errorMapping = m;
        // §4.3: the inner addresses are translated like the outer ones (map46 both: the inner
        // source is the IPv4 alias of the IPv6 node the error goes back to, the inner destination
        // the IPv4 node that stands behind pool6 or an EAM); no illegal-source check.
        // The packet in error came from a node of the dynamic pool: its binding, never pool6.
        if (mapper.inDynamicPool(innerSrc4) ? !mapper.dynamic46(innerSrc4) : !mapper.map46(innerSrc4)) {
            return DropReason.ICMP_ERROR_BAD_INNER;
        }
        innerSrcHi = mapper.hi;
        innerSrcLo = mapper.lo;
        if (hairpinned) {
            // RFC 7757 §4.2: the packet in error went from an IPv6 node to the pool6 form of an
            // EAM-mapped one (that is why it hairpinned); its destination is shown in that form
            // again, so that its sender recognizes it.
            if (!mapPool6(innerDst4)) {
                return DropReason.ICMP_ERROR_BAD_INNER;
            }
            innerDstHi = pool6Hi;
            innerDstLo = pool6Lo;
        } else {
            if (!mapper.map46(innerDst4)) {
                return DropReason.ICMP_ERROR_BAD_INNER;
            }
            innerDstHi = mapper.hi;
            innerDstLo = mapper.lo;
        }
        return DropReason.NONE;
    }

    /**
     * RFC 6052 only (no EAM), for hairpinned packets (RFC 7757 §4.2); the result in
     * {@link #pool6Hi}/{@link #pool6Lo}, or false with {@link #pool6Refused} telling whether RFC
     * 6052 §3.1 (well-known prefix, non-global address) was the reason.
     */
    private boolean mapPool6(int a) {
        pool6Refused = false;
        if (pool6 == null) {
            return false;
        }
        if (pool6.isWellKnown() && Ipv4Special.isNonGlobal(a)) {
            pool6Refused = true;
            return false;
        }
        pool6Hi = pool6.embedHi(a);
        pool6Lo = pool6.embedLo(a);
        return true;
    }

    /**
     * Rewrites the ICMPv4 error that {@link #prepareError} validated into an ICMPv6 error and
     * emits it, RFC 7915 §4.2/§4.3.
     *
     * <pre>
     *  in:          | IPv4 | ICMPv4 8 | inner IPv4 | inner L4 + data | RFC 4884 ext |
     *  out: | IPv6 40 | ICMPv6 8 | inner IPv6 40 (+8) | inner L4 + data | pad | ext |
     * </pre>
     *
     * The inner transport data stays where it is; the three headers are written in front of it.
     * When RFC 4884 needs the original datagram padded (to a multiple of 8 bytes) the data moves
     * towards the front, further into the headroom, and the extension stays in place; when the
     * original datagram is trimmed to make room for the extension, the extension moves towards
     * the front, to where the trimmed datagram ends.
     */
    private Verdict emitError(PacketBuffer pkt, PacketSink out, MemorySegment s, int tc, int hopLimit, long srcHi,
            long srcLo, long dstHi, long dstLo) {
        int type6 = Icmp46Mapper.type(errorMapping);
        int code6 = Icmp46Mapper.code(errorMapping);
        int rest6 = Icmp46Mapper.rest(errorMapping);
        int innerData = inner + innerHl;
        int data = origEnd - innerData;
        int innerHeaders = innerFragment ? V6 + FH : V6;
        int original6 = innerHeaders + data;
        // RFC 4884 §4.4/§4.5 and RFC 7915 §4.2 ("the ICMPv6 Extension length attribute MUST be
        // adjusted accordingly"): the extension is kept beside an original datagram zero-padded
        // to 64-bit words, or, when the message would exceed the 1280 bytes an ICMPv6 error may
        // have (RFC 4443 §2.4(c)), trimmed in 64-bit words ("SHOULD be simply truncated"), never
        // below 128 bytes; an extension that cannot have those beside it is left out (length
        // attribute 0) and the error truncated like any other. ICMPv6 has a length attribute
        // only in Destination Unreachable and Time Exceeded (RFC 4884 §4.6): an extension behind
        // a message that becomes Packet Too Big or Parameter Problem is left out too.
        int padded = extLength > 0 && Icmp46Mapper.carriesLength(type6)
                ? IcmpExtension.originalField(original6, extLength, ICMPV6_ERROR_MAX - V6 - ICMP_HEADER,
                        IcmpExtension.UNIT6)
                : -1;
        boolean extension = padded > 0;
        int pad = extension ? Math.max(0, padded - original6) : 0;
        int message = extension
                ? ICMP_HEADER + padded + extLength
                // RFC 4443 §2.4(c): as much of the invoking packet as fits in 1280 bytes.
                : Math.min(ICMPV6_ERROR_MAX - V6, ICMP_HEADER + original6);
        int data6 = innerData - pad;
        int i6 = data6 - innerHeaders;
        int ic6 = i6 - ICMP_HEADER;
        int o6 = ic6 - V6;
        if (o6 < 0) {
            // Only with a buffer that ignores PacketBuffer.HEADROOM.
            return ctx.drop(DropReason.NO_HEADROOM);
        }
        if (pad > 0) {
            MemorySegment.copy(s, innerData, s, data6, data);
            for (int i = data6 + data; i < origEnd; i++) {
                BigEndian.set8(s, i, 0);
            }
        }
        int extAt = i6 + padded;
        if (extension && extAt != origEnd) {
            // The original datagram was trimmed: the extension, unchanged, follows what is left.
            MemorySegment.copy(s, origEnd, s, extAt, extLength);
        }

        // Inner transport header: checksums adjusted even though the packet is truncated, from
        // the inner header's own fields (§4.3: the packet in error is translated "just like a
        // normal IP packet"; the IPv6 host matches it against what it sent).
        int innerNh = innerProtocol;
        if (innerProtocol == IpProtocol.ICMP) {
            innerNh = IpProtocol.ICMPV6;
            if (innerFirst && data >= 1) {
                int type4 = BigEndian.u8(s, data6);
                int typeI6 = Icmp46Mapper.echoType(type4);
                BigEndian.set8(s, data6, typeI6);
                if (data >= 4) {
                    int code = BigEndian.u8(s, data6 + 1);
                    long newSum = Checksum.ipv6Pseudo(innerSrcHi, innerSrcLo, innerDstHi, innerDstLo,
                            IpProtocol.ICMPV6, innerTotal - innerHl) + (typeI6 << 8 | code);
                    BigEndian.set16(s, data6 + 2,
                            Checksum.adjust(BigEndian.u16(s, data6 + 2), type4 << 8 | code, newSum));
                }
            }
        } else if (innerFirst && (innerProtocol == IpProtocol.TCP || innerProtocol == IpProtocol.UDP)) {
            int at = innerProtocol == IpProtocol.TCP ? 16 : 6;
            if (data >= at + 2) {
                int c = BigEndian.u16(s, data6 + at);
                // An inner UDP checksum of zero was "none" in IPv4; the quoted packet keeps it.
                if (c != 0 || innerProtocol == IpProtocol.TCP) {
                    long v4 = Checksum.add32(innerSrc4, Checksum.add32(innerDst4, 0));
                    long v6 = Checksum.add64(innerSrcHi, Checksum.add64(innerSrcLo,
                            Checksum.add64(innerDstHi, Checksum.add64(innerDstLo, 0))));
                    c = Checksum.adjust(c, v4, v6);
                    if (c == 0 && innerProtocol == IpProtocol.UDP) {
                        c = 0xffff;
                    }
                    BigEndian.set16(s, data6 + at, c);
                }
            }
        }
        int innerTc = trafficClass >= 0 ? trafficClass : innerTos;
        int innerPayload = innerTotal - innerHl;
        // §4.3: "except the TTL value of the inner IPv4/IPv6 packet": the Hop Limit is the TTL.
        if (innerFragment) {
            writeHeader(s, i6, innerTc, innerPayload + FH, IpProtocol.FRAGMENT, innerTtl,
                    innerSrcHi, innerSrcLo, innerDstHi, innerDstLo);
            writeFragmentHeader(s, i6 + V6, innerNh, innerFlags & OFFSET_MASK, (innerFlags & MF) != 0, innerId);
        } else {
            writeHeader(s, i6, innerTc, innerPayload, innerNh, innerTtl, innerSrcHi, innerSrcLo, innerDstHi, innerDstLo);
        }

        int rest = rest6;
        if (extension) {
            rest |= (padded >>> 3) << 24; // RFC 4884 §4.1: fifth octet, 64-bit words
        }
        BigEndian.set32(s, ic6, type6 << 24 | code6 << 16);
        BigEndian.set32(s, ic6 + 4, rest);
        // The message changed throughout (types, inner header, length): full checksum (§4.2:
        // ICMPv6 covers the pseudo-header, RFC 4443 §2.3).
        long sum = Checksum.ipv6Pseudo(srcHi, srcLo, dstHi, dstLo, IpProtocol.ICMPV6, message);
        BigEndian.set16(s, ic6 + 2, Checksum.finish(Checksum.add(s, ic6, message, sum)));
        writeHeader(s, o6, tc, message, IpProtocol.ICMPV6, hopLimit, srcHi, srcLo, dstHi, dstLo);

        int len6 = V6 + message;
        pkt.set(o6, len6);
        out.emit(s, o6, len6);
        ctx.trace.outputs++;
        return ctx.translated(Path.ICMP_ERROR_46);
    }

    /**
     * RFC 7915 §4.4: "If the IPv4 packet is discarded, then the translator SHOULD be able to send
     * back an ICMPv4 error message to the original sender of the packet, unless the discarded
     * packet is itself an ICMPv4 error message. The ICMPv4 message, if sent, has a Type of 3
     * (Destination Unreachable) and a Code of 13 (Communication Administratively Prohibited),
     * unless otherwise specified". Used for the well-formed packets this translator refuses by
     * policy (no mapping for an address, RFC 6052 §3.1); malformed packets and the drops §4.1/§4.2
     * call silent are dropped without it. The originator never answers an ICMPv4 error.
     */
    private Verdict prohibited(DropReason reason, MemorySegment s, int off, int total, PacketSink out) {
        boolean sent = originator.icmpv4(s, off, total, 3, 13, 0, out);
        return ctx.dropWithError(reason, sent);
    }

    /** Writes an IPv6 header (RFC 8200 §3), flow label 0 (RFC 7915 §4.1), with five stores. */
    private static void writeHeader(MemorySegment s, int o, int tc, int payloadLength, int nextHeader, int hopLimit,
            long srcHi, long srcLo, long dstHi, long dstLo) {
        BigEndian.set64(s, o, (long) (0x6000_0000 | tc << 20) << 32
                | (payloadLength << 16 | nextHeader << 8 | hopLimit) & 0xffff_ffffL);
        BigEndian.set64(s, o + 8, srcHi);
        BigEndian.set64(s, o + 16, srcLo);
        BigEndian.set64(s, o + 24, dstHi);
        BigEndian.set64(s, o + 32, dstLo);
    }

    /** A 64-bit word as two 32-bit ones (folded later, RFC 1071 §2). */
    private static long sum64(long v) {
        return (v >>> 32) + (v & 0xffff_ffffL);
    }

    /** Writes a Fragment Header (RFC 8200 §4.5), reserved fields zero, ID high 16 bits zero. */
    private static void writeFragmentHeader(MemorySegment s, int o, int nextHeader, int offset8, boolean more,
            int id) {
        BigEndian.set32(s, o, nextHeader << 24 | offset8 << 3 | (more ? 1 : 0));
        BigEndian.set32(s, o + 4, id & 0xffff);
    }
}
