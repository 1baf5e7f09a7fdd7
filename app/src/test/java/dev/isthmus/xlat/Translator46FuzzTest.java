package dev.isthmus.xlat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.isthmus.wire.PacketBuffer;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Any bytes through a whole {@link Translator} (pool6 2001:db8:64::/96 and two EAM rows, a few
 * settings chosen by the fuzzer) as an IPv4 packet: a verdict, never an exception; every drop
 * counted with a reason; every IPv6 packet emitted has a consistent Payload Length and fits the
 * link, every IPv4 one (an originated error) a valid header.
 */
class Translator46FuzzTest {

    @FuzzTest(maxDuration = "30s")
    void translateNeverThrows(FuzzedDataProvider data) {
        int ipv6Mtu = data.consumeInt(1280, 9000);
        boolean compute = data.consumeBoolean();
        boolean eamOnly = data.consumeBoolean();
        XlatSettings settings = Xlat46Fixtures.settings().ipv6Mtu(ipv6Mtu).udpZeroChecksumCompute(compute)
                .pool6(eamOnly ? null : "2001:db8:64::/96").build();
        XlatCounters counters = new XlatCounters();
        Translator t = new Translator(settings, counters, () -> 0L);
        byte[] in = data.consumeRemainingAsBytes();
        if (in.length > 0) {
            in[0] = (byte) (0x40 | in[0] & 0x0f); // always the 4→6 direction
        }
        PacketBuffer b = PacketBuffer.heap(PacketBuffer.DEFAULT_CAPACITY);
        b.load(in);
        int[] outputs = new int[1];
        Verdict v = t.translate(b, (MemorySegment s, int off, int len) -> {
            outputs[0]++;
            byte[] out = s.asSlice(off, len).toArray(ValueLayout.JAVA_BYTE);
            if ((out[0] & 0xf0) == 0x60) {
                assertTrue(len >= 40 && len <= ipv6Mtu, "IPv6 packet of " + len);
                assertEquals(len - 40, Xlat46Fixtures.u16(out, 4));
            } else {
                Xlat46Fixtures.assertIpv4Valid(out);
            }
        });
        assertNotNull(v);
        assertEquals(outputs[0], t.trace().outputs());
        if (v == Verdict.TRANSLATED) {
            assertEquals(0, counters.totalDrops());
        } else {
            assertNotEquals(DropReason.NONE, t.trace().reason());
            assertEquals(1, counters.drops(t.trace().reason()));
        }
    }
}
