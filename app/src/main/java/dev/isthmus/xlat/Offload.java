package dev.isthmus.xlat;

import dev.isthmus.wire.BigEndian;
import dev.isthmus.wire.Checksum;
import dev.isthmus.wire.IpProtocol;
import java.lang.foreign.MemorySegment;

/**
 * Offload facts about the packet being translated, as a TUN device with {@code IFF_VNET_HDR}
 * hands them over (the virtio-net header) — kept here in the translator's own words so that
 * {@code xlat} knows nothing about virtio.
 *
 * <p>Two facts, both set by the caller before {@link Translator#translate(dev.isthmus.wire.PacketBuffer,
 * dev.isthmus.wire.PacketSink, Offload)} and possibly changed by it:
 *
 * <ul>
 *   <li>{@link #partialChecksum}: the TCP/UDP checksum field holds only the one's complement sum
 *       of the pseudo-header, not complemented (Linux {@code CHECKSUM_PARTIAL}); whoever receives
 *       the packet (the kernel, on write) completes it over the transport header and data. The
 *       translator then replaces the pseudo-header's addresses in that partial sum (RFC 1624
 *       arithmetic without the complements) and neither verifies nor finishes it. The caller sets
 *       it only for an unfragmented TCP or UDP packet whose checksum starts at the transport
 *       header. When the translator must split the packet into fragments it first completes the
 *       checksum itself and clears the flag.
 *   <li>{@link #segmentSize}: when non-zero the packet is a TCP or UDP super-packet (up to
 *       64 KiB) that the receiver will cut into segments of this many payload bytes (the MSS for
 *       TCP) — {@code gso_size}. Size rules (DF, MTU, fragmentation) apply to one segment, not to
 *       the super-packet: a TCP segment that would not fit the next-hop MTU after translation
 *       gets a smaller {@code segmentSize} (smaller segments are legal TCP, RFC 9293 §3.7.1), a
 *       UDP one is refused like an unfragmentable datagram of that size (UDP datagram boundaries
 *       must not move). A super-packet always has {@link #partialChecksum} set.
 * </ul>
 *
 * <p>After the call the fields describe the translation (the one TCP/UDP packet emitted for the
 * input); packets the translator originates (ICMP errors) carry no offload. One instance per
 * worker, reused for every packet.
 */
public final class Offload {
    /** The transport checksum field holds the uncomplemented pseudo-header sum only. */
    public boolean partialChecksum;
    /** Payload bytes per segment of a super-packet, or 0 for an ordinary packet. */
    public int segmentSize;

    /** No offload: a complete checksum, one packet. */
    public void clear() {
        partialChecksum = false;
        segmentSize = 0;
    }

    /** True when either fact is set. */
    public boolean active() {
        return partialChecksum || segmentSize > 0;
    }

    /**
     * Completes a partial checksum in place: the field already holds the pseudo-header sum, so
     * the checksum is the complement of the sum over the transport header and data (RFC 1071).
     */
    static void completeChecksum(MemorySegment s, int l4, int l4Length, int protocol) {
        int at = l4 + (protocol == IpProtocol.TCP ? 16 : 6);
        int c = Checksum.finish(Checksum.add(s, l4, l4Length, 0));
        if (c == 0 && protocol == IpProtocol.UDP) {
            c = 0xffff; // RFC 768: a computed zero is sent as all ones
        }
        BigEndian.set16(s, at, c);
    }
}
