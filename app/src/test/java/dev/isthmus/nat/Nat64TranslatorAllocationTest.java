package dev.isthmus.nat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.addr.EamTable;
import dev.isthmus.addr.Ipv4Pool;
import dev.isthmus.addr.Rfc6052Prefix;
import dev.isthmus.wire.IpProtocol;
import dev.isthmus.wire.Ipv4Address;
import dev.isthmus.wire.Ipv6Address;
import dev.isthmus.wire.PacketBuffer;
import dev.isthmus.wire.PacketSink;
import dev.isthmus.xlat.SamplePackets;
import dev.isthmus.xlat.Verdict;
import dev.isthmus.xlat.XlatCounters;
import dev.isthmus.xlat.XlatSettings;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Once a flow's state exists, its packets allocate nothing in either direction: table lookup,
 * stateless translation, port rewrite, hairpin and the table's refusals included.
 */
class Nat64TranslatorAllocationTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    /** What a measurement itself may cost (the JIT, a TLAB refill counted late). */
    private static final long NOISE = 4096;

    @ParameterizedTest
    @ValueSource(strings = {"udp-out", "udp-in", "tcp-out", "echo-out", "error-in", "hairpin", "refused-in"})
    void allocatesNothingOnAnExistingFlow(String kind) {
        Nat64Table table = new Nat64Table(Nat64Settings.builder(Pool4.of("192.0.2.2/32")).build(), null);
        XlatSettings s = new XlatSettings(Rfc6052Prefix.parse("2001:db8:64::/96"), new EamTable(List.of()),
                Ipv4Pool.empty(), null, -1, -1, true, 1280, null, 1500, 1500, Ipv4Address.parse("192.0.2.2"),
                Ipv6Address.parse("2001:db8:64::c000:202"), XlatSettings.HairpinMode.OFF, true, 0);
        Nat64Translator t = new Nat64Translator(table, s, new XlatCounters(), () -> 1_000_000_000L);
        PacketBuffer buffer = PacketBuffer.scratch(PacketBuffer.DEFAULT_CAPACITY);
        int[] t1 = new int[1];
        PacketSink capture = (seg, off, len) -> t1[0] = Short.toUnsignedInt(seg.get(
                java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), off + 20));
        buffer.load(Nat64TranslatorTest.udp6(Nat64TranslatorTest.CLIENT, 40000, Nat64TranslatorTest.SERVER6, 53, 32));
        t.translate(buffer, capture);
        int port = t1[0];
        byte[] in = switch (kind) {
            case "udp-out" -> Nat64TranslatorTest.udp6(Nat64TranslatorTest.CLIENT, 40000, Nat64TranslatorTest.SERVER6,
                    53, 32);
            case "udp-in" -> Nat64TranslatorTest.udp4(Nat64TranslatorTest.SERVER, 53, Nat64TranslatorTest.T, port, 32);
            case "tcp-out" -> Nat64TranslatorTest.tcp6(Nat64TranslatorTest.CLIENT, 50000, Nat64TranslatorTest.SERVER6,
                    80, TcpState.SYN);
            case "echo-out" -> SamplePackets.ipv6(IpProtocol.ICMPV6, new byte[] {(byte) 128, 0, 0, 0, 0, 7, 0, 1}, 2,
                    Nat64TranslatorTest.CLIENT, Nat64TranslatorTest.SERVER6);
            case "error-in" -> {
                byte[] quoted = Nat64TranslatorTest.udp4(Nat64TranslatorTest.T, port, Nat64TranslatorTest.SERVER, 53, 8);
                byte[] icmp = new byte[8 + quoted.length];
                icmp[0] = 3;
                icmp[1] = 3;
                System.arraycopy(quoted, 0, icmp, 8, quoted.length);
                yield SamplePackets.ipv4(IpProtocol.ICMP, icmp, 2, Nat64TranslatorTest.SERVER, Nat64TranslatorTest.T,
                        false);
            }
            case "hairpin" -> Nat64TranslatorTest.udp6(Nat64TranslatorTest.CLIENT2, 41000, Nat64TranslatorTest.T6,
                    port, 32);
            default -> Nat64TranslatorTest.udp4(Nat64TranslatorTest.SERVER, 53, Nat64TranslatorTest.T, port ^ 2, 32);
        };
        MemorySegment source = MemorySegment.ofArray(in);
        PacketSink sink = (seg, off, len) -> { };
        Verdict[] last = new Verdict[1];
        Runnable work = () -> {
            for (int i = 0; i < 20_000; i++) {
                buffer.load(source, 0, in.length);
                last[0] = t.translate(buffer, sink);
            }
        };
        work.run(); // the first packet of a flow may allocate (a new session, a slab growing)
        long tid = Thread.currentThread().threadId();
        long before = THREADS.getThreadAllocatedBytes(tid);
        work.run();
        long bytes = THREADS.getThreadAllocatedBytes(tid) - before;
        Verdict expected = kind.equals("refused-in") ? Verdict.ICMP_ERROR : Verdict.TRANSLATED;
        assertEquals(expected, last[0], () -> "reason " + t.trace().reason());
        assertTrue(bytes < NOISE, kind + ": " + bytes + " bytes allocated");
    }
}
