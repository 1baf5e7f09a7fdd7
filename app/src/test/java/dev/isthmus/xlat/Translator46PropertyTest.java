package dev.isthmus.xlat;

import static dev.isthmus.xlat.Xlat46Fixtures.assertIpv4Valid;
import static dev.isthmus.xlat.Xlat46Fixtures.assertIpv6Valid;
import static dev.isthmus.xlat.Xlat46Fixtures.put16;
import static dev.isthmus.xlat.Xlat46Fixtures.put32;
import static dev.isthmus.xlat.Xlat46Fixtures.sum;
import static dev.isthmus.xlat.Xlat46Fixtures.u16;
import static dev.isthmus.xlat.Xlat46Fixtures.u32;
import static dev.isthmus.xlat.Xlat46Fixtures.u8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.wire.Ipv4Address;
import dev.isthmus.xlat.Xlat46Fixtures.Harness;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Properties of the 4→6 translation: any valid IPv4 TCP, UDP or Echo packet (with or without
 * options, DF set or not) becomes well-formed IPv6 — one packet, or fragments that reassemble —
 * whose transport checksum verifies by a plain full computation, with the payload unchanged; and
 * no sequence of bytes of any length makes the translator throw or leaves a packet unaccounted.
 */
class Translator46PropertyTest {

    private static final int POOL6_HI = 0x20010db8;
    private final Harness harness = Xlat46Fixtures.harness();

    @Property(tries = 500)
    void validPacketsTranslateToValidIpv6(
            @ForAll @IntRange(min = 0, max = 3) int kind,
            @ForAll("server") int src4,
            @ForAll @IntRange(min = 0, max = 255) int host,
            @ForAll @IntRange(min = 2, max = 255) int ttl,
            @ForAll @IntRange(min = 0, max = 255) int tos,
            @ForAll @IntRange(min = 0, max = 0xffff) int id,
            @ForAll boolean dontFragment,
            @ForAll @IntRange(min = 0, max = 10) int optionWords,
            @ForAll @Size(max = 2000) byte[] payload) {
        String src = Ipv4Address.format(src4);
        String dst = "198.51.100." + host;
        int proto = kind == 0 ? 6 : kind == 1 ? 17 : 1;
        byte[] upper = switch (kind) {
            case 0 -> Xlat46Fixtures.tcp(443, 1000 + host, src4, ~src4, 0x18, payload);
            case 1 -> Xlat46Fixtures.udp(443, 1000 + host, payload);
            default -> Xlat46Fixtures.icmp(kind == 2 ? 8 : 0, 0, src4, payload);
        };
        byte[] options = new byte[optionWords * 4];
        Arrays.fill(options, (byte) 1); // no-ops
        byte[] in = Xlat46Fixtures.ipv4(src, dst, proto, ttl, tos, id, dontFragment ? 0x4000 : 0, options, upper);

        Verdict v = harness.run(in);
        if (dontFragment && 40 + upper.length > 1500) {
            // §4.1: DF set and too big for the IPv6 next hop (MTU 1500): Fragmentation Needed.
            assertEquals(Verdict.ICMP_ERROR, v);
            assertEquals(DropReason.PACKET_TOO_BIG, harness.trace().reason());
            assertIpv4Valid(harness.only());
            return;
        }
        assertEquals(Verdict.TRANSLATED, v, () -> "dropped: " + harness.trace().reason());
        byte[] out;
        if (harness.out.size() == 1) {
            out = harness.only();
            assertEquals(40 + upper.length, out.length);
            assertTrue(dontFragment || out.length <= 1280);
        } else {
            assertTrue(!dontFragment && 40 + upper.length > 1280);
            out = Translator46FragmentTest.reassemble(harness.out);
            for (byte[] f : harness.out) {
                assertTrue(f.length <= 1280);
                assertIpv6Valid(f);
                assertEquals(id, u32(f, 44));
            }
        }
        assertIpv6Valid(out);
        assertEquals(tos, (u16(out, 0) >>> 4) & 0xff);
        assertEquals(ttl - 1, u8(out, 7));
        assertEquals(proto == 1 ? 58 : proto, u8(out, 6));
        // Source: pool6 2001:db8:64::/96 + the IPv4 address; destination: EAM 2001:db8:6::/120.
        assertEquals(POOL6_HI, u32(out, 8));
        assertEquals(0x00640000, u32(out, 12));
        assertEquals(0, u32(out, 16));
        assertEquals(src4, u32(out, 20));
        assertEquals(POOL6_HI, u32(out, 24));
        assertEquals(0x00060000, u32(out, 28));
        assertEquals(host, u32(out, 36));
        byte[] l4 = Arrays.copyOfRange(out, 40, out.length);
        byte[] original = upper.clone();
        // What may differ: the checksum, and for ICMP the type.
        int checksumAt = kind == 0 ? 16 : kind == 1 ? 6 : 2;
        put16(l4, checksumAt, 0);
        put16(original, checksumAt, 0);
        if (kind >= 2) {
            assertEquals(kind == 2 ? (byte) 128 : (byte) 129, l4[0]);
            l4[0] = original[0];
        }
        assertArrayEquals(original, l4);
    }

    @Provide
    Arbitrary<Integer> server() {
        // 1.0.0.0 - 223.255.255.255 without 127/8 (illegal sources, RFC 1812 §5.3.7).
        return Arbitraries.longs().between(0x0100_0000L, 0xdfff_ffffL).map(Long::intValue)
                .filter(a -> a >>> 24 != 127);
    }

    /**
     * Any bytes: a verdict, never an exception; a translation leaves no drop reason and emits
     * something, a drop counts its reason; what comes out is well-formed. With {@code lookLikeIpv4}
     * the bytes get a plausible header (valid checksum, addresses the mapper knows) and a valid
     * transport checksum, so that they reach the deeper paths; then every output must also carry
     * valid checksums.
     */
    @Property(tries = 3000)
    void anyBytesNeverThrow(@ForAll @Size(max = 1600) byte[] bytes, @ForAll boolean lookLikeIpv4,
            @ForAll @IntRange(min = 0, max = 9) int protocol, @ForAll @IntRange(min = 0, max = 3) int mode,
            @ForAll @IntRange(min = 0, max = 3) int ihlExtra, @ForAll boolean fragment) {
        byte[] in = bytes;
        boolean plausible = lookLikeIpv4 && in.length >= 20 + ihlExtra * 4;
        if (plausible) {
            in = plausibleIpv4(in, protocol, ihlExtra, fragment);
        }
        Harness h = switch (mode) {
            case 0 -> harness;
            case 1 -> Xlat46Fixtures.settings().udpZeroChecksumCompute(true).lowestIpv6Mtu(1500).harness();
            case 2 -> Xlat46Fixtures.settings().pool6("64:ff9b::/96").ipv6Mtu(1280).harness();
            default -> Xlat46Fixtures.settings().pool6(null).trafficClass(0).harness();
        };
        long dropsBefore = h.counters.totalDrops();
        Verdict v = h.run(in);
        assertNotNull(v);
        if (v == Verdict.TRANSLATED) {
            assertEquals(DropReason.NONE, h.trace().reason());
            assertTrue(h.out.size() >= 1);
            assertEquals(dropsBefore, h.counters.totalDrops());
        } else {
            assertNotEquals(DropReason.NONE, h.trace().reason());
            assertEquals(dropsBefore + 1, h.counters.totalDrops());
        }
        assertEquals(h.out.size(), h.trace().outputs());
        for (byte[] out : h.out) {
            if ((out[0] & 0xf0) == 0x60) {
                assertTrue(out.length >= 40 && out.length <= Math.max(1500, in.length + 48));
                assertEquals(out.length - 40, u16(out, 4));
                if (plausible) {
                    assertIpv6Valid(out);
                }
            } else {
                assertEquals(Verdict.ICMP_ERROR, v);
                assertIpv4Valid(out);
            }
        }
    }

    /**
     * Gives random bytes a valid IPv4 header (version 4, IHL 5 + {@code ihlExtra} no-op option
     * words, Total Length = size, TTL ≥ 2, one of a few protocols, a mapped source and destination,
     * the header checksum) and, when not a fragment, a valid TCP/UDP/ICMP checksum.
     */
    static byte[] plausibleIpv4(byte[] bytes, int protocol, int ihlExtra, boolean fragment) {
        byte[] in = bytes.clone();
        int hl = 20 + ihlExtra * 4;
        int[] interesting = {1, 1, 1, 6, 17, 17, 2, 47, 132, 253};
        int proto = interesting[protocol];
        in[0] = (byte) (0x40 | hl / 4);
        put16(in, 2, in.length);
        int flags = u16(in, 6) & (fragment ? 0x7fff : 0x4000);
        put16(in, 6, flags);
        in[8] = (byte) Math.max(2, in[8] & 0xff);
        in[9] = (byte) proto;
        put32(in, 12, Ipv4Address.parse("192.0.2.33"));
        put32(in, 16, Ipv4Address.parse("198.51.100.5"));
        Arrays.fill(in, 20, hl, (byte) 1);
        if (proto == 1 && in.length >= hl + 8 && (in[hl] & 1) == 0) {
            // Half the ICMP messages become errors of translatable types with a plausible inner header.
            int[] errorTypes = {3, 11, 12, 3};
            in[hl] = (byte) errorTypes[in[hl + 1] & 3];
            in[hl + 1] = (byte) (in[hl + 1] & 0x0f);
            int inner = hl + 8;
            if (in.length >= inner + 20) {
                in[inner] = 0x45;
                put16(in, inner + 2, Math.max(20, u16(in, inner + 2)));
                put32(in, inner + 12, Ipv4Address.parse("198.51.100.5"));
                put32(in, inner + 16, Ipv4Address.parse("192.0.2.33"));
            }
        }
        put16(in, 10, 0);
        put16(in, 10, ~sum(in, 0, hl, 0) & 0xffff);
        int l4 = in.length - hl;
        if ((flags & 0x3fff) == 0 || proto == 1) {
            int at = switch (proto) {
                case 1 -> l4 >= 8 ? hl + 2 : -1;
                case 6 -> l4 >= 20 ? hl + 16 : -1;
                case 17 -> l4 >= 8 ? hl + 6 : -1;
                default -> -1;
            };
            if (at >= 0) {
                put16(in, at, 0);
                int pseudo = proto == 1 ? 0 : Xlat46Fixtures.pseudo4(in, proto, l4);
                int c = ~sum(in, hl, l4, pseudo) & 0xffff;
                put16(in, at, c == 0 && proto == 17 ? 0xffff : c);
            }
        }
        return in;
    }
}
