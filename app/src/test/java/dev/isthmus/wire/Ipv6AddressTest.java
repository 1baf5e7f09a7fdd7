package dev.isthmus.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class Ipv6AddressTest {

    /** RFC 4291 §2.2: the three text forms, with the RFC's own example addresses. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        // form 1, full
        "ABCD:EF01:2345:6789:ABCD:EF01:2345:6789 | abcd:ef01:2345:6789:abcd:ef01:2345:6789",
        "2001:DB8:0:0:8:800:200C:417A            | 2001:db8::8:800:200c:417a",
        // form 2, "::" compression (the RFC lists each address both ways)
        "2001:DB8::8:800:200C:417A               | 2001:db8::8:800:200c:417a",
        "FF01:0:0:0:0:0:0:101                    | ff01::101",
        "FF01::101                               | ff01::101",
        "0:0:0:0:0:0:0:1                         | ::1",
        "::1                                     | ::1",
        "0:0:0:0:0:0:0:0                         | ::",
        "::                                      | ::",
        // form 3, trailing dotted quad
        "0:0:0:0:0:0:13.1.68.3                   | ::d01:4403",
        "::13.1.68.3                             | ::d01:4403",
        "0:0:0:0:0:FFFF:129.144.52.38            | ::ffff:129.144.52.38",
        "::FFFF:129.144.52.38                    | ::ffff:129.144.52.38",
        "64:ff9b::192.0.2.33                     | 64:ff9b::c000:221",
        "1:2:3:4:5:6:1.2.3.4                     | 1:2:3:4:5:6:102:304",
        "1::1.2.3.4                              | 1::102:304",
        // edges
        "1::                                     | 1::",
        "1:2:3:4:5:6:7::                         | 1:2:3:4:5:6:7:0",
        "::2:3:4:5:6:7:8                         | 0:2:3:4:5:6:7:8",
        "0000:0000:0000:0000:0000:0000:0000:0000 | ::",
        "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff | ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
    })
    void parsesEveryRfc4291Form(String text, String canonical) {
        Ipv6Address a = Ipv6Address.parse(text);
        assertEquals(canonical, a.toString());
        assertEquals(a, Ipv6Address.parse(canonical));
    }

    @Test
    void halvesAreBigEndian() {
        Ipv6Address a = Ipv6Address.parse("2001:db8:1:2:3:4:5:6");
        assertEquals(0x20010db800010002L, a.hi());
        assertEquals(0x0003000400050006L, a.lo());
    }

    /** RFC 5952 §4 rules, each with the section's own example. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        // §4.1 leading zeros suppressed
        "2001:0db8::0001         | 2001:db8::1",
        // §4.2.1 "::" used to its maximum: 2001:db8::0:1 is not canonical
        "2001:db8:0:0:0:0:2:1    | 2001:db8::2:1",
        "2001:db8::0:1           | 2001:db8::1",
        // §4.2.2 a single 16-bit 0 field is not shortened
        "2001:db8:0:1:1:1:1:1    | 2001:db8:0:1:1:1:1:1",
        "2001:db8::1:1:1:1:1     | 2001:db8:0:1:1:1:1:1",
        // §4.2.3 the longest run is shortened; on a tie, the first
        "2001:0:0:1:0:0:0:1      | 2001:0:0:1::1",
        "2001:db8:0:0:1:0:0:1    | 2001:db8::1:0:0:1",
        // §4.3 lowercase
        "2001:DB8::ABCD:EF       | 2001:db8::abcd:ef",
        // §2.1 (all of these are the same address, §4 picks one)
        "2001:db8:0:0:1:0:0:1    | 2001:db8::1:0:0:1",
        "2001:0db8:0:0:1:0:0:1   | 2001:db8::1:0:0:1",
        "2001:db8::0:1:0:0:1     | 2001:db8::1:0:0:1",
        "2001:0db8::1:0:0:1      | 2001:db8::1:0:0:1",
        "2001:db8:0:0:1::1       | 2001:db8::1:0:0:1",
        "2001:db8:0000:0:1::1    | 2001:db8::1:0:0:1",
        "2001:DB8:0:0:1::1       | 2001:db8::1:0:0:1",
        // §5 IPv4-mapped addresses keep the dotted quad
        "::ffff:c000:280         | ::ffff:192.0.2.128",
        "::ffff:0:0              | ::ffff:0.0.0.0",
        // a lone zero at either end is not compressed either
        "0:1:2:3:4:5:6:7         | 0:1:2:3:4:5:6:7",
        "1:0:0:2:0:0:0:0         | 1:0:0:2::",
        "0:0:1:0:0:0:1:0         | 0:0:1::1:0",
    })
    void formatsRfc5952Canonically(String text, String canonical) {
        Ipv6Address a = Ipv6Address.parse(text);
        assertEquals(canonical, Ipv6Address.format(a.hi(), a.lo()));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", ":", ":::", "::::", "1", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7:8::",
        "::1:2:3:4:5:6:7:8", "1::2::3", "1:::2", ":1::2", "1::2:", "1:2:3:4:5:6:7:8:", ":1:2:3:4:5:6:7:8",
        "12345::", "g::", "::g", "1:2:3:4:5:6:7:8 ", " ::", "::1%eth0", "fe80::1%1", "[::1]", "::1/128",
        "1.2.3.4", "::1.2.3", "::1.2.3.4.5", "::01.2.3.4", "::256.0.0.0", "1:2:3:4:5:6:7:1.2.3.4",
        "::1.2.3.4:5", "::1.2.3.4::", "1.2.3.4::", "::ffff:1.2.3.4x", "::ａ", "::１", "::-1", "::+1",
        "localhost", "ip6-localhost", "example.com", "::\u0000", "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.2555",
    })
    void refusesEverythingElseWithoutLookingUpNames(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Ipv6Address.parse(text));
        assertTrue(e.getMessage().startsWith("bad "), e.getMessage());
    }

    @Test
    void messagesSayWhatIsWrong() {
        assertEquals("bad IPv6 address \"1::2::3\": '::' appears more than once",
                assertThrows(IllegalArgumentException.class, () -> Ipv6Address.parse("1::2::3")).getMessage());
        assertEquals("bad IPv6 address \"1:2:3:4:5:6:7:8::\": '::' stands for no group at all",
                assertThrows(IllegalArgumentException.class, () -> Ipv6Address.parse("1:2:3:4:5:6:7:8::"))
                        .getMessage());
        assertEquals("bad IPv6 address \"::1%eth0\": unexpected '%' at offset 3",
                assertThrows(IllegalArgumentException.class, () -> Ipv6Address.parse("::1%eth0")).getMessage());
    }

    /**
     * An IPv6 address field as it sits in a header (RFC 8200 §3), one 32-bit row per line:
     * 2001:0db8 / 0000:0000 / 0000:0000 / 0000:0001, i.e. 2001:db8::1 (RFC 3849 documentation prefix).
     */
    @Test
    void readsAndWritesNetworkOrderAtAnyOffset() {
        byte[] wire = HexFormat.of().parseHex("""
                20010db8
                00000000
                00000000
                00000001
                """.replaceAll("\\s", ""));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(64);
            seg.fill((byte) 0xa5); // junk around the field must survive
            MemorySegment.copy(MemorySegment.ofArray(wire), 0, seg, 3, 16);
            Ipv6Address a = Ipv6Address.read(seg, 3);
            assertEquals(Ipv6Address.parse("2001:db8::1"), a);

            MemorySegment out = arena.allocate(64);
            out.fill((byte) 0xa5);
            a.write(out, 7);
            assertEquals((byte) 0xa5, out.get(ValueLayout.JAVA_BYTE, 6));
            assertEquals((byte) 0xa5, out.get(ValueLayout.JAVA_BYTE, 23));
            assertArrayEquals(wire, out.asSlice(7, 16).toArray(ValueLayout.JAVA_BYTE));
        }
    }

    @Test
    void bytesMatchTheJdk() throws Exception {
        Ipv6Address a = Ipv6Address.parse("2001:db8:aaaa::5");
        InetAddress jdk = Inet6Address.getByAddress(null, a.toBytes());
        assertEquals(InetAddress.ofLiteral("2001:db8:aaaa::5"), jdk);
        assertEquals(a, Ipv6Address.ofBytes(jdk.getAddress()));
        assertThrows(IllegalArgumentException.class, () -> Ipv6Address.ofBytes(new byte[4]));
    }

    @Test
    void ordersAsUnsigned128BitNumbers() {
        List<Ipv6Address> sorted = new ArrayList<>(List.of(
                Ipv6Address.parse("ffff::"), Ipv6Address.parse("::ffff:0:0"), Ipv6Address.parse("8000::"),
                Ipv6Address.parse("::1"), Ipv6Address.parse("::"), Ipv6Address.parse("::8000:0:0:0")));
        sorted.sort(null);
        assertEquals("[::, ::1, ::ffff:0.0.0.0, ::8000:0:0:0, 8000::, ffff::]", sorted.toString());
    }

    @Property
    void parseOfFormatIsIdentity(@ForAll("addresses") Ipv6Address a) {
        String text = Ipv6Address.format(a.hi(), a.lo());
        assertEquals(a, Ipv6Address.parse(text));
        assertEquals(text, a.toString());
        assertTrue(text.length() <= 39, text);
    }

    /** The JDK's literal parser (never a lookup) agrees on every address we format. */
    @Property
    void jdkAgreesWithOurText(@ForAll("addresses") Ipv6Address a) {
        byte[] jdk = InetAddress.ofLiteral(a.toString()).getAddress();
        if (jdk.length == 4) {
            // The JDK turns ::ffff:a.b.c.d into an Inet4Address: put the mapped prefix back.
            byte[] b = new byte[16];
            b[10] = (byte) 0xff;
            b[11] = (byte) 0xff;
            System.arraycopy(jdk, 0, b, 12, 4);
            jdk = b;
        }
        assertArrayEquals(a.toBytes(), jdk);
    }

    /** Uniform halves would almost never have zero runs; mix in zero groups on purpose. */
    @Provide
    Arbitrary<Ipv6Address> addresses() {
        Arbitrary<Integer> group = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.just(0)),
                Tuple.of(1, Arbitraries.integers().between(1, 0xffff)),
                Tuple.of(1, Arbitraries.just(0xffff)));
        return group.list().ofSize(8).map(g -> {
            long hi = 0;
            long lo = 0;
            for (int i = 0; i < 4; i++) {
                hi = hi << 16 | g.get(i);
                lo = lo << 16 | g.get(i + 4);
            }
            return new Ipv6Address(hi, lo);
        });
    }
}
