package dev.isthmus.dataplane;

import dev.isthmus.wire.IpProtocol;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The frames a worker's JIT warm-up reads instead of a TUN queue: each sample packet behind the
 * virtio-net header the kernel would write (when the device has one), cycling per round through
 * the kinds a live queue delivers — nothing to do, checksum already verified (DATA_VALID), a
 * partial checksum to complete (NEEDS_CSUM) and, for a TCP segment longer than
 * {@link #SEGMENT_SIZE}, a TSO super-packet. The worker's loop then meets every branch it takes
 * live during the warm-up; the JIT would otherwise compile a branch it never saw as a trap back to
 * the interpreter.
 */
final class WarmupFrames {
    /** The segment size of the warm-up's super-packets. */
    static final int SEGMENT_SIZE = 600;

    private WarmupFrames() {}

    /** Writes {@code packet} (behind a header chosen by {@code round} if {@code vnet}) to {@code out}; its length. */
    static int frame(MemorySegment out, byte[] packet, boolean vnet, int round) {
        int vh = vnet ? VirtioNetHeader.SIZE : 0;
        MemorySegment.copy(packet, 0, out, ValueLayout.JAVA_BYTE, vh, packet.length);
        if (vnet) {
            header(out, packet, round);
        }
        return vh + packet.length;
    }

    private static void header(MemorySegment out, byte[] packet, int round) {
        MemorySegment pkt = out.asSlice(VirtioNetHeader.SIZE, packet.length);
        int t = VirtioNetHeader.transport(pkt, 0, packet.length);
        int kind = round % 4;
        if (t < 0 || kind < 2) {
            VirtioNetHeader.write(out, 0, kind == 1 ? VirtioNetHeader.F_DATA_VALID : 0,
                    VirtioNetHeader.GSO_NONE, 0, 0, 0, 0);
            return;
        }
        int l4 = t & 0xffff;
        boolean tcp = (t >>> 16 & 0xff) == IpProtocol.TCP;
        int field = tcp ? 16 : 6;
        if (kind == 3 && tcp && packet.length > l4 + 20 + SEGMENT_SIZE) {
            int gsoType = t >>> 24 == 4 ? VirtioNetHeader.GSO_TCPV4 : VirtioNetHeader.GSO_TCPV6;
            VirtioNetHeader.write(out, 0, VirtioNetHeader.F_NEEDS_CSUM, gsoType, l4 + 20, SEGMENT_SIZE, l4, field);
        } else {
            VirtioNetHeader.write(out, 0, VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_NONE, 0, 0, l4, field);
        }
    }

    /** Writes {@code packet} behind a legacy UFO request (which the worker refuses) to {@code out}; its length. */
    static int refused(MemorySegment out, byte[] packet) {
        MemorySegment.copy(packet, 0, out, ValueLayout.JAVA_BYTE, VirtioNetHeader.SIZE, packet.length);
        VirtioNetHeader.write(out, 0, VirtioNetHeader.F_NEEDS_CSUM, VirtioNetHeader.GSO_UDP, 28, 100, 20, 6);
        return VirtioNetHeader.SIZE + packet.length;
    }
}
