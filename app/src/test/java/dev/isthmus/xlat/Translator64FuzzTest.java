package dev.isthmus.xlat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.isthmus.xlat.Xlat64Fixtures.Harness;
import dev.isthmus.xlat.XlatSettings.HairpinMode;

/**
 * {@link Translator64#translate} on any bytes and a few settings: it returns a verdict, never
 * throws, and every IPv4 packet it emits has a valid header and a Total Length equal to its size.
 */
class Translator64FuzzTest {

    @FuzzTest(maxDuration = "30s")
    void translateNeverThrows(FuzzedDataProvider data) {
        int mtu = data.consumeInt(68, 1600);
        HairpinMode mode = data.pickValue(HairpinMode.values());
        boolean pool = data.consumeBoolean();
        Harness h = Xlat64Fixtures.settings().ipv4Mtu(mtu).hairpin(mode)
                .rfc6791(pool ? java.util.List.of("192.0.2.254") : java.util.List.of()).harness();
        byte[] in = data.consumeRemainingAsBytes();
        Verdict v = h.run(in);
        assertNotNull(v);
        for (byte[] out : h.out) {
            if ((out[0] & 0xf0) == 0x40) {
                assertEquals(0xffff, Xlat64Fixtures.sum(out, 0, 20, 0), "IPv4 header checksum");
                assertEquals(out.length, Xlat64Fixtures.u16(out, 2));
            }
        }
    }
}
