package dev.isthmus.xlat;

import static dev.isthmus.xlat.Xlat64Fixtures.C6;
import static dev.isthmus.xlat.Xlat64Fixtures.R6;
import static dev.isthmus.xlat.Xlat64Fixtures.S6;
import static dev.isthmus.xlat.Xlat64Fixtures.icmp;
import static dev.isthmus.xlat.Xlat64Fixtures.ipv6;
import static dev.isthmus.xlat.Xlat64Fixtures.tcp;
import static dev.isthmus.xlat.Xlat64Fixtures.udp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.wire.PacketBuffer;
import dev.isthmus.wire.PacketSink;
import dev.isthmus.xlat.Xlat64Fixtures.Harness;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The 6→4 paths allocate nothing per packet (flyweights, locals, no boxing, no exceptions). */
class Translator64AllocationTest {

    @ParameterizedTest
    @ValueSource(strings = {"udp", "tcp", "echo", "error", "fragmented", "options", "refused"})
    void allocatesNothing(String kind) {
        byte[] in = switch (kind) {
            case "udp" -> ipv6(C6, S6, 17, 64, 0, udp(1, 2, new byte[32]));
            case "tcp" -> ipv6(C6, S6, 6, 64, 0, tcp(1, 2, 3, 4, 0x10, new byte[32]));
            case "echo" -> ipv6(C6, S6, 58, 64, 0, icmp(128, 0, 1, new byte[32]));
            case "error" -> ipv6(R6, C6, 58, 64, 0, icmp(1, 4, 0, ipv6(C6, S6, 17, 64, 0, udp(1, 2, new byte[32]))));
            case "fragmented" -> ipv6(C6, S6, 17, 64, 0, udp(1, 2, new byte[1000]));
            case "options" -> Translator64PropertyTest.withOptions(ipv6(C6, S6, 17, 64, 0, udp(1, 2, new byte[32])), 1, 2);
            default -> ipv6(C6, "2001:db8:65::1", 17, 64, 0, udp(1, 2, new byte[32]));
        };
        Harness h = Xlat64Fixtures.settings().ipv4Mtu(kind.equals("fragmented") ? 576 : 1500).harness();
        PacketBuffer buffer = h.buffer;
        MemorySegment source = MemorySegment.ofArray(in);
        int[] emitted = new int[1];
        PacketSink sink = (seg, off, len) -> emitted[0]++;
        Verdict expected = kind.equals("refused") ? Verdict.ICMP_ERROR : Verdict.TRANSLATED;
        Verdict[] last = new Verdict[1];
        long bytes = Xlat64Allocations.of(() -> {
            for (int i = 0; i < 20_000; i++) {
                buffer.load(source, 0, in.length);
                last[0] = h.t64.translate(buffer, sink);
            }
        });
        assertEquals(expected, last[0], () -> "reason " + h.trace().reason());
        assertTrue(bytes < Xlat64Allocations.NOISE, kind + ": " + bytes + " bytes allocated");
    }
}
