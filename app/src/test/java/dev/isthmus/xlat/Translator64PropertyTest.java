package dev.isthmus.xlat;

import static dev.isthmus.xlat.Xlat64Fixtures.assertIpv4Valid;
import static dev.isthmus.xlat.Xlat64Fixtures.concat;
import static dev.isthmus.xlat.Xlat64Fixtures.u16;
import static dev.isthmus.xlat.Xlat64Fixtures.u8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.xlat.Xlat64Fixtures.Harness;
import dev.isthmus.xlat.XlatSettings.HairpinMode;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Properties of the 6→4 translation: any valid IPv6 TCP, UDP or Echo packet (with or without
 * Hop-by-Hop / Destination Options headers) becomes a well-formed IPv4 packet whose header and
 * transport checksums verify by a plain full computation, with the payload unchanged; and no
 * sequence of bytes of any length makes the translator throw.
 */
class Translator64PropertyTest {

    private final Harness harness = Xlat64Fixtures.harness();

    @Property(tries = 500)
    void validPacketsTranslateToValidIpv4(
            @ForAll @IntRange(min = 0, max = 3) int kind,
            @ForAll @IntRange(min = 0, max = 255) int host,
            @ForAll("unicast") int dst4,
            @ForAll @IntRange(min = 2, max = 255) int hopLimit,
            @ForAll @IntRange(min = 0, max = 255) int trafficClass,
            @ForAll @Size(max = 1400) byte[] payload,
            @ForAll @IntRange(min = 0, max = 2) int hopByHop8,
            @ForAll @IntRange(min = 0, max = 2) int destOpts8,
            @ForAll boolean withExtensions) {
        String src = "2001:db8:6::" + Integer.toHexString(host);
        String dst = String.format("2001:db8:64::%x:%x", dst4 >>> 16, dst4 & 0xffff);
        int nh = kind == 0 ? 6 : kind == 1 ? 17 : 58;
        byte[] upper = switch (kind) {
            case 0 -> Xlat64Fixtures.tcp(1000 + host, 443, dst4, ~dst4, 0x18, payload);
            case 1 -> Xlat64Fixtures.udp(1000 + host, 443, payload);
            default -> Xlat64Fixtures.icmp(kind == 2 ? 128 : 129, 0, dst4, payload);
        };
        byte[] in = Xlat64Fixtures.ipv6(src, dst, nh, hopLimit, trafficClass, upper);
        if (withExtensions) {
            in = withOptions(in, hopByHop8, destOpts8);
        }

        assertEquals(Verdict.TRANSLATED, harness.run(in), () -> "dropped: " + harness.trace().reason());
        byte[] out = harness.only();
        assertIpv4Valid(out);
        assertEquals(20 + upper.length, out.length);
        assertEquals(trafficClass, u8(out, 1));
        assertEquals(upper.length + 20 > 1260 ? 0x4000 : 0, u16(out, 6));
        assertEquals(hopLimit - 1, u8(out, 8));
        assertEquals(nh == 58 ? 1 : nh, u8(out, 9));
        assertEquals(0xc6336400 | host, Xlat64Fixtures.u16(out, 12) << 16 | u16(out, 14));
        assertEquals(dst4, u16(out, 16) << 16 | u16(out, 18));
        byte[] l4 = Arrays.copyOfRange(out, 20, out.length);
        byte[] original = upper.clone();
        // What may differ: the checksum, and for ICMP the type.
        int checksumAt = kind == 0 ? 16 : kind == 1 ? 6 : 2;
        Xlat64Fixtures.put16(l4, checksumAt, 0);
        Xlat64Fixtures.put16(original, checksumAt, 0);
        if (kind >= 2) {
            assertEquals(kind == 2 ? 8 : 0, l4[0]);
            l4[0] = original[0];
        }
        assertArrayEquals(original, l4);
    }

    @Provide
    Arbitrary<Integer> unicast() {
        // 1.0.0.0 - 223.255.255.255: no multicast, broadcast or 0/8 destination.
        return Arbitraries.longs().between(0x0100_0000L, 0xdfff_ffffL).map(Long::intValue);
    }

    /** Inserts a Hop-by-Hop and a Destination Options header (PadN only) after the fixed header. */
    static byte[] withOptions(byte[] p, int hopByHop8, int destOpts8) {
        int nh = p[6] & 0xff;
        byte[] dest = options(nh, destOpts8);
        byte[] hbh = options(60, hopByHop8);
        byte[] out = concat(Arrays.copyOf(p, 40), hbh, dest, Arrays.copyOfRange(p, 40, p.length));
        out[6] = 0;
        Xlat64Fixtures.put16(out, 4, out.length - 40);
        return out;
    }

    private static byte[] options(int nh, int length8) {
        byte[] o = new byte[(length8 + 1) * 8];
        o[0] = (byte) nh;
        o[1] = (byte) length8;
        o[2] = 1; // PadN
        o[3] = (byte) (o.length - 4);
        return o;
    }

    /** Any bytes: a verdict, never an exception; whatever comes out as IPv4 has a valid header. */
    @Property(tries = 2000)
    void anyBytesNeverThrow(@ForAll @Size(max = 1600) byte[] bytes, @ForAll boolean lookLikeIpv6,
            @ForAll @IntRange(min = 0, max = 11) int nextHeader, @ForAll @IntRange(min = 0, max = 2) int mode) {
        byte[] in = bytes;
        if (lookLikeIpv6 && in.length >= 40) {
            in = in.clone();
            in[0] = (byte) (0x60 | (in[0] & 0x0f));
            Xlat64Fixtures.put16(in, 4, in.length - 40);
            int[] interesting = {0, 6, 17, 43, 44, 58, 60, 50, 51, 59, 135, 253};
            in[6] = (byte) interesting[nextHeader];
            // Addresses the mapper knows, so the packet gets past mapping more often.
            System.arraycopy(new byte[] {0x20, 0x01, 0x0d, (byte) 0xb8, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5}, 0, in, 8, 16);
            System.arraycopy(new byte[] {0x20, 0x01, 0x0d, (byte) 0xb8, 0, 0x64, 0, 0, 0, 0, 0, 0, (byte) 0xcb, 0, 0x71, 7}, 0, in, 24, 16);
        }
        Harness h = mode == 0 ? harness
                : Xlat64Fixtures.settings().ipv4Mtu(68 + mode * 100).hairpin(HairpinMode.values()[mode]).harness();
        Verdict v = h.run(in);
        assertNotNull(v);
        for (byte[] out : h.out) {
            if ((out[0] & 0xf0) == 0x40) {
                assertTrue(out.length >= 20);
                assertEquals(0xffff, Xlat64Fixtures.sum(out, 0, 20, 0), "IPv4 header checksum");
                assertEquals(out.length, u16(out, 2));
            }
        }
    }
}
