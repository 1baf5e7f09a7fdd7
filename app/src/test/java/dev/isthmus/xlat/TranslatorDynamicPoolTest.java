package dev.isthmus.xlat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.addr.Ipv4Prefix;
import dev.isthmus.nat.pool.DynamicPool;
import dev.isthmus.wire.Ipv4Address;
import dev.isthmus.wire.Ipv6Address;
import dev.isthmus.wire.PacketBuffer;
import dev.isthmus.wire.PacketSink;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The translator with a dynamic address pool (the real {@link DynamicPool}; tests may cross
 * layers): an IPv6 node no stateless rule covers is bound on its first packet, replies reach it,
 * ICMP errors' inner packets map consistently, and the refusals are counted and answered.
 *
 * <pre>
 *  2001:db8:aa::1    ⇄ 192.0.2.64 (dynamic)  IPv6-only node X, in no EAM and not in pool6
 *  2001:db8:64::c000:221 ⇄ 192.0.2.33       IPv4 server behind pool6 (fixtures' S6/S4)
 *  192.0.2.64/28                             the dynamic pool
 * </pre>
 */
class TranslatorDynamicPoolTest {
    private static final String X6 = "2001:db8:aa::1";
    private static final String Y6 = "2001:db8:aa::2";
    private static final String S6 = Xlat64Fixtures.S6;
    private static final String S4 = Xlat64Fixtures.S4;
    private static final String X4 = "192.0.2.64";

    private final AtomicLong clock = new AtomicLong(1_764_000_000_000L);
    private final XlatCounters counters = new XlatCounters();
    private final List<byte[]> out = new ArrayList<>();
    private final PacketBuffer buffer = PacketBuffer.heap(PacketBuffer.DEFAULT_CAPACITY);

    private DynamicPool pool(String prefix) {
        return new DynamicPool(Ipv4Prefix.parse(prefix), 7_200_000, clock::get);
    }

    private Translator translator(DynamicPool pool) {
        return new Translator(Xlat64Fixtures.settings().build(), counters, () -> 0L, pool);
    }

    private Verdict run(Translator t, byte[] in) {
        out.clear();
        buffer.load(in);
        return t.translate(buffer, (s, o, l) -> out.add(s.asSlice(o, l).toArray(ValueLayout.JAVA_BYTE)));
    }

    private static byte[] udp6(String src, String dst) {
        return Xlat64Fixtures.ipv6(src, dst, 17, 64, 0, Xlat64Fixtures.udp(40000, 53, new byte[12]));
    }

    private static byte[] udp4(String src, String dst) {
        return Xlat46Fixtures.ipv4(src, dst, 17, 64, 0, Xlat46Fixtures.udp(53, 40000, new byte[12]));
    }

    private static String src4(byte[] p) {
        return Ipv4Address.format(Xlat64Fixtures.u16(p, 12) << 16 | Xlat64Fixtures.u16(p, 14));
    }

    private static String dst4(byte[] p) {
        return Ipv4Address.format(Xlat64Fixtures.u16(p, 16) << 16 | Xlat64Fixtures.u16(p, 18));
    }

    private static Ipv6Address v6(byte[] p, int at) {
        return Ipv6Address.ofBytes(Arrays.copyOfRange(p, at, at + 16));
    }

    @Test
    void theFirstPacketBindsAndRepliesReachTheNode() {
        DynamicPool pool = pool("192.0.2.64/28");
        Translator t = translator(pool);
        assertEquals(Verdict.TRANSLATED, run(t, udp6(X6, S6)));
        byte[] p = out.get(0);
        Xlat64Fixtures.assertIpv4Valid(p);
        assertEquals(X4, src4(p));
        assertEquals(S4, dst4(p));
        assertEquals(MappingKind.DYNAMIC, t.trace().sourceMapping());
        assertEquals(MappingKind.POOL6, t.trace().destinationMapping());
        assertEquals(1, pool.dynamicBindings());

        // Another flow of the same node: same address. Another node: the next one.
        assertEquals(Verdict.TRANSLATED, run(t, udp6(X6, S6)));
        assertEquals(X4, src4(out.get(0)));
        assertEquals(Verdict.TRANSLATED, run(t, udp6(Y6, S6)));
        assertEquals("192.0.2.65", src4(out.get(0)));

        // 4→6: the reply goes to the bound node, the source mapped as ever (pool6).
        assertEquals(Verdict.TRANSLATED, run(t, udp4(S4, X4)));
        byte[] r = out.get(0);
        Xlat46Fixtures.assertIpv6Valid(r);
        assertEquals(Ipv6Address.parse(S6), v6(r, 8));
        assertEquals(Ipv6Address.parse(X6), v6(r, 24));
        assertEquals(MappingKind.DYNAMIC, t.trace().destinationMapping());
    }

    @Test
    void anAddressWithoutBindingIsHostUnreachable() {
        Translator t = translator(pool("192.0.2.64/28"));
        assertEquals(Verdict.ICMP_ERROR, run(t, udp4(S4, "192.0.2.70")));
        assertEquals(DropReason.NO_DYNAMIC_BINDING, t.trace().reason());
        assertEquals(1, counters.drops(DropReason.NO_DYNAMIC_BINDING));
        byte[] e = out.get(0);
        Xlat46Fixtures.assertIpv4Valid(e);
        assertEquals(3, Xlat64Fixtures.u8(e, 20), "Destination Unreachable");
        assertEquals(1, Xlat64Fixtures.u8(e, 21), "Host Unreachable");
        assertEquals(S4, dst4(e));
    }

    @Test
    void anExhaustedPoolAnswersAdministrativelyProhibited() {
        DynamicPool pool = pool("192.0.2.64/31");
        Translator t = translator(pool);
        assertEquals(Verdict.TRANSLATED, run(t, udp6(X6, S6)));
        assertEquals(Verdict.TRANSLATED, run(t, udp6(Y6, S6)));
        assertEquals(Verdict.ICMP_ERROR, run(t, udp6("2001:db8:aa::3", S6)));
        assertEquals(DropReason.DYNAMIC_POOL_EXHAUSTED, t.trace().reason());
        assertEquals(1, counters.drops(DropReason.DYNAMIC_POOL_EXHAUSTED));
        assertEquals(1, pool.exhausted());
        byte[] e = out.get(0);
        Xlat46Fixtures.assertIpv6Valid(e);
        assertEquals(58, Xlat64Fixtures.u8(e, 6));
        assertEquals(1, Xlat64Fixtures.u8(e, 40), "Destination Unreachable");
        assertEquals(1, Xlat64Fixtures.u8(e, 41), "administratively prohibited");
        assertEquals(Ipv6Address.parse("2001:db8:aa::3"), v6(e, 24));
        // The bound nodes go on.
        assertEquals(Verdict.TRANSLATED, run(t, udp6(X6, S6)));
    }

    @Test
    void aPool6SourceThatMapsIntoThePoolIsRefused() {
        Translator t = translator(pool("192.0.2.64/28"));
        // 2001:db8:64::c000:240 is 192.0.2.64 through pool6.
        assertEquals(Verdict.ICMP_ERROR, run(t, udp6("2001:db8:64::c000:240", S6)));
        assertEquals(DropReason.SOURCE_IN_DYNAMIC_POOL, t.trace().reason());
        // Twice: the common path must not have memoized it either.
        assertEquals(Verdict.ICMP_ERROR, run(t, udp6("2001:db8:64::c000:240", S6)));
    }

    /**
     * An IPv4 packet from a dynamic pool address is spoofed (those addresses stand for IPv6 nodes,
     * only the translator sends from them): counted as such, not as an illegal (RFC 1812 §5.3.7)
     * source.
     */
    @Test
    void anIpv4SourceInThePoolIsSpoofed() {
        Translator t = translator(pool("192.0.2.64/28"));
        assertEquals(Verdict.DROPPED, run(t, udp4("192.0.2.70", Xlat64Fixtures.C4)));
        assertEquals(DropReason.DYNAMIC_POOL_SPOOFED_SOURCE, t.trace().reason());
        assertEquals(0, counters.drops(DropReason.ILLEGAL_SOURCE));
        assertTrue(out.isEmpty());
    }

    @Test
    void withoutAPoolAnUncoveredSourceIsRefusedAsBefore() {
        Translator t = new Translator(Xlat64Fixtures.settings().build(), counters, () -> 0L);
        assertEquals(Verdict.ICMP_ERROR, run(t, udp6(X6, S6)));
        assertEquals(DropReason.UNTRANSLATABLE_SOURCE, t.trace().reason());
    }

    @Test
    void anIcmpv4ErrorAboutTheNodesPacketReachesTheNode() {
        Translator t = translator(pool("192.0.2.64/28"));
        run(t, udp6(X6, S6));
        byte[] sent = out.get(0); // as the server received it: 192.0.2.64 → 192.0.2.33
        byte[] error = Xlat46Fixtures.ipv4(S4, X4, 1, 64, 0, Xlat46Fixtures.icmp(3, 3, 0, sent));
        assertEquals(Verdict.TRANSLATED, run(t, error));
        byte[] e = out.get(0);
        Xlat46Fixtures.assertIpv6Valid(e);
        assertEquals(Ipv6Address.parse(X6), v6(e, 24), "outer destination");
        assertEquals(1, Xlat64Fixtures.u8(e, 40), "Destination Unreachable");
        assertEquals(4, Xlat64Fixtures.u8(e, 41), "port unreachable");
        assertEquals(Ipv6Address.parse(X6), v6(e, 48 + 8), "inner source: the node, not pool6");
        assertEquals(Ipv6Address.parse(S6), v6(e, 48 + 24), "inner destination");
    }

    @Test
    void anIcmpv6ErrorFromTheNodeUsesItsBinding() {
        DynamicPool pool = pool("192.0.2.64/28");
        Translator t = translator(pool);
        run(t, udp6(X6, S6));
        // The server's datagram to X as X received it, and X's Port Unreachable about it.
        byte[] received = udp6(S6, X6);
        byte[] error = Xlat64Fixtures.ipv6(X6, S6, 58, 64, 0, Xlat64Fixtures.icmp(1, 4, 0, received));
        assertEquals(Verdict.TRANSLATED, run(t, error));
        byte[] e = out.get(0);
        Xlat64Fixtures.assertIpv4Valid(e);
        assertEquals(X4, src4(e));
        assertEquals(3, Xlat64Fixtures.u8(e, 20));
        assertEquals(3, Xlat64Fixtures.u8(e, 21));
        byte[] inner = Arrays.copyOfRange(e, 28, e.length);
        assertEquals(S4, src4(inner));
        assertEquals(X4, dst4(inner));
        // An error from a node without binding takes no address from the pool (RFC 6791 source).
        byte[] other = Xlat64Fixtures.ipv6(Y6, S6, 58, 64, 0, Xlat64Fixtures.icmp(1, 4, 0, udp6(S6, X6)));
        assertEquals(Verdict.TRANSLATED, run(t, other));
        assertEquals(Xlat64Fixtures.RFC6791, src4(out.get(0)));
        assertEquals(1, pool.dynamicBindings());
    }

    @Test
    void lookUpsAllocateNothing() {
        DynamicPool pool = pool("192.0.2.64/28");
        Translator t = translator(pool);
        byte[] a = udp6(X6, S6);
        byte[] b = udp4(S4, X4);
        run(t, a);
        PacketBuffer buf = PacketBuffer.heap(PacketBuffer.DEFAULT_CAPACITY);
        MemorySegment sa = MemorySegment.ofArray(a);
        MemorySegment sb = MemorySegment.ofArray(b);
        PacketSink sink = (s, o, l) -> { };
        long bytes = Xlat64Allocations.of(() -> {
            for (int i = 0; i < 20_000; i++) {
                buf.load(sa, 0, a.length);
                t.translate(buf, sink);
                buf.load(sb, 0, b.length);
                t.translate(buf, sink);
            }
        });
        assertTrue(bytes < Xlat64Allocations.NOISE, bytes + " bytes allocated");
        assertEquals(1 + 3 * 20_000, counters.paths(Path.UDP_64));
        assertEquals(3 * 20_000, counters.paths(Path.UDP_46));
    }
}
