package dev.isthmus.nat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.isthmus.addr.EamTable;
import dev.isthmus.addr.Ipv4Pool;
import dev.isthmus.addr.Rfc6052Prefix;
import dev.isthmus.wire.Checksum;
import dev.isthmus.wire.IpProtocol;
import dev.isthmus.wire.Ipv4Address;
import dev.isthmus.wire.Ipv6Address;
import dev.isthmus.wire.PacketBuffer;
import dev.isthmus.xlat.DropReason;
import dev.isthmus.xlat.SamplePackets;
import dev.isthmus.xlat.Verdict;
import dev.isthmus.xlat.XlatCounters;
import dev.isthmus.xlat.XlatSettings;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * The stateful path with any input: a run of packets, each either raw fuzzer bytes or one of the
 * shapes the NAT64 meets (TCP, UDP, Echo, ICMP errors, fragments in any order, both directions,
 * hairpin, to pool4 and Pref64::pool4) with fuzzer-chosen fields and a few fuzzer-flipped bytes, against one table.
 * Never an exception; a drop always has a reason; every IPv4 output has a valid header checksum
 * and every IPv6 output a consistent Payload Length; the table's invariants hold at the end.
 */
class Nat64TranslatorFuzzTest {
    private static final Ipv6Address[] CLIENTS = {Nat64TranslatorTest.CLIENT, Nat64TranslatorTest.CLIENT2};
    private static final Ipv6Address[] TARGETS6 = {Nat64TranslatorTest.SERVER6, Nat64TranslatorTest.T6,
        Ipv6Address.parse("2001:db8:64::a00:1"), Ipv6Address.parse("2001:db8:99::1")};
    private static final int[] TARGETS4 = {Nat64TranslatorTest.T, Ipv4Address.parse("192.0.2.3"),
        Nat64TranslatorTest.SERVER};

    @FuzzTest(maxDuration = "30s")
    void packetRunsNeverThrow(FuzzedDataProvider data) {
        Nat64Settings settings = Nat64Settings.builder(Pool4.of("192.0.2.2/31"))
                .filtering(data.consumeBoolean() ? Filtering.ENDPOINT_INDEPENDENT : Filtering.ADDRESS_DEPENDENT)
                .maxSessions(data.consumeInt(1, 64)).maxStoredSyns(4).build();
        Nat64Table table = new Nat64Table(settings, null);
        table.addStatic(NatProtocol.TCP, CLIENTS[0].hi(), CLIENTS[0].lo(), 2000, Nat64TranslatorTest.T, 2000);
        XlatSettings xs = new XlatSettings(Rfc6052Prefix.parse(data.consumeBoolean() ? "2001:db8:64::/96"
                : "64:ff9b::/96"), new EamTable(List.of()), Ipv4Pool.empty(), null, -1, -1, true, 1280, null,
                data.consumeInt(68, 1500), data.consumeInt(1280, 1500), Ipv4Address.parse("192.0.2.2"),
                Ipv6Address.parse("2001:db8:64::c000:202"), XlatSettings.HairpinMode.OFF, true, 0);
        XlatCounters counters = new XlatCounters();
        long[] now = {0};
        Nat64Translator t = new Nat64Translator(table, xs, counters, () -> now[0]);
        PacketBuffer b = PacketBuffer.heap(PacketBuffer.DEFAULT_CAPACITY);
        int packets = data.consumeInt(1, 12);
        for (int i = 0; i < packets && data.remainingBytes() > 0; i++) {
            now[0] += data.consumeLong(0, 400_000_000_000L);
            byte[] in = data.consumeBoolean() ? data.consumeBytes(data.consumeInt(0, 200)) : shaped(data);
            b.load(in);
            long dropsBefore = counters.totalDrops();
            int[] outputs = new int[1];
            Verdict v = t.translate(b, (MemorySegment s, int off, int len) -> {
                outputs[0]++;
                byte[] out = s.asSlice(off, len).toArray(ValueLayout.JAVA_BYTE);
                if ((out[0] & 0xf0) == 0x60) {
                    assertTrue(len >= 40, "IPv6 packet of " + len);
                    assertEquals(len - 40, Nat64TranslatorTest.u16(out, 4));
                } else {
                    int ihl = (out[0] & 0xf) * 4;
                    assertTrue(ihl >= 20 && len >= ihl, "IPv4 header");
                    assertTrue(Checksum.verifies(Checksum.add(MemorySegment.ofArray(out), 0, ihl, 0)), "IPv4 checksum");
                }
            });
            assertNotNull(v);
            if (v != Verdict.TRANSLATED) {
                assertNotEquals(DropReason.NONE, t.trace().reason());
                assertEquals(dropsBefore + 1, counters.totalDrops());
            }
            if (i % 4 == 3) {
                table.expire(now[0], 8);
            }
        }
        table.checkInvariants();
    }

    /** A well-formed packet of a NAT64 shape, fields from the fuzzer, then up to three bytes flipped. */
    private static byte[] shaped(FuzzedDataProvider data) {
        Ipv6Address client = CLIENTS[data.consumeInt(0, 1)];
        Ipv6Address target6 = TARGETS6[data.consumeInt(0, TARGETS6.length - 1)];
        int target4 = TARGETS4[data.consumeInt(0, TARGETS4.length - 1)];
        int a = data.consumeInt(0, 65535);
        int z = data.consumeInt(0, 65535);
        byte[] p = switch (data.consumeInt(0, 9)) {
            case 8 -> pick(data, Nat64TranslatorTest.fragments6(Nat64TranslatorTest.udp6(client, a, target6, z,
                    data.consumeInt(1, 3000)), data.consumeInt(0, 3), 8 * data.consumeInt(1, 200)));
            case 9 -> pick(data, Nat64TranslatorTest.fragments4(Nat64TranslatorTest.udp4(Nat64TranslatorTest.SERVER, z,
                    target4, a, data.consumeInt(1, 3000)), data.consumeInt(0, 3), 8 * data.consumeInt(1, 200)));
            case 0 -> Nat64TranslatorTest.udp6(client, a, target6, z, data.consumeInt(0, 1600));
            case 1 -> Nat64TranslatorTest.tcp6(client, a, target6, z, data.consumeInt(0, 255));
            case 2 -> Nat64TranslatorTest.udp4(Nat64TranslatorTest.SERVER, z, target4, a, data.consumeInt(0, 1600));
            case 3 -> Nat64TranslatorTest.tcp4(Nat64TranslatorTest.SERVER, z, target4, a, data.consumeInt(0, 255));
            case 4 -> SamplePackets.ipv6(IpProtocol.ICMPV6, icmp(data.pickValue(new int[] {128, 129, 1, 2, 3, 4, 135}),
                    a, data.consumeBytes(64)), 2, client, target6);
            case 5 -> SamplePackets.ipv4(IpProtocol.ICMP, icmp(data.pickValue(new int[] {8, 0, 3, 11, 12, 13}), a,
                    data.consumeBytes(64)), 2, Nat64TranslatorTest.SERVER, target4, false);
            case 6 -> SamplePackets.ipv4(IpProtocol.ICMP, icmp(3, 3 << 16,
                    Nat64TranslatorTest.udp4(target4, a, Nat64TranslatorTest.SERVER, z, 8)), 2,
                    Nat64TranslatorTest.SERVER, target4, false);
            default -> SamplePackets.ipv6(IpProtocol.ICMPV6, icmp(1, 4 << 16,
                    Nat64TranslatorTest.udp6(target6, z, client, a, 8)), 2, client, target6);
        };
        int flips = data.consumeInt(0, 3);
        for (int i = 0; i < flips; i++) {
            p[data.consumeInt(0, p.length - 1)] ^= (byte) data.consumeInt(1, 255);
        }
        return p;
    }

    private static byte[] pick(FuzzedDataProvider data, List<byte[]> fragments) {
        return fragments.get(data.consumeInt(0, fragments.size() - 1));
    }

    private static byte[] icmp(int type, int rest, byte[] body) {
        byte[] b = new byte[8 + body.length];
        b[0] = (byte) type;
        b[1] = (byte) (rest >>> 16);
        b[4] = (byte) (rest >>> 8);
        b[5] = (byte) rest;
        System.arraycopy(body, 0, b, 8, body.length);
        return b;
    }
}
