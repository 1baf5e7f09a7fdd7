package dev.isthmus.xlat;

import dev.isthmus.wire.Checksum;
import dev.isthmus.wire.IpProtocol;
import dev.isthmus.wire.Ipv4View;
import dev.isthmus.wire.Ipv6Address;
import dev.isthmus.wire.Ipv6View;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Well-formed sample packets (valid checksums) for the lab addressing: IPv6 client 2001:db8:6::2
 * (EAM ↔ 192.0.2.2), IPv4 server 198.51.100.2 seen from IPv6 as 2001:db8:64::c633:6402 (pool6
 * 2001:db8:64::/96, RFC 6052 §2.2). The JIT warm-up and the benchmarks translate them.
 */
public final class SamplePackets {
    public static final String CONFIG = """
            [siit]
            pool6 = "2001:db8:64::/96"
            ipv4-address = "198.51.100.1"
            ipv6-address = "2001:db8:6::1"
            [[siit.eam]]
            ipv6 = "2001:db8:6::2/128"
            ipv4 = "192.0.2.2/32"
            """;

    public static final Ipv6Address CLIENT6 = Ipv6Address.parse("2001:db8:6::2");
    public static final Ipv6Address SERVER6 = Ipv6Address.parse("2001:db8:64::c633:6402");
    public static final int CLIENT4 = 0xc0000202;
    public static final int SERVER4 = 0xc6336402;

    private SamplePackets() {}

    /** IPv6 packet to the server with {@code l4} (checksum field zero) as payload. */
    public static byte[] ipv6(int nextHeader, byte[] l4, int checksumOffset) {
        return ipv6(nextHeader, l4, checksumOffset, CLIENT6, SERVER6);
    }

    /** IPv6 packet from {@code src} to {@code dst} with {@code l4} (checksum field zero) as payload. */
    public static byte[] ipv6(int nextHeader, byte[] l4, int checksumOffset, Ipv6Address src, Ipv6Address dst) {
        byte[] b = new byte[Ipv6View.HEADER + l4.length];
        MemorySegment s = MemorySegment.ofArray(b);
        new Ipv6View().wrap(s, 0).setVersionClassFlow(0, 0).setPayloadLength(l4.length).setNextHeader(nextHeader)
                .setHopLimit(64).setSource(src.hi(), src.lo()).setDestination(dst.hi(), dst.lo());
        MemorySegment.copy(l4, 0, s, ValueLayout.JAVA_BYTE, Ipv6View.HEADER, l4.length);
        long sum = Checksum.ipv6Pseudo(src.hi(), src.lo(), dst.hi(), dst.lo(), nextHeader, l4.length);
        int c = Checksum.finish(Checksum.add(s, Ipv6View.HEADER, l4.length, sum));
        s.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), Ipv6View.HEADER + checksumOffset, (short) c);
        return b;
    }

    /** IPv4 packet from the server to the client's alias, DF set, with {@code l4} as payload. */
    public static byte[] ipv4(int protocol, byte[] l4, int checksumOffset) {
        return ipv4(protocol, l4, checksumOffset, SERVER4, CLIENT4, true);
    }

    /** IPv4 packet from {@code src} to {@code dst} with {@code l4} as payload. */
    public static byte[] ipv4(int protocol, byte[] l4, int checksumOffset, int src, int dst, boolean df) {
        byte[] b = new byte[Ipv4View.MIN_HEADER + l4.length];
        MemorySegment s = MemorySegment.ofArray(b);
        Ipv4View ip = new Ipv4View().wrap(s, 0).setVersionIhl(5).setTos(0).setTotalLength(b.length)
                .setIdentification(0x1234).setFragment(df, false, 0).setTtl(64).setProtocol(protocol)
                .setSource(src).setDestination(dst);
        ip.fillChecksum();
        MemorySegment.copy(l4, 0, s, ValueLayout.JAVA_BYTE, Ipv4View.MIN_HEADER, l4.length);
        long sum = protocol == IpProtocol.ICMP ? 0 : Checksum.ipv4Pseudo(src, dst, protocol, l4.length);
        int c = Checksum.finish(Checksum.add(s, Ipv4View.MIN_HEADER, l4.length, sum));
        s.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), Ipv4View.MIN_HEADER + checksumOffset, (short) c);
        return b;
    }

    /** UDP header + {@code payload} bytes of pattern, ports 40000 → 53. */
    public static byte[] udp(int payload) {
        byte[] u = new byte[8 + payload];
        u[0] = (byte) 0x9c; u[1] = 0x40; u[2] = 0; u[3] = 53;
        u[4] = (byte) (u.length >>> 8); u[5] = (byte) u.length;
        fill(u, 8);
        return u;
    }

    /** TCP header (ACK|PSH) + {@code payload} bytes, ports 40000 → 80. */
    public static byte[] tcp(int payload) {
        byte[] t = new byte[20 + payload];
        t[0] = (byte) 0x9c; t[1] = 0x40; t[2] = 0; t[3] = 80;
        t[4] = 1; t[8] = 2; t[12] = 0x50; t[13] = 0x18; t[14] = (byte) 0xff; t[15] = (byte) 0xff;
        fill(t, 20);
        return t;
    }

    /** ICMP(v6) echo request header + payload; {@code type} 8 or 128. */
    public static byte[] echo(int type, int payload) {
        byte[] e = new byte[8 + payload];
        e[0] = (byte) type; e[4] = 0x12; e[5] = 0x34; e[7] = 1;
        fill(e, 8);
        return e;
    }

    /**
     * The ICMPv4 Time Exceeded message (type 11, code 0, no checksum yet) an IPv4 router sends
     * about a 6→4 packet: it quotes {@code inner}, a packet from {@link #ipv4}, with its addresses
     * swapped so that the quoted packet went from the client's alias to the server. Wrap the
     * result with {@link #ipv4}.
     */
    public static byte[] timeExceededAbout(byte[] inner) {
        inner = inner.clone();
        MemorySegment s = MemorySegment.ofArray(inner);
        new Ipv4View().wrap(s, 0).setSource(CLIENT4).setDestination(SERVER4).fillChecksum();
        byte[] e = new byte[8 + inner.length];
        e[0] = 11;
        System.arraycopy(inner, 0, e, 8, inner.length);
        return e;
    }

    /**
     * The ICMPv6 Destination Unreachable, port unreachable (type 1, code 4, no checksum yet) the
     * client sends about a 4→6 packet: it quotes {@code inner}, a packet from {@link #ipv6}, with
     * its addresses swapped so that the quoted packet went from the server to the client (the
     * swap leaves its checksum valid). Wrap the result with {@link #ipv6}.
     */
    public static byte[] portUnreachableAbout(byte[] inner) {
        inner = inner.clone();
        new Ipv6View().wrap(MemorySegment.ofArray(inner), 0).setSource(SERVER6.hi(), SERVER6.lo())
                .setDestination(CLIENT6.hi(), CLIENT6.lo());
        byte[] e = new byte[8 + inner.length];
        e[0] = 1;
        e[1] = 4;
        System.arraycopy(inner, 0, e, 8, inner.length);
        return e;
    }

    private static void fill(byte[] b, int from) {
        for (int i = from; i < b.length; i++) {
            b[i] = (byte) i;
        }
    }
}
