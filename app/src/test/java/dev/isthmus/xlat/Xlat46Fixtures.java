package dev.isthmus.xlat;

import dev.isthmus.addr.EamTable;
import dev.isthmus.addr.EamTable.Eam;
import dev.isthmus.addr.Ipv4Pool;
import dev.isthmus.addr.Rfc6052Prefix;
import dev.isthmus.wire.HexText;
import dev.isthmus.wire.Ipv4Address;
import dev.isthmus.wire.Ipv6Address;
import dev.isthmus.wire.PacketBuffer;
import dev.isthmus.wire.PacketSink;
import dev.isthmus.wire.pcap.PcapWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Test fixtures for the 4→6 direction: settings, a harness around {@link Translator46} with a
 * collecting sink, an independent packet builder and checksum checker (plain loops over byte
 * arrays, nothing shared with the code under test), and the pcap files CI validates with tshark.
 *
 * <p>The addresses used throughout:
 *
 * <pre>
 *  192.0.2.33    ⇄ 2001:db8:64::c000:221   IPv4 server behind pool6 2001:db8:64::/96
 *  192.0.2.99    ⇄ 2001:db8:64::c000:263   an IPv4 router (pool6)
 *  198.51.100.5  ⇄ 2001:db8:6::5           IPv6 client, EAM row 0 (198.51.100.0/24 ⇄ 2001:db8:6::/120)
 *  203.0.113.7   ⇄ 2001:db8:7::7           IPv6 node, EAM row 1 (203.0.113.0/24 ⇄ 2001:db8:7::/120)
 *  2001:db8:6791::1                        RFC 6791 source of ICMPv6 errors from untranslatable routers
 *  192.0.2.1 / 2001:db8:ffff::1            the translator's own addresses
 * </pre>
 */
final class Xlat46Fixtures {
    static final String S4 = "192.0.2.33";
    static final String S6 = "2001:db8:64::c000:221";
    static final String R4 = "192.0.2.99";
    static final String R6 = "2001:db8:64::c000:263";
    static final String C4 = "198.51.100.5";
    static final String C6 = "2001:db8:6::5";
    static final String N4 = "203.0.113.7";
    static final String N6 = "2001:db8:7::7";
    static final String RFC6791 = "2001:db8:6791::1";
    static final String OWN4 = "192.0.2.1";
    static final String OWN6 = "2001:db8:ffff::1";

    /** Where CI's tshark check looks (surefire sets it to the build directory's xlat-pcaps). */
    static final Path PCAP_DIR = Path.of(System.getProperty("isthmus.xlat.pcaps", "target/xlat-pcaps"));

    private Xlat46Fixtures() {}

    /** Mutable settings with the defaults above; {@link #build} makes the record. */
    static final class Settings {
        Rfc6052Prefix pool6 = Rfc6052Prefix.parse("2001:db8:64::/96");
        EamTable eam = new EamTable(List.of(
                Eam.parse("198.51.100.0/24", "2001:db8:6::/120"),
                Eam.parse("203.0.113.0/24", "2001:db8:7::/120")));
        Ipv6Address rfc6791 = Ipv6Address.parse(RFC6791);
        Ipv6Address own6 = Ipv6Address.parse(OWN6);
        int trafficClass = -1;
        boolean udpZeroChecksumCompute;
        int lowestIpv6Mtu = 1280;
        int[] plateaus = XlatSettings.RFC1191_PLATEAUS;
        int ipv4Mtu = 1500;
        int ipv6Mtu = 1500;
        XlatSettings.HairpinMode hairpin = XlatSettings.HairpinMode.OFF;
        boolean icmpErrors = true;
        int icmpErrorsPerSecond;

        Settings pool6(String p) {
            pool6 = p == null ? null : Rfc6052Prefix.parse(p);
            return this;
        }

        Settings noEam() {
            eam = EamTable.empty();
            return this;
        }

        Settings rfc6791(String a) {
            rfc6791 = a == null ? null : Ipv6Address.parse(a);
            return this;
        }

        Settings own6(String a) {
            own6 = a == null ? null : Ipv6Address.parse(a);
            return this;
        }

        Settings trafficClass(int v) {
            trafficClass = v;
            return this;
        }

        Settings udpZeroChecksumCompute(boolean on) {
            udpZeroChecksumCompute = on;
            return this;
        }

        Settings lowestIpv6Mtu(int v) {
            lowestIpv6Mtu = v;
            return this;
        }

        Settings plateaus(int... v) {
            plateaus = v;
            return this;
        }

        Settings ipv4Mtu(int v) {
            ipv4Mtu = v;
            return this;
        }

        Settings ipv6Mtu(int v) {
            ipv6Mtu = v;
            return this;
        }

        Settings hairpin(XlatSettings.HairpinMode m) {
            hairpin = m;
            return this;
        }

        Settings icmpErrors(boolean on) {
            icmpErrors = on;
            return this;
        }

        /** The originator's rate limit (0: none); the harness's clock stands still. */
        Settings icmpErrorsPerSecond(int v) {
            icmpErrorsPerSecond = v;
            return this;
        }

        XlatSettings build() {
            return new XlatSettings(pool6, eam, Ipv4Pool.empty(), rfc6791, -1, trafficClass,
                    udpZeroChecksumCompute, lowestIpv6Mtu, plateaus, ipv4Mtu, ipv6Mtu, Ipv4Address.parse(OWN4),
                    own6, hairpin, icmpErrors, icmpErrorsPerSecond);
        }

        Harness harness() {
            return new Harness(build());
        }
    }

    static Settings settings() {
        return new Settings();
    }

    static Harness harness() {
        return settings().harness();
    }

    /** A {@link Translator46} wired as {@link Translator} wires it, and a sink that copies every packet. */
    static final class Harness {
        final XlatSettings settings;
        final XlatCounters counters = new XlatCounters();
        final XlatContext ctx;
        final Translator46 t46;
        final List<byte[]> out = new ArrayList<>();
        final PacketBuffer buffer = PacketBuffer.heap(PacketBuffer.DEFAULT_CAPACITY);
        final PacketSink sink = (seg, off, len) -> out.add(seg.asSlice(off, len).toArray(ValueLayout.JAVA_BYTE));
        byte[] lastInput;

        Harness(XlatSettings settings) {
            this.settings = settings;
            this.ctx = new XlatContext(settings, counters, () -> 0L);
            this.t46 = new Translator46(ctx);
        }

        /** Translates {@code in} (copied behind the buffer's headroom) as {@link Translator} would. */
        Verdict run(byte[] in) {
            return run(in, in.length);
        }

        /** Translates the first {@code length} bytes of {@code in}... or claims more (padding tests). */
        Verdict run(byte[] in, int length) {
            out.clear();
            lastInput = in.clone();
            buffer.load(in);
            buffer.set(PacketBuffer.HEADROOM, length);
            ctx.trace.reset();
            Verdict v = t46.translate(buffer, sink);
            ctx.trace.verdict = v;
            return v;
        }

        Trace trace() {
            return ctx.trace;
        }

        byte[] only() {
            if (out.size() != 1) {
                throw new AssertionError("expected one output packet, got " + out.size() + " (" + trace().reason() + ")");
            }
            return out.get(0);
        }

        /** Writes the last input and every output to {@code <pcaps>/46-<name>.pcap}. */
        void pcap(String name) {
            writePcap("46-" + name, lastInput, out);
        }
    }

    static void writePcap(String name, byte[] input, List<byte[]> outputs) {
        try {
            Files.createDirectories(PCAP_DIR);
            try (PcapWriter w = PcapWriter.create(PCAP_DIR.resolve(name + ".pcap"))) {
                long t = 1_700_000_000_000_000_000L;
                w.write(t, MemorySegment.ofArray(input), 0, input.length);
                for (byte[] o : outputs) {
                    t += 1_000;
                    w.write(t, MemorySegment.ofArray(o), 0, o.length);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---------------------------------------------------------------------------------------
    // Hex

    /** Hex digits with {@code #} comments to the end of the line and any whitespace. */
    static byte[] hex(String text) {
        return HexText.hex(text);
    }

    /** Hex in 32-bit rows, for readable assertion failures. */
    static String rows(byte[] b) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < b.length; i += 4) {
            sb.append(HexFormat.ofDelimiter(" ").formatHex(b, i, Math.min(b.length, i + 4))).append('\n');
        }
        return sb.toString();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            o.writeBytes(p);
        }
        return o.toByteArray();
    }

    // ---------------------------------------------------------------------------------------
    // Independent checksums (RFC 1071, the textbook loop)

    static int u8(byte[] b, int i) {
        return b[i] & 0xff;
    }

    static int u16(byte[] b, int i) {
        return (b[i] & 0xff) << 8 | (b[i + 1] & 0xff);
    }

    static int u32(byte[] b, int i) {
        return u16(b, i) << 16 | u16(b, i + 2);
    }

    static void put16(byte[] b, int i, int v) {
        b[i] = (byte) (v >>> 8);
        b[i + 1] = (byte) v;
    }

    static void put32(byte[] b, int i, int v) {
        put16(b, i, v >>> 16);
        put16(b, i + 2, v);
    }

    /** One's complement sum of the 16-bit words of {@code b[off, off+len)}, folded to 16 bits. */
    static int sum(byte[] b, int off, int len, int initial) {
        long s = initial;
        for (int i = 0; i < len; i += 2) {
            int hi = b[off + i] & 0xff;
            int lo = i + 1 < len ? b[off + i + 1] & 0xff : 0;
            s += hi << 8 | lo;
        }
        while ((s >>> 16) != 0) {
            s = (s & 0xffff) + (s >>> 16);
        }
        return (int) s;
    }

    static int pseudo4(byte[] p, int proto, int length) {
        return sum(p, 12, 8, proto + length);
    }

    /** IPv6 pseudo-header sum (RFC 8200 §8.1) of the packet starting at {@code at}. */
    static int pseudo6(byte[] p, int at, int nh, int length) {
        return sum(p, at + 8, 32, 0) + nh + (length >>> 16) + (length & 0xffff);
    }

    /**
     * Asserts that {@code p} is a well-formed IPv6 packet: version 6, flow label 0, Payload Length
     * equal to what follows the fixed header, at most a Fragment Header, and — unless it is a
     * fragment — a TCP, UDP or ICMPv6 checksum that verifies. Returns the offset of the upper layer.
     */
    static int assertIpv6Valid(byte[] p) {
        check(p.length >= 40 && (p[0] & 0xf0) == 0x60, "IPv6");
        check((u32(p, 0) & 0xfffff) == 0, "flow label 0");
        check(u16(p, 4) + 40 == p.length, "payload length " + u16(p, 4) + " + 40 == " + p.length);
        int nh = u8(p, 6);
        int upper = 40;
        if (nh == 44) {
            check(p.length >= 48, "fragment header");
            check(u8(p, 41) == 0 && (u16(p, 42) & 6) == 0, "fragment header reserved fields zero");
            check(u16(p, 44) == 0, "fragment identification: high 16 bits zero");
            int fo = u16(p, 42);
            check((fo & ~7 | (fo & 1)) != 0, "no atomic fragments (RFC 8021)");
            if ((fo & 1) != 0) {
                check((p.length - 48) % 8 == 0, "fragment with M set carries a multiple of 8 bytes");
            }
            return 48;
        }
        int l4 = p.length - upper;
        if (nh == 6 || nh == 17 || nh == 58) {
            check(sum(p, upper, l4, pseudo6(p, 0, nh, l4)) == 0xffff, "upper-layer checksum");
        }
        if (nh == 17) {
            check(u16(p, upper + 6) != 0, "IPv6 UDP checksum not zero");
        }
        return upper;
    }

    /** Asserts that an originated ICMPv4 error has valid header and ICMP checksums. */
    static void assertIpv4Valid(byte[] p) {
        check(p.length >= 20 && p[0] == 0x45, "IPv4 with IHL 5");
        check(u16(p, 2) == p.length, "total length");
        check(sum(p, 0, 20, 0) == 0xffff, "IPv4 header checksum");
        if (u8(p, 9) == 1) {
            check(sum(p, 20, p.length - 20, 0) == 0xffff, "ICMPv4 checksum");
        }
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError("not valid: " + what);
        }
    }

    // ---------------------------------------------------------------------------------------
    // Independent packet builder (IPv4)

    /** An IPv4 packet with DF set, ID 0x1234, no options; header and transport checksums filled. */
    static byte[] ipv4(String src, String dst, int proto, int ttl, int tos, byte[] upper) {
        return ipv4(src, dst, proto, ttl, tos, 0x1234, 0x4000, new byte[0], upper);
    }

    /**
     * An IPv4 packet with the given flags word (DF 0x4000, MF 0x2000, offset in 8-byte units) and
     * options. The transport checksum is computed over {@code upper} as a whole datagram when the
     * packet is not a non-first fragment (and for UDP only when the checksum field is not the
     * marker 0xfffe, which stands for "leave zero").
     */
    static byte[] ipv4(String src, String dst, int proto, int ttl, int tos, int id, int flags, byte[] options,
            byte[] upper) {
        int hl = 20 + options.length;
        byte[] p = new byte[hl + upper.length];
        p[0] = (byte) (0x40 | hl / 4);
        p[1] = (byte) tos;
        put16(p, 2, p.length);
        put16(p, 4, id);
        put16(p, 6, flags);
        p[8] = (byte) ttl;
        p[9] = (byte) proto;
        put32(p, 12, Ipv4Address.parse(src));
        put32(p, 16, Ipv4Address.parse(dst));
        System.arraycopy(options, 0, p, 20, options.length);
        put16(p, 10, ~sum(p, 0, hl, 0) & 0xffff);
        System.arraycopy(upper, 0, p, hl, upper.length);
        if ((flags & 0x1fff) == 0) {
            fillTransportChecksum4(p, hl, proto, upper.length);
        }
        return p;
    }

    private static void fillTransportChecksum4(byte[] p, int at, int proto, int length) {
        if (length < (proto == 6 ? 20 : 8)) {
            return; // a truncated header for a rejection test: nothing to fill
        }
        switch (proto) {
            case 6 -> {
                put16(p, at + 16, 0);
                put16(p, at + 16, ~sum(p, at, length, pseudo4(p, 6, length)) & 0xffff);
            }
            case 17 -> {
                if (u16(p, at + 6) == 0xfffe) {
                    put16(p, at + 6, 0);
                    return;
                }
                put16(p, at + 6, 0);
                int c = ~sum(p, at, length, pseudo4(p, 17, length)) & 0xffff;
                put16(p, at + 6, c == 0 ? 0xffff : c);
            }
            case 1 -> {
                put16(p, at + 2, 0);
                put16(p, at + 2, ~sum(p, at, length, 0) & 0xffff);
            }
            default -> { }
        }
    }

    /** Recomputes an IPv4 header checksum after a test changed a field. */
    static byte[] refreshHeaderChecksum(byte[] p) {
        int hl = (p[0] & 0x0f) * 4;
        put16(p, 10, 0);
        put16(p, 10, ~sum(p, 0, hl, 0) & 0xffff);
        return p;
    }

    static byte[] udp(int sport, int dport, byte[] payload) {
        byte[] u = new byte[8 + payload.length];
        put16(u, 0, sport);
        put16(u, 2, dport);
        put16(u, 4, u.length);
        System.arraycopy(payload, 0, u, 8, payload.length);
        return u;
    }

    /** A UDP datagram whose checksum {@link #ipv4} leaves zero ("no checksum", RFC 768). */
    static byte[] udpNoChecksum(int sport, int dport, byte[] payload) {
        byte[] u = udp(sport, dport, payload);
        put16(u, 6, 0xfffe);
        return u;
    }

    static byte[] tcp(int sport, int dport, int seq, int ack, int flags, byte[] payload) {
        byte[] t = new byte[20 + payload.length];
        put16(t, 0, sport);
        put16(t, 2, dport);
        put32(t, 4, seq);
        put32(t, 8, ack);
        t[12] = 0x50;
        t[13] = (byte) flags;
        put16(t, 14, 0xffff);
        System.arraycopy(payload, 0, t, 20, payload.length);
        return t;
    }

    static byte[] icmp(int type, int code, int rest, byte[] body) {
        byte[] m = new byte[8 + body.length];
        m[0] = (byte) type;
        m[1] = (byte) code;
        put32(m, 4, rest);
        System.arraycopy(body, 0, m, 8, body.length);
        return m;
    }

    static byte[] pattern(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }

    // ---------------------------------------------------------------------------------------
    // Allocation measurement

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** Generous bound for the measurement's own noise; per-call allocation would be far above it. */
    static final long ALLOCATION_NOISE = 4096;

    /** Bytes the current thread allocates while {@code work} runs, after two warm-up runs. */
    static long allocations(Runnable work) {
        work.run();
        work.run();
        long before = THREADS.getCurrentThreadAllocatedBytes();
        work.run();
        return THREADS.getCurrentThreadAllocatedBytes() - before;
    }
}
