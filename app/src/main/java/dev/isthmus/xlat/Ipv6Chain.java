package dev.isthmus.xlat;

import dev.isthmus.wire.BigEndian;
import dev.isthmus.wire.IpProtocol;
import dev.isthmus.wire.Ipv6ExtensionView;
import dev.isthmus.wire.Ipv6FragmentView;
import dev.isthmus.wire.Ipv6View;
import java.lang.foreign.MemorySegment;

/**
 * Walks an IPv6 extension header chain (RFC 8200 §4) the way RFC 7915 §5.1 reads it for a
 * 6→4 translation.
 *
 * <p>Hop-by-Hop (0), Routing (43) and Destination Options (60) are skipped "as they have no
 * meaning in IPv4"; a Fragment Header (44) is remembered (§5.1.1); the first other Next Header
 * is what the IPv4 Protocol field gets. The walk also notes the first Routing Header whose
 * Segments Left is not zero, which §5.1 forbids translating.
 *
 * <p>One instance per use (outer packet, packet inside an ICMP error), reused for every packet:
 * {@link #walk} fills the public-to-the-package fields and allocates nothing.
 */
final class Ipv6Chain {
    /** The first Next Header that is not skipped (before 58 becomes 1). */
    int protocol;
    /** Absolute offset of the upper-layer header (or, in a non-initial fragment, of its data). */
    int upperOffset;
    /** Absolute offset of the Fragment Header, or -1 when there is none. */
    int fragmentHeader;
    /** Fragment Header fields (RFC 8200 §4.5), valid when {@link #fragmentHeader} >= 0. */
    int fragmentOffset8;
    boolean moreFragments;
    int fragmentId;
    /**
     * Offset, counted from the start of the IPv6 header, of the Segments Left field of the first
     * Routing Header whose Segments Left is not zero; -1 if there is none. It is the Pointer of the
     * Parameter Problem that RFC 7915 §5.1 asks for.
     */
    int segmentsLeftPointer;

    /**
     * Walks the chain of the IPv6 packet at {@code ip} whose bytes end at {@code end} (exclusive;
     * the caller has checked that the 40-byte fixed header is there).
     *
     * @return {@link DropReason#NONE}, or why the chain cannot be translated:
     *     {@link DropReason#BAD_EXTENSION_HEADER} when a header runs past {@code end} or
     *     Hop-by-Hop is not first (RFC 8200 §4.3), {@link DropReason#EXTENSION_AFTER_FRAGMENT}
     *     when any extension header other than ESP follows the Fragment Header (RFC 7915 §5.1.1)
     */
    DropReason walk(MemorySegment s, int ip, int end) {
        fragmentHeader = -1;
        fragmentOffset8 = 0;
        moreFragments = false;
        fragmentId = 0;
        segmentsLeftPointer = -1;
        int nh = BigEndian.u8(s, ip + 6);
        int p = ip + Ipv6View.HEADER;
        // Every header is at least 8 bytes long, so the loop ends within (end - ip) / 8 rounds.
        while (true) {
            if (IpProtocol.isSkippableExtension(nh)) {
                if (fragmentHeader >= 0) {
                    return DropReason.EXTENSION_AFTER_FRAGMENT;
                }
                if (nh == IpProtocol.HOPOPTS && p != ip + Ipv6View.HEADER) {
                    return DropReason.BAD_EXTENSION_HEADER;
                }
                if (p + Ipv6ExtensionView.MIN_LENGTH > end) {
                    return DropReason.BAD_EXTENSION_HEADER;
                }
                int length = (BigEndian.u8(s, p + 1) + 1) << 3;
                if (length > end - p) {
                    return DropReason.BAD_EXTENSION_HEADER;
                }
                if (nh == IpProtocol.ROUTING && segmentsLeftPointer < 0
                        && BigEndian.u8(s, p + Ipv6ExtensionView.SEGMENTS_LEFT_OFFSET) != 0) {
                    segmentsLeftPointer = p + Ipv6ExtensionView.SEGMENTS_LEFT_OFFSET - ip;
                }
                nh = BigEndian.u8(s, p);
                p += length;
            } else if (nh == IpProtocol.FRAGMENT) {
                if (fragmentHeader >= 0) {
                    return DropReason.EXTENSION_AFTER_FRAGMENT;
                }
                if (p + Ipv6FragmentView.LENGTH > end) {
                    return DropReason.BAD_EXTENSION_HEADER;
                }
                int w = BigEndian.u16(s, p + 2);
                fragmentHeader = p;
                fragmentOffset8 = w >>> 3;
                moreFragments = (w & 1) != 0;
                fragmentId = BigEndian.u32(s, p + 4);
                nh = BigEndian.u8(s, p);
                p += Ipv6FragmentView.LENGTH;
            } else {
                // RFC 7915 §5.1.1: "If the Next Header field of the Fragment Header is an
                // extension header (except ESP, but including the Authentication Header (AH)),
                // then the packet SHOULD be dropped and logged."
                if (fragmentHeader >= 0 && nh != IpProtocol.ESP && IpProtocol.isExtension(nh)) {
                    return DropReason.EXTENSION_AFTER_FRAGMENT;
                }
                protocol = nh;
                upperOffset = p;
                return DropReason.NONE;
            }
        }
    }

    /** True when a Fragment Header makes this a real fragment (M set or offset not zero). */
    boolean isFragment() {
        return fragmentHeader >= 0 && (moreFragments || fragmentOffset8 != 0);
    }
}
