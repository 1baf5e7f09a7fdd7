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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Test fixtures for the 6→4 direction: settings, a harness around {@link Translator64} with a
 * collecting sink, an independent packet builder and checksum checker (plain loops over byte
 * arrays, nothing shared with the code under test), and the pcap files CI validates with tshark.
 *
 * <p>The addresses used throughout:
 *
 * <pre>
 *  2001:db8:6::5           ⇄ 198.51.100.5   IPv6 client, EAM row 0 (2001:db8:6::/120 ⇄ 198.51.100.0/24)
 *  2001:db8:64::c000:221   ⇄ 192.0.2.33     IPv4 server behind pool6 2001:db8:64::/96
 *  2001:db8:7::7           ⇄ 203.0.113.7    IPv6 node, EAM row 1 (2001:db8:7::/120 ⇄ 203.0.113.0/24)
 *  2001:db8:64::cb00:7107  → 203.0.113.7    the same node reached through pool6 (hairpinning)
 *  2001:db8:99::1          → none           an IPv6 router without translatable address
 *  192.0.2.254                              the RFC 6791 pool (one address)
 *  192.0.2.1 / 2001:db8:ffff::1             the translator's own addresses
 * </pre>
 */
final class Xlat64Fixtures {
    static final String C6 = "2001:db8:6::5";
    static final String C4 = "198.51.100.5";
    static final String S6 = "2001:db8:64::c000:221";
    static final String S4 = "192.0.2.33";
    static final String R6 = "2001:db8:99::1";
    static final String OWN6 = "2001:db8:ffff::1";
    static final String OWN4 = "192.0.2.1";
    static final String RFC6791 = "192.0.2.254";

    /** First Identification the harness hands out (an unkeyed counter, so outputs are predictable). */
    static final int FIRST_ID = 0x1234;

    static final Path PCAP_DIR = Path.of(System.getProperty("isthmus.xlat.pcaps", "target/xlat-pcaps"));

    private Xlat64Fixtures() {}

    /** Mutable settings with the defaults above; {@link #build} makes the record. */
    static final class Settings {
        Rfc6052Prefix pool6 = Rfc6052Prefix.parse("2001:db8:64::/96");
        EamTable eam = new EamTable(List.of(
                Eam.parse("198.51.100.0/24", "2001:db8:6::/120"),
                Eam.parse("203.0.113.0/24", "2001:db8:7::/120")));
        Ipv4Pool rfc6791 = Ipv4Pool.parse(List.of(RFC6791));
        int tos = -1;
        int ipv4Mtu = 1500;
        int ipv6Mtu = 1500;
        XlatSettings.HairpinMode hairpin = XlatSettings.HairpinMode.OFF;
        boolean icmpErrors = true;

        Settings pool6(String p) {
            pool6 = Rfc6052Prefix.parse(p);
            return this;
        }

        Settings tos(int v) {
            tos = v;
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

        Settings rfc6791(List<String> items) {
            rfc6791 = Ipv4Pool.parse(items);
            return this;
        }

        Settings icmpErrors(boolean on) {
            icmpErrors = on;
            return this;
        }

        XlatSettings build() {
            return new XlatSettings(pool6, eam, rfc6791, null, tos, -1, false, 1280,
                    XlatSettings.RFC1191_PLATEAUS, ipv4Mtu, ipv6Mtu, Ipv4Address.parse(OWN4),
                    Ipv6Address.parse(OWN6), hairpin, icmpErrors, 0);
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

    /**
     * A {@link Translator64} wired as {@link Translator} wires it (context, 4→6 direction behind
     * the hairpin), with an unkeyed Identification counter starting at {@link #FIRST_ID}, and a
     * sink that copies every packet.
     */
    static final class Harness {
        final XlatSettings settings;
        final XlatCounters counters = new XlatCounters();
        final XlatContext ctx;
        final Translator64 t64;
        final List<byte[]> out = new ArrayList<>();
        final PacketBuffer buffer = PacketBuffer.heap(PacketBuffer.DEFAULT_CAPACITY);
        final PacketSink sink = (seg, off, len) -> out.add(seg.asSlice(off, len).toArray(ValueLayout.JAVA_BYTE));
        byte[] lastInput;

        Harness(XlatSettings settings) {
            this.settings = settings;
            this.ctx = new XlatContext(settings, counters, () -> 0L);
            Translator.Hairpin hairpin = new Translator.Hairpin(ctx, new Translator46(ctx));
            this.t64 = new Translator64(ctx, hairpin, new Xlat64Identification(0, FIRST_ID, false));
        }

        /** Translates {@code in} (copied behind the buffer's headroom) as {@link Translator} would. */
        Verdict run(byte[] in) {
            out.clear();
            lastInput = in.clone();
            buffer.load(in);
            ctx.trace.reset();
            Verdict v = t64.translate(buffer, sink);
            ctx.trace.verdict = v;
            return v;
        }

        Trace trace() {
            return ctx.trace;
        }

        byte[] only() {
            if (out.size() != 1) {
                throw new AssertionError("expected one output packet, got " + out.size());
            }
            return out.get(0);
        }

        /** Writes the last input and every output to {@code target/xlat-pcaps/64-<name>.pcap}. */
        void pcap(String name) {
            writePcap("64-" + name, lastInput, out);
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

    static String hexOf(byte[] b) {
        return HexFormat.of().formatHex(b);
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

    static int pseudo6(byte[] p, int nh, int length) {
        return sum(p, 8, 32, 0) + nh + (length >>> 16) + (length & 0xffff);
    }

    /**
     * Asserts that {@code p} is a well-formed option-less IPv4 packet whose header checksum and —
     * for an unfragmented TCP, UDP or ICMP packet — transport checksum verify.
     */
    static void assertIpv4Valid(byte[] p) {
        check(p.length >= 20 && p[0] == 0x45, "IPv4 with IHL 5");
        check(u16(p, 2) == p.length, "total length " + u16(p, 2) + " == packet length " + p.length);
        check(sum(p, 0, 20, 0) == 0xffff, "IPv4 header checksum");
        int flags = u16(p, 6);
        if ((flags & 0x3fff) != 0) {
            return; // a fragment: its transport checksum covers bytes it does not hold
        }
        int proto = u8(p, 9);
        int l4 = p.length - 20;
        switch (proto) {
            case 6 -> check(sum(p, 20, l4, pseudo4(p, 6, l4)) == 0xffff, "TCP checksum");
            case 17 -> check(u16(p, 26) != 0 && sum(p, 20, l4, pseudo4(p, 17, l4)) == 0xffff, "UDP checksum");
            case 1 -> check(sum(p, 20, l4, 0) == 0xffff, "ICMPv4 checksum");
            default -> { }
        }
    }

    /** Asserts that {@code p} is an IPv6 packet with no extension header and a valid TCP/UDP/ICMPv6 checksum. */
    static void assertIpv6Valid(byte[] p) {
        check(p.length >= 40 && (p[0] & 0xf0) == 0x60, "IPv6");
        check(u16(p, 4) + 40 == p.length, "payload length");
        int nh = u8(p, 6);
        int l4 = p.length - 40;
        if (nh == 6 || nh == 17 || nh == 58) {
            check(sum(p, 40, l4, pseudo6(p, nh, l4)) == 0xffff, "upper-layer checksum");
        }
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError("not valid: " + what);
        }
    }

    // ---------------------------------------------------------------------------------------
    // Independent packet builder (IPv6 without extension headers)

    static byte[] ipv6(String src, String dst, int nh, int hopLimit, int trafficClass, byte[] upper) {
        byte[] p = new byte[40 + upper.length];
        put32(p, 0, 0x6000_0000 | trafficClass << 20);
        put16(p, 4, upper.length);
        p[6] = (byte) nh;
        p[7] = (byte) hopLimit;
        System.arraycopy(Ipv6Address.parse(src).toBytes(), 0, p, 8, 16);
        System.arraycopy(Ipv6Address.parse(dst).toBytes(), 0, p, 24, 16);
        System.arraycopy(upper, 0, p, 40, upper.length);
        if (nh == 6 || nh == 17 || nh == 58) {
            int at = 40 + (nh == 6 ? 16 : nh == 17 ? 6 : 2);
            put16(p, at, 0);
            int c = ~sum(p, 40, upper.length, pseudo6(p, nh, upper.length)) & 0xffff;
            put16(p, at, c == 0 && nh == 17 ? 0xffff : c);
        }
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
}
