package dev.isthmus.dataplane;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.wire.IpProtocol;
import dev.isthmus.xlat.Offload;
import dev.isthmus.xlat.SamplePackets;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** The warm-up's frames are what the worker accepts live: each kind of header, and one it refuses. */
class WarmupFramesTest {
    private final byte[] tcp6 = SamplePackets.ipv6(IpProtocol.TCP, SamplePackets.tcp(1300), 16);
    private final byte[] udp4 = SamplePackets.ipv4(IpProtocol.UDP, SamplePackets.udp(64), 6);
    private final byte[] echo6 = SamplePackets.ipv6(IpProtocol.ICMPV6, SamplePackets.echo(128, 56), 2);

    @Test
    void withoutAVirtioHeaderTheFrameIsThePacket() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(2048);
            assertEquals(udp4.length, WarmupFrames.frame(out, udp4, false, 3));
            assertArrayEquals(udp4, out.asSlice(0, udp4.length).toArray(ValueLayout.JAVA_BYTE));
        }
    }

    @Test
    void theRoundsCycleThroughTheHeadersALiveQueueDelivers() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(2048);
            Offload offload = new Offload();
            int vh = VirtioNetHeader.SIZE;

            assertEquals(vh + tcp6.length, WarmupFrames.frame(out, tcp6, true, 0));
            assertEquals(0, VirtioNetHeader.accept(out, 0, vh, tcp6.length, offload));
            assertEquals(0, VirtioNetHeader.flags(out, 0));
            assertFalse(offload.partialChecksum);

            WarmupFrames.frame(out, tcp6, true, 1);
            assertEquals(VirtioNetHeader.F_DATA_VALID, VirtioNetHeader.flags(out, 0));

            WarmupFrames.frame(out, udp4, true, 2);
            assertEquals(0, VirtioNetHeader.accept(out, 0, vh, udp4.length, offload));
            assertTrue(offload.partialChecksum);
            assertEquals(0, offload.segmentSize);

            WarmupFrames.frame(out, tcp6, true, 3);
            assertEquals(0, VirtioNetHeader.accept(out, 0, vh, tcp6.length, offload));
            assertEquals(WarmupFrames.SEGMENT_SIZE, offload.segmentSize, "a TSO super-packet");
            assertArrayEquals(tcp6, out.asSlice(vh, tcp6.length).toArray(ValueLayout.JAVA_BYTE));

            // ICMP has no transport checksum to offload: always a plain header.
            WarmupFrames.frame(out, echo6, true, 3);
            assertEquals(0, VirtioNetHeader.accept(out, 0, vh, echo6.length, offload));
            assertEquals(VirtioNetHeader.GSO_NONE, VirtioNetHeader.gsoType(out, 0));
        }
    }

    @Test
    void theRefusedFrameIsRefused() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(2048);
            int length = WarmupFrames.refused(out, udp4);
            assertEquals(VirtioNetHeader.SIZE + udp4.length, length);
            assertEquals(VirtioNetHeader.REFUSE,
                    VirtioNetHeader.accept(out, 0, VirtioNetHeader.SIZE, udp4.length, new Offload()));
        }
    }
}
