package dev.isthmus.nat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.wire.Checksum;
import dev.isthmus.wire.IpProtocol;
import dev.isthmus.wire.Ipv6Address;
import dev.isthmus.wire.Ipv4Address;
import dev.isthmus.wire.PacketBuffer;
import dev.isthmus.xlat.DropReason;
import dev.isthmus.xlat.SamplePackets;
import dev.isthmus.xlat.Verdict;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The stateful translation of RFC 6146 §3.4–§3.8 on whole packets: the table's answer applied to
 * the stateless translation, ports and identifiers rewritten, every checksum of every output
 * verified from scratch. Addresses: clients 2001:db8:6::2 and ::3, pool6 2001:db8:64::/96,
 * pool4 192.0.2.2, server 198.51.100.2 (= 2001:db8:64::c633:6402).
 */
class Nat64TranslatorTest {
    static final Ipv6Address CLIENT = Ipv6Address.parse("2001:db8:6::2");
    static final Ipv6Address CLIENT2 = Ipv6Address.parse("2001:db8:6::3");
    static final Ipv6Address SERVER6 = Ipv6Address.parse("2001:db8:64::c633:6402");
    static final Ipv6Address T6 = Ipv6Address.parse("2001:db8:64::c000:202");
    static final int T = Ipv4Address.parse("192.0.2.2");
    static final int SERVER = Ipv4Address.parse("198.51.100.2");

    private long now = 1_000_000_000L;
    private final Nat64Table table = new Nat64Table(Nat64Settings.builder(Pool4.of("192.0.2.2/32")).build(), null);
    private final Nat64Translator xlat = translator("2001:db8:64::/96");
    private final List<byte[]> out = new ArrayList<>();

    private Nat64Translator translator(String pool6) {
        return Fixture.translator(table, pool6, () -> now);
    }

    private Verdict run(byte[] packet) {
        out.clear();
        PacketBuffer b = PacketBuffer.scratch(PacketBuffer.DEFAULT_CAPACITY);
        b.load(packet);
        return xlat.translate(b, (seg, off, len) -> out.add(seg.asSlice(off, len).toArray(
                java.lang.foreign.ValueLayout.JAVA_BYTE)));
    }

    private byte[] only() {
        assertEquals(1, out.size(), "outputs");
        byte[] p = out.get(0);
        assertValid(p);
        return p;
    }

    @Test
    void udpOutboundTakesTAndKeepsTheClientsFreePort() {
        byte[] in = udp6(CLIENT, 40000, SERVER6, 53, 12);
        assertEquals(Verdict.TRANSLATED, run(in));
        byte[] p = only();
        assertEquals(4, p[0] >> 4);
        assertEquals(T, u32(p, 12), "source is T (RFC 6146 §3.6)");
        assertEquals(SERVER, u32(p, 16), "destination is the address Y' embeds (RFC 6052)");
        assertEquals(40000, u16(p, 20), "RFC 6146 §3.5.1.1: the client's own port, free at T, kept");
        assertEquals(53, u16(p, 22));
        assertArrayEquals(Arrays.copyOfRange(in, 48, in.length), Arrays.copyOfRange(p, 28, p.length), "payload");
        assertEquals(1, table.stats().sessions());
    }

    @Test
    void twoClientsOnOnePortGetDifferentPortsAndTheRepliesFindThem() {
        run(udp6(CLIENT, 40000, SERVER6, 53, 4));
        int t1 = u16(only(), 20);
        run(udp6(CLIENT2, 40000, SERVER6, 53, 4));
        int t2 = u16(only(), 20);
        assertNotEquals(t1, t2);
        assertEquals(t1 & 1, t2 & 1, "parity kept (RFC 4787 REQ-3)");

        assertEquals(Verdict.TRANSLATED, run(udp4(SERVER, 53, T, t2, 6)));
        byte[] p = only();
        assertEquals(6, p[0] >> 4);
        assertEquals(SERVER6, addr6(p, 8), "source Pref64::Z");
        assertEquals(CLIENT2, addr6(p, 24), "destination X' of the BIB entry");
        assertEquals(53, u16(p, 40));
        assertEquals(40000, u16(p, 42), "destination port x");
    }

    @Test
    void unsolicitedIpv4GetsHostUnreachableAndCreatesNothing() {
        assertEquals(Verdict.ICMP_ERROR, run(udp4(SERVER, 53, T, 5555, 4)));
        byte[] p = only();
        assertEquals(IpProtocol.ICMP, p[9]);
        assertEquals(SERVER, u32(p, 16));
        assertEquals(3, p[20]);
        assertEquals(1, p[21], "RFC 6146 §3.5.1: Host Unreachable (MAY)");
        assertEquals(DropReason.NAT64_REFUSED, xlat.trace().reason());
        assertEquals(NatVerdict.NO_BIB, xlat.lastResult().verdict());
        assertEquals(0, table.stats().sessions());
    }

    @Test
    void echoIdentifiersAreMappedBothWays() {
        byte[] req = SamplePackets.ipv6(IpProtocol.ICMPV6, icmp(128, 0, 0x1234_0001, 16), 2, CLIENT, SERVER6);
        assertEquals(Verdict.TRANSLATED, run(req));
        byte[] p = only();
        assertEquals(8, p[20], "Echo Request");
        int i2 = u16(p, 24);
        byte[] reply = SamplePackets.ipv4(IpProtocol.ICMP, icmp(0, 0, i2 << 16 | 1, 16), 2, SERVER, T, false);
        assertEquals(Verdict.TRANSLATED, run(reply));
        byte[] r = only();
        assertEquals(129 - 256, r[40], "Echo Reply");
        assertEquals(0x1234, u16(r, 44), "i1 again (RFC 6146 §3.5.3)");
        assertEquals(CLIENT, addr6(r, 24));
    }

    @Test
    void tcpHandshakeBothWays() {
        run(tcp6(CLIENT, 50000, SERVER6, 80, TcpState.SYN));
        int t = u16(only(), 20);
        assertEquals(Verdict.TRANSLATED, run(tcp4(SERVER, 80, T, t, TcpState.SYN | 0x10)));
        byte[] synAck = only();
        assertEquals(CLIENT, addr6(synAck, 24));
        assertEquals(50000, u16(synAck, 42));
        assertEquals(TcpState.ESTABLISHED, xlat.lastResult().state());
    }

    @Test
    void anUnsolicitedSynIsKeptSilently() {
        table.addStatic(NatProtocol.TCP, CLIENT.hi(), CLIENT.lo(), 2000, T, 2000);
        // With a static entry the server may open a connection (RFC 6146 §3.5.2.2, V4 INIT).
        assertEquals(Verdict.TRANSLATED, run(tcp4(SERVER, 33000, T, 2000, TcpState.SYN)));
        byte[] p = only();
        assertEquals(CLIENT, addr6(p, 24));
        assertEquals(2000, u16(p, 42));
        // Without one, the SYN waits for an IPv6 SYN that never comes, and nothing leaves.
        assertEquals(Verdict.DROPPED, run(tcp4(SERVER, 33000, T, 4000, TcpState.SYN)));
        assertTrue(out.isEmpty());
        assertEquals(NatVerdict.SYN_STORED, xlat.lastResult().verdict());
    }

    @Test
    void icmpv4ErrorReachesTheClientWithItsOwnPortsInside() {
        table.addStatic(NatProtocol.UDP, CLIENT.hi(), CLIENT.lo(), 40000, T, 7000);
        run(udp6(CLIENT, 40000, SERVER6, 53, 8));
        byte[] sent = only();
        assertEquals(7000, u16(sent, 20));
        // The server's port unreachable quotes what it got: (T,7000) → (Z,53).
        byte[] err = SamplePackets.ipv4(IpProtocol.ICMP, icmpAbout(3, 3, sent), 2, SERVER, T, false);
        assertEquals(Verdict.TRANSLATED, run(err));
        byte[] p = only();
        assertEquals(1, p[40], "Destination Unreachable");
        assertEquals(4, p[41], "Port Unreachable (RFC 7915 §4.2)");
        assertEquals(CLIENT, addr6(p, 24));
        assertEquals(CLIENT, addr6(p, 48 + 8), "inner source X'");
        assertEquals(40000, u16(p, 48 + 40), "inner source port x");
        assertEquals(53, u16(p, 48 + 42));
        assertValid(Arrays.copyOfRange(p, 48, p.length));
    }

    @Test
    void icmpv6ErrorFromTheClientLeavesFromT() {
        run(udp6(CLIENT, 40000, SERVER6, 53, 8));
        int t = u16(only(), 20);
        run(udp4(SERVER, 53, T, t, 8));
        byte[] delivered = only();
        byte[] err = SamplePackets.ipv6(IpProtocol.ICMPV6, icmpAbout(1, 4, delivered), 2, CLIENT, SERVER6);
        assertEquals(Verdict.TRANSLATED, run(err));
        byte[] p = only();
        assertEquals(T, u32(p, 12));
        assertEquals(3, p[20]);
        assertEquals(3, p[21]);
        assertEquals(T, u32(p, 28 + 16), "inner destination T");
        assertEquals(t, u16(p, 28 + 22), "inner destination port t");
        assertValid(Arrays.copyOfRange(p, 28, p.length));
        assertEquals(1, table.stats().sessions(), "an error creates nothing (RFC 5508 REQ-6)");
    }

    @Test
    void hairpinnedPacketsReachTheOtherClientFromPool6OfT() {
        run(udp6(CLIENT, 40000, SERVER6, 53, 4));
        int t1 = u16(only(), 20);
        assertEquals(Verdict.TRANSLATED, run(udp6(CLIENT2, 41000, T6, t1, 10)),
                () -> xlat.trace().reason() + " " + xlat.lastResult().verdict());
        byte[] p = only();
        assertEquals(6, p[0] >> 4, "never left as IPv4 (RFC 6146 §3.8)");
        assertEquals(CLIENT, addr6(p, 24));
        assertEquals(40000, u16(p, 42));
        assertEquals(T6, addr6(p, 8), "source Pref64::T");
        assertEquals(xlat.lastResult().z4Port(), u16(p, 40), "source port: client 2's own t2");
        assertEquals(3, table.stats().sessions(),
                "client 1 → server, client 2's (T,t2) → (T,t1), and client 1's new one from (T,t2)");
    }

    @Test
    void refusals() {
        assertEquals(Verdict.DROPPED, run(udp4(SERVER, 53, Ipv4Address.parse("192.0.2.9"), 53, 4)));
        assertEquals(DropReason.NAT64_NOT_IN_POOL4, xlat.trace().reason());
        assertEquals(Verdict.DROPPED, run(udp4(T, 53, T, 53, 4)));
        assertEquals(DropReason.NAT64_SPOOFED_SOURCE, xlat.trace().reason());
        assertEquals(Verdict.DROPPED, run(udp6(T6, 53, SERVER6, 53, 4)));
        assertEquals(DropReason.SOURCE_IN_POOL6, xlat.trace().reason());
        byte[] frag = fragments4(udp4(SERVER, 53, T, 53, 800), 7, 400).get(1);
        assertEquals(Verdict.DROPPED, run(frag));
        assertEquals(DropReason.NAT64_FRAGMENT_HELD, xlat.trace().reason(), "a later fragment waits for its first");
        byte[] gre = SamplePackets.ipv6(47, new byte[8], 2, CLIENT, SERVER6);
        assertEquals(Verdict.DROPPED, run(gre));
        assertEquals(DropReason.PROTOCOL_UNSUPPORTED, xlat.trace().reason());
        assertNull(xlat.lastResult());
        assertEquals(0, table.stats().sessions());
    }

    @Test
    void fragmentsFollowTheirFirstFragmentsMappingBothWays() {
        byte[] datagram = udp6(CLIENT, 40000, SERVER6, 53, 2000);
        List<byte[]> frags6 = fragments6(datagram, 0x1234_5678, 800);
        assertEquals(3, frags6.size());
        List<byte[]> sent = new ArrayList<>();
        for (byte[] f : frags6) {
            assertEquals(Verdict.TRANSLATED, run(f), () -> xlat.trace().reason().toString());
            assertEquals(1, out.size());
            sent.add(out.get(0)); // a fragment's checksum covers the whole datagram: checked below
        }
        // Reassembled, the IPv4 datagram is the UDP datagram from (T,t), checksum right.
        byte[] udp = reassemble4(sent);
        int t = u16(udp, 0);
        assertEquals(53, u16(udp, 2));
        assertTrue(Checksum.verifies(Checksum.add(MemorySegment.ofArray(udp), 0, udp.length,
                Checksum.ipv4Pseudo(T, SERVER, IpProtocol.UDP, udp.length))), "UDP checksum of the reassembly");
        assertArrayEquals(Arrays.copyOfRange(datagram, 48, datagram.length), Arrays.copyOfRange(udp, 8, udp.length));
        for (byte[] f : sent) {
            assertEquals(T, u32(f, 12));
            assertEquals(0x5678, u16(f, 4), "Identification: the low 16 bits (RFC 7915 §5.1.1)");
        }

        // The reply, fragmented by the server: the later fragment first (held), then the first.
        List<byte[]> frags4 = fragments4(udp4(SERVER, 53, T, t, 1500), 0x4321, 800);
        assertEquals(Verdict.DROPPED, run(frags4.get(1)));
        assertEquals(DropReason.NAT64_FRAGMENT_HELD, xlat.trace().reason());
        assertTrue(out.isEmpty());
        assertEquals(Verdict.TRANSLATED, run(frags4.get(0)));
        assertEquals(2, out.size(), "the first and the held one");
        byte[] back = reassemble6(out);
        assertEquals(40000, u16(back, 2), "destination port x");
        assertTrue(Checksum.verifies(Checksum.add(MemorySegment.ofArray(back), 0, back.length,
                Checksum.ipv6Pseudo(SERVER6.hi(), SERVER6.lo(), CLIENT.hi(), CLIENT.lo(), IpProtocol.UDP, back.length))));
        for (byte[] f : out) {
            assertEquals(CLIENT, addr6(f, 24));
        }
    }

    @Test
    void aLaterFragmentWhoseFirstNeverComesIsDroppedAfterTwoSeconds() {
        byte[] later = fragments6(udp6(CLIENT, 40000, SERVER6, 53, 2000), 99, 800).get(2);
        assertEquals(Verdict.DROPPED, run(later));
        now += FragmentTracker.TIMEOUT_NANOS + 1;
        run(fragments6(udp6(CLIENT, 40001, SERVER6, 53, 2000), 100, 800).get(1));
        assertEquals(1, xlat.natCounters().fragmentsTimedOut());
        // Its first fragment now comes too late: translated alone, nothing held is released.
        run(fragments6(udp6(CLIENT, 40000, SERVER6, 53, 2000), 99, 800).get(0));
        assertEquals(1, out.size());
    }

    @Test
    void wellKnownPrefixRefusesNonGlobalDestinationsBeforeAnyState() {
        Nat64Translator wkp = translator("64:ff9b::/96");
        PacketBuffer b = PacketBuffer.scratch(PacketBuffer.DEFAULT_CAPACITY);
        b.load(udp6(CLIENT, 40000, Ipv6Address.parse("64:ff9b::a00:1"), 53, 4));
        wkp.translate(b, (s, o, l) -> { });
        assertEquals(DropReason.WKP_NON_GLOBAL, wkp.trace().reason(), "RFC 6052 §3.1");
        assertEquals(0, table.stats().sessions());
    }

    // ------------------------------------------------------------------ packets

    static byte[] udp6(Ipv6Address src, int sport, Ipv6Address dst, int dport, int payload) {
        return SamplePackets.ipv6(IpProtocol.UDP, l4(sport, dport, 8, payload), 6, src, dst);
    }

    static byte[] udp4(int src, int sport, int dst, int dport, int payload) {
        return SamplePackets.ipv4(IpProtocol.UDP, l4(sport, dport, 8, payload), 6, src, dst, true);
    }

    static byte[] tcp6(Ipv6Address src, int sport, Ipv6Address dst, int dport, int flags) {
        byte[] l4 = l4(sport, dport, 20, 0);
        l4[13] = (byte) flags;
        return SamplePackets.ipv6(IpProtocol.TCP, l4, 16, src, dst);
    }

    static byte[] tcp4(int src, int sport, int dst, int dport, int flags) {
        byte[] l4 = l4(sport, dport, 20, 0);
        l4[13] = (byte) flags;
        return SamplePackets.ipv4(IpProtocol.TCP, l4, 16, src, dst, true);
    }

    /** A transport header of {@code header} bytes (UDP length filled in) and a payload pattern. */
    private static byte[] l4(int sport, int dport, int header, int payload) {
        byte[] b = new byte[header + payload];
        put16(b, 0, sport);
        put16(b, 2, dport);
        if (header == 8) {
            put16(b, 4, b.length);
        } else {
            b[12] = 0x50;
            put16(b, 14, 65535);
        }
        for (int i = header; i < b.length; i++) {
            b[i] = (byte) (i * 7);
        }
        return b;
    }

    private static byte[] icmp(int type, int code, int rest, int payload) {
        byte[] b = new byte[8 + payload];
        b[0] = (byte) type;
        b[1] = (byte) code;
        put16(b, 4, rest >>> 16);
        put16(b, 6, rest);
        return b;
    }

    private static byte[] icmpAbout(int type, int code, byte[] quoted) {
        byte[] b = new byte[8 + quoted.length];
        b[0] = (byte) type;
        b[1] = (byte) code;
        System.arraycopy(quoted, 0, b, 8, quoted.length);
        return b;
    }

    /** An IPv6 datagram cut into fragments of {@code size} bytes of upper layer (a multiple of 8). */
    static List<byte[]> fragments6(byte[] datagram, int id, int size) {
        byte[] upper = Arrays.copyOfRange(datagram, 40, datagram.length);
        List<byte[]> out = new ArrayList<>();
        for (int at = 0; at < upper.length; at += size) {
            int n = Math.min(size, upper.length - at);
            byte[] f = new byte[48 + n];
            System.arraycopy(datagram, 0, f, 0, 40);
            put16(f, 4, 8 + n);
            f[6] = (byte) IpProtocol.FRAGMENT;
            f[40] = datagram[6];
            put16(f, 42, at | (at + n < upper.length ? 1 : 0));
            put16(f, 44, id >>> 16);
            put16(f, 46, id);
            System.arraycopy(upper, at, f, 48, n);
            out.add(f);
        }
        return out;
    }

    /** An IPv4 datagram (20-byte header) cut into fragments of {@code size} bytes of payload. */
    static List<byte[]> fragments4(byte[] datagram, int id, int size) {
        byte[] payload = Arrays.copyOfRange(datagram, 20, datagram.length);
        List<byte[]> out = new ArrayList<>();
        for (int at = 0; at < payload.length; at += size) {
            int n = Math.min(size, payload.length - at);
            byte[] f = new byte[20 + n];
            System.arraycopy(datagram, 0, f, 0, 20);
            put16(f, 2, 20 + n);
            put16(f, 4, id);
            put16(f, 6, (at + n < payload.length ? 0x2000 : 0) | at / 8);
            put16(f, 10, 0);
            put16(f, 10, Checksum.finish(Checksum.add(MemorySegment.ofArray(f), 0, 20, 0)));
            System.arraycopy(payload, at, f, 20, n);
            out.add(f);
        }
        return out;
    }

    private static byte[] reassemble4(List<byte[]> frags) {
        byte[] all = new byte[65536];
        int end = 0;
        for (byte[] f : frags) {
            int ihl = (f[0] & 0xf) * 4;
            int at = (u16(f, 6) & 0x1fff) * 8;
            System.arraycopy(f, ihl, all, at, f.length - ihl);
            end = Math.max(end, at + f.length - ihl);
        }
        return Arrays.copyOf(all, end);
    }

    private static byte[] reassemble6(List<byte[]> frags) {
        byte[] all = new byte[65536];
        int end = 0;
        for (byte[] f : frags) {
            assertEquals(IpProtocol.FRAGMENT, f[6]);
            int at = u16(f, 42) & 0xfff8;
            System.arraycopy(f, 48, all, at, f.length - 48);
            end = Math.max(end, at + f.length - 48);
        }
        return Arrays.copyOf(all, end);
    }

    // ------------------------------------------------------------------ checks

    /** Every checksum of the packet, recomputed from scratch (and the quoted packet's, if whole). */
    static void assertValid(byte[] p) {
        MemorySegment s = MemorySegment.ofArray(p);
        if (p[0] >> 4 == 4) {
            int ihl = (p[0] & 0xf) * 4;
            assertTrue(Checksum.verifies(Checksum.add(s, 0, ihl, 0)), "IPv4 header checksum");
            int proto = p[9];
            long pseudo = proto == IpProtocol.ICMP ? 0
                    : Checksum.ipv4Pseudo(u32(p, 12), u32(p, 16), proto, p.length - ihl);
            assertTrue(Checksum.verifies(Checksum.add(s, ihl, p.length - ihl, pseudo)), "IPv4 L4 checksum");
        } else {
            Ipv6Address src = addr6(p, 8);
            Ipv6Address dst = addr6(p, 24);
            long pseudo = Checksum.ipv6Pseudo(src.hi(), src.lo(), dst.hi(), dst.lo(), p[6], p.length - 40);
            assertTrue(Checksum.verifies(Checksum.add(s, 40, p.length - 40, pseudo)), "IPv6 L4 checksum");
        }
    }

    static int u16(byte[] b, int i) {
        return (b[i] & 0xff) << 8 | b[i + 1] & 0xff;
    }

    static int u32(byte[] b, int i) {
        return u16(b, i) << 16 | u16(b, i + 2);
    }

    static void put16(byte[] b, int i, int v) {
        b[i] = (byte) (v >>> 8);
        b[i + 1] = (byte) v;
    }

    static Ipv6Address addr6(byte[] b, int i) {
        return Ipv6Address.read(MemorySegment.ofArray(b), i);
    }
}
