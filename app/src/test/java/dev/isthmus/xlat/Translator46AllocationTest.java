package dev.isthmus.xlat;

import static dev.isthmus.xlat.Xlat46Fixtures.C4;
import static dev.isthmus.xlat.Xlat46Fixtures.R4;
import static dev.isthmus.xlat.Xlat46Fixtures.S4;
import static dev.isthmus.xlat.Xlat46Fixtures.icmp;
import static dev.isthmus.xlat.Xlat46Fixtures.ipv4;
import static dev.isthmus.xlat.Xlat46Fixtures.tcp;
import static dev.isthmus.xlat.Xlat46Fixtures.udp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.wire.PacketBuffer;
import dev.isthmus.wire.PacketSink;
import dev.isthmus.xlat.Xlat46Fixtures.Harness;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The 4→6 paths allocate nothing per packet (flyweights, locals, no boxing, no exceptions). */
class Translator46AllocationTest {

    @ParameterizedTest
    @ValueSource(strings = {"udp", "tcp", "echo", "error", "extension", "fragment", "fragmented", "options",
            "refused", "tooBig", "udpZero"})
    void allocatesNothing(String kind) {
        byte[] inner = ipv4(C4, S4, 17, 63, 0, 1, 0, new byte[0], udp(1, 2, new byte[100]));
        byte[] in = switch (kind) {
            case "udp", "udpZero" -> ipv4(S4, C4, 17, 64, 0, udp(1, 2, new byte[32]));
            case "tcp" -> ipv4(S4, C4, 6, 64, 0, tcp(1, 2, 3, 4, 0x10, new byte[32]));
            case "echo" -> ipv4(S4, C4, 1, 64, 0, icmp(8, 0, 1, new byte[32]));
            case "error" -> ipv4(R4, C4, 1, 64, 0, icmp(3, 4, 1400, inner));
            case "extension" -> ipv4(R4, C4, 1, 64, 0, icmp(11, 0, 32 << 16,
                    Xlat46Fixtures.concat(inner, Xlat46Fixtures.hex("20 00 de cc 00 08 01 01 00 00 00 2a"))));
            case "fragment" -> ipv4(S4, C4, 17, 64, 0, 7, 0x2000, new byte[0], udp(1, 2, new byte[32]));
            case "fragmented" -> ipv4(S4, C4, 17, 64, 0, 7, 0, new byte[0], udp(1, 2, new byte[3000]));
            case "options" -> ipv4(S4, C4, 17, 64, 0, 7, 0, new byte[] {7, 7, 4, 0, 0, 0, 0, 0}, udp(1, 2, new byte[32]));
            case "refused" -> ipv4(S4, "192.0.2.77", 17, 64, 0, udp(1, 2, new byte[32]));
            case "tooBig" -> ipv4(S4, C4, 17, 64, 0, udp(1, 2, new byte[1500]));
            default -> throw new IllegalArgumentException(kind);
        };
        if (kind.equals("udpZero")) {
            in[26] = 0;
            in[27] = 0;
        }
        Xlat46Fixtures.Settings s = Xlat46Fixtures.settings().udpZeroChecksumCompute(true);
        if (kind.equals("refused")) {
            s.pool6(null);
        }
        Harness h = s.harness();
        PacketBuffer buffer = h.buffer;
        MemorySegment source = MemorySegment.ofArray(in);
        int[] emitted = new int[1];
        PacketSink sink = (seg, off, len) -> emitted[0]++;
        Verdict expected = kind.equals("refused") || kind.equals("tooBig") ? Verdict.ICMP_ERROR : Verdict.TRANSLATED;
        Verdict[] last = new Verdict[1];
        byte[] input = in;
        long bytes = Xlat46Fixtures.allocations(() -> {
            for (int i = 0; i < 20_000; i++) {
                buffer.load(source, 0, input.length);
                h.ctx.trace.reset();
                last[0] = h.t46.translate(buffer, sink);
            }
        });
        assertEquals(expected, last[0], () -> "reason " + h.trace().reason());
        assertTrue(bytes < Xlat46Fixtures.ALLOCATION_NOISE, kind + ": " + bytes + " bytes allocated");
    }
}
