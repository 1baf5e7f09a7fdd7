package dev.isthmus.xlat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.wire.PacketBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Super-packets (see {@link Offload}) the translator refuses, each counted under the reason that
 * says why: not one that blames the packet's headers or DF.
 */
class OffloadRefusalTest {
    private final XlatCounters counters = new XlatCounters();
    private final PacketBuffer buffer = PacketBuffer.heap(PacketBuffer.DEFAULT_CAPACITY);
    private final List<Integer> emitted = new ArrayList<>();

    private Verdict run(XlatSettings settings, byte[] in, int segmentSize) {
        Translator t = new Translator(settings, counters, () -> 0L);
        Offload offload = new Offload();
        offload.partialChecksum = true;
        offload.segmentSize = segmentSize;
        buffer.load(in);
        Verdict v = t.translate(buffer, (s, o, l) -> emitted.add(l), offload);
        assertTrue(emitted.isEmpty(), "nothing emitted");
        return v;
    }

    /** Only TCP and UDP are cut into segments: an ICMPv4 Echo claiming to be a super-packet. */
    @Test
    void icmpv4SuperPacket() {
        byte[] in = Xlat46Fixtures.ipv4(Xlat46Fixtures.S4, Xlat46Fixtures.C4, 1, 64, 0,
                Xlat46Fixtures.icmp(8, 0, 0x0b0b0001, new byte[1000]));
        assertEquals(Verdict.DROPPED, run(Xlat46Fixtures.settings().build(), in, 500));
        assertEquals(1, counters.drops(DropReason.BAD_OFFLOAD));
    }

    /** The same in 6→4: an ICMPv6 Echo claiming to be a super-packet. */
    @Test
    void icmpv6SuperPacket() {
        byte[] in = Xlat64Fixtures.ipv6(Xlat64Fixtures.C6, Xlat64Fixtures.S6, 58, 64, 0,
                Xlat64Fixtures.icmp(128, 0, 0x0b0b0001, new byte[1000]));
        assertEquals(Verdict.DROPPED, run(Xlat64Fixtures.settings().build(), in, 500));
        assertEquals(1, counters.drops(DropReason.BAD_OFFLOAD));
    }

    /**
     * A UDP super-packet with DF clear whose datagrams would each need fragmenting (RFC 7915 §4.1,
     * lowest-ipv6-mtu 1280): not done, and DF has nothing to do with it.
     */
    @Test
    void udpSuperPacketNeedingFragments() {
        byte[] in = Xlat46Fixtures.ipv4(Xlat46Fixtures.S4, Xlat46Fixtures.C4, 17, 64, 0, 0x1234, 0, new byte[0],
                Xlat46Fixtures.udp(9, 40000, new byte[2800]));
        assertEquals(Verdict.DROPPED, run(Xlat46Fixtures.settings().build(), in, 1400));
        assertEquals(1, counters.drops(DropReason.SUPER_PACKET_TOO_BIG));
        assertEquals(0, counters.drops(DropReason.PACKET_TOO_BIG));
    }

    /** A 6→4 super-packet whose IPv4 form would exceed the 65535 bytes of the Total Length field. */
    @Test
    void superPacketBeyondIpv4TotalLength() {
        byte[] in = Xlat64Fixtures.ipv6(Xlat64Fixtures.C6, Xlat64Fixtures.S6, 6, 64, 0,
                Xlat64Fixtures.tcp(40000, 80, 1, 1, 0x10, new byte[65520 - 20]));
        assertEquals(Verdict.DROPPED, run(Xlat64Fixtures.settings().ipv4Mtu(65535).build(), in, 1440));
        assertEquals(1, counters.drops(DropReason.SUPER_PACKET_TOO_BIG));
        assertEquals(0, counters.drops(DropReason.PACKET_TOO_BIG));
    }
}
