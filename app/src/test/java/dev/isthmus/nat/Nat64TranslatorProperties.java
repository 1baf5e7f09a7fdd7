package dev.isthmus.nat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.isthmus.addr.EamTable;
import dev.isthmus.addr.Ipv4Pool;
import dev.isthmus.addr.Rfc6052Prefix;
import dev.isthmus.wire.Ipv4Address;
import dev.isthmus.wire.Ipv6Address;
import dev.isthmus.wire.PacketBuffer;
import dev.isthmus.xlat.SamplePackets;
import dev.isthmus.xlat.Verdict;
import dev.isthmus.xlat.XlatCounters;
import dev.isthmus.xlat.XlatSettings;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * For any client, ports and payload: 6→4 gives a packet from T with valid checksums and the same
 * payload, and the server's reply (addresses and ports swapped) comes back 4→6 to exactly the
 * client's (X',x), checksums valid, payload intact — through a table other flows also use.
 */
class Nat64TranslatorProperties {
    private static final int SERVER = Ipv4Address.parse("198.51.100.2");

    @Property(tries = 300)
    void outAndBackKeepsTheFlowAndThePayload(@ForAll @IntRange(min = 1, max = 0xffff) int host,
            @ForAll @IntRange(min = 1, max = 65535) int x, @ForAll @IntRange(min = 1, max = 65535) int z,
            @ForAll boolean tcp, @ForAll @Size(max = 1400) byte[] payload,
            @ForAll @IntRange(min = 0, max = 20) int otherFlows) {
        Nat64Table table = new Nat64Table(Nat64Settings.builder(Pool4.of("192.0.2.2/31")).build(), null);
        XlatSettings s = new XlatSettings(Rfc6052Prefix.parse("2001:db8:64::/96"), new EamTable(List.of()),
                Ipv4Pool.empty(), null, -1, -1, true, 1280, null, 1500, 1500, Ipv4Address.parse("192.0.2.2"),
                Ipv6Address.parse("2001:db8:64::c000:202"), XlatSettings.HairpinMode.OFF, true, 0);
        Nat64Translator t = new Nat64Translator(table, s, new XlatCounters(), () -> 1_000_000_000L);
        Ipv6Address client = new Ipv6Address(0x20010db800060000L, host);
        for (int i = 0; i < otherFlows; i++) {
            run(t, Nat64TranslatorTest.udp6(new Ipv6Address(0x20010db800070000L, i), x, Nat64TranslatorTest.SERVER6, z, 4));
        }
        byte[] out = only(run(t, packet6(tcp, client, x, z, payload)));
        assertEquals(4, out[0] >> 4);
        Nat64TranslatorTest.assertValid(out);
        int t4 = Nat64TranslatorTest.u32(out, 12);
        int tPort = Nat64TranslatorTest.u16(out, 20);
        assertEquals(payload.length, out.length - 20 - (tcp ? 20 : 8));
        assertArrayEquals(payload, Arrays.copyOfRange(out, out.length - payload.length, out.length));

        byte[] back = only(run(t, packet4(tcp, t4, tPort, z, payload)));
        assertEquals(6, back[0] >> 4);
        Nat64TranslatorTest.assertValid(back);
        assertEquals(client, Nat64TranslatorTest.addr6(back, 24));
        assertEquals(Nat64TranslatorTest.SERVER6, Nat64TranslatorTest.addr6(back, 8));
        assertEquals(z, Nat64TranslatorTest.u16(back, 40));
        assertEquals(x, Nat64TranslatorTest.u16(back, 42));
        assertArrayEquals(payload, Arrays.copyOfRange(back, back.length - payload.length, back.length));
    }

    private static byte[] packet6(boolean tcp, Ipv6Address client, int x, int z, byte[] payload) {
        byte[] l4 = transport(tcp, x, z, payload, 0x02);
        return SamplePackets.ipv6(tcp ? 6 : 17, l4, tcp ? 16 : 6, client, Nat64TranslatorTest.SERVER6);
    }

    private static byte[] packet4(boolean tcp, int t4, int t, int z, byte[] payload) {
        byte[] l4 = transport(tcp, z, t, payload, 0x12);
        return SamplePackets.ipv4(tcp ? 6 : 17, l4, tcp ? 16 : 6, SERVER, t4, true);
    }

    private static byte[] transport(boolean tcp, int sport, int dport, byte[] payload, int flags) {
        int h = tcp ? 20 : 8;
        byte[] b = new byte[h + payload.length];
        Nat64TranslatorTest.put16(b, 0, sport);
        Nat64TranslatorTest.put16(b, 2, dport);
        if (tcp) {
            b[12] = 0x50;
            b[13] = (byte) flags;
        } else {
            Nat64TranslatorTest.put16(b, 4, b.length);
        }
        System.arraycopy(payload, 0, b, h, payload.length);
        return b;
    }

    private static List<byte[]> run(Nat64Translator t, byte[] in) {
        List<byte[]> out = new ArrayList<>();
        PacketBuffer b = PacketBuffer.scratch(PacketBuffer.DEFAULT_CAPACITY);
        b.load(in);
        Verdict v = t.translate(b, (seg, off, len) -> out.add(seg.asSlice(off, len).toArray(ValueLayout.JAVA_BYTE)));
        assertEquals(Verdict.TRANSLATED, v, () -> t.trace().reason().toString());
        return out;
    }

    private static byte[] only(List<byte[]> out) {
        assertEquals(1, out.size());
        return out.get(0);
    }
}
