package dev.isthmus.nat;

import static dev.isthmus.nat.Nat64TranslatorTest.addr6;
import static dev.isthmus.nat.Nat64TranslatorTest.assertValid;
import static dev.isthmus.nat.Nat64TranslatorTest.u16;
import static dev.isthmus.nat.Nat64TranslatorTest.u32;
import static dev.isthmus.wire.HexText.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.addr.PortSet;
import dev.isthmus.wire.Checksum;
import dev.isthmus.wire.IpProtocol;
import dev.isthmus.wire.Ipv4Address;
import dev.isthmus.wire.Ipv6Address;
import dev.isthmus.wire.PacketBuffer;
import dev.isthmus.xlat.DropReason;
import dev.isthmus.xlat.Offload;
import dev.isthmus.xlat.Path;
import dev.isthmus.xlat.SamplePackets;
import dev.isthmus.xlat.Verdict;
import dev.isthmus.xlat.XlatCounters;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The RFC 6384 FTP ALG through the stateful translator, whole packets in and out: which sessions
 * it follows, the rewritten commands and replies, the sequence and acknowledgement numbers (and
 * SACK edges) shifted by the length changes for the rest of the connection (§6), the active-mode
 * mapping, offload, and the refusals. Client 2001:db8:6::2 port 40000, server 198.51.100.2 port 21
 * (2001:db8:64::c633:6402), pool4 192.0.2.2 (the client's port is kept: t = 40000).
 */
class Nat64FtpAlgTest {
    private static final Ipv6Address CLIENT = Ipv6Address.parse("2001:db8:6::2");
    private static final Ipv6Address CLIENT2 = Ipv6Address.parse("2001:db8:6::3");
    private static final Ipv6Address SERVER6 = Ipv6Address.parse("2001:db8:64::c633:6402");
    private static final Ipv6Address T6 = Ipv6Address.parse("2001:db8:64::c000:202");
    private static final int T = Ipv4Address.parse("192.0.2.2");
    private static final int SERVER = Ipv4Address.parse("198.51.100.2");
    private static final int ACK = 0x10;
    private static final int PSH_ACK = 0x18;
    /** The server's greeting (RFC 959 §5.4), before any command. */
    private static final String GREETING = "220 ready\r\n";
    /** The client's first data byte (its ISN 0x1000 + 1) and the server's after the greeting. */
    private static final long C0 = 0x1001;
    private static final long S0 = 0x5001 + GREETING.length();

    private long now = 1_000_000_000L;
    private final Nat64Table table = new Nat64Table(Nat64Settings.builder(Pool4.of("192.0.2.2/32")).build(), null);
    private final XlatCounters counters = new XlatCounters();
    private final Nat64Translator xlat = Fixture.translator(table, "2001:db8:64::/96", () -> now, counters);
    private final List<byte[]> out = new ArrayList<>();

    @BeforeEach
    void handshake() {
        run(tcp6(CLIENT, 40000, SERVER6, 21, C0 - 1, 0, TcpState.SYN, null, ""));
        run(tcp4(SERVER, 21, T, 40000, 0x5000, C0, TcpState.SYN | ACK, null, ""));
        run(tcp6(CLIENT, 40000, SERVER6, 21, C0, 0x5001, ACK, null, ""));
        run(tcp4(SERVER, 21, T, 40000, 0x5001, C0, PSH_ACK, null, GREETING));
        run(tcp6(CLIENT, 40000, SERVER6, 21, C0, S0, ACK, null, ""));
        assertEquals(1, table.ftpAlg().following(), "the client's SYN to port 21 started a control connection");
        assertEquals(1, table.ftpAlg().counters().sessions.sum());
    }

    /** RFC 6384 §5.1: the client's EPSV leaves as PASV (IPv4 servers may know no EPSV). */
    @Test
    void epsvLeavesAsPasv() {
        assertEquals(Verdict.TRANSLATED, run(hex("""
                60 00 00 00   # IPv6
                00 1a 06 40   # payload length 26, TCP, hop limit 64
                20 01 0d b8   # source 2001:db8:6::2 (X')
                00 06 00 00
                00 00 00 00
                00 00 00 02
                20 01 0d b8   # destination 2001:db8:64::c633:6402 (Pref64::Z)
                00 64 00 00
                00 00 00 00
                c6 33 64 02
                9c 40 00 15   # ports 40000 -> 21
                00 00 10 01   # seq 0x1001
                00 00 50 0c   # ack 0x500c (after the greeting)
                50 18 fa f0   # data offset 5, PSH ACK, window
                8c ae 00 00   # checksum, urgent
                45 50 53 56   # "EPSV\\r\\n"
                0d 0a
                """)));
        byte[] p = only();
        assertEquals(4, p[0] >> 4);
        assertEquals(46, u16(p, 2), "total length");
        assertEquals(T, u32(p, 12));
        assertEquals(SERVER, u32(p, 16));
        assertEquals(40000, u16(p, 20));
        assertEquals(21, u16(p, 22));
        assertEquals(C0, u32(p, 24) & 0xffff_ffffL, "nothing rewritten before: seq as sent");
        assertEquals(S0, u32(p, 28) & 0xffff_ffffL);
        assertEquals("PASV\r\n", payload(p));
        assertTrue(xlat.lastAlgExplain().contains("EPSV"), xlat.lastAlgExplain());
        assertEquals(1, table.ftpAlg().counters().rewritten.sum());
    }

    /**
     * RFC 6384 §5.1 and §6: the 227 reply comes back as 229 with the port; the length change
     * shifts every later sequence number of the server's stream, and the client's
     * acknowledgements and SACK edges are shifted back.
     */
    @Test
    void reply227ComesBackAs229AndTheRestOfTheStreamIsShifted() {
        run(tcp6(CLIENT, 40000, SERVER6, 21, C0, S0, PSH_ACK, null, "EPSV\r\n"));
        String r227 = "227 Entering Passive Mode (198,51,100,2,19,137).\r\n";
        assertEquals(Verdict.TRANSLATED, run(tcp4(SERVER, 21, T, 40000, S0, C0 + 6, PSH_ACK, null, r227)));
        byte[] p = only();
        String r229 = payload(p);
        assertTrue(r229.startsWith("229 ") && r229.contains("(|||5001|)") && r229.endsWith("\r\n"), r229);
        assertEquals(40 + 20 + r229.length(), p.length);
        assertEquals(20 + r229.length(), u16(p, 4), "payload length");
        assertEquals(CLIENT, addr6(p, 24));
        assertEquals(S0, u32(p, 44) & 0xffff_ffffL);
        assertEquals(C0 + 6, u32(p, 48) & 0xffff_ffffL);
        long delta = r229.length() - r227.length();

        String r150 = "150 Here comes the directory listing.\r\n";
        run(tcp4(SERVER, 21, T, 40000, S0 + r227.length(), C0 + 6, PSH_ACK, null, r150));
        p = only();
        assertEquals(S0 + r227.length() + delta, u32(p, 44) & 0xffff_ffffL, "later segments shifted");
        assertEquals(r150, payload(p));

        // The client acknowledges the 229 and, out of order, the 150 as a SACK block (RFC 2018).
        long ack229 = S0 + r229.length();
        long end150 = ack229 + r150.length();
        byte[] sack = new byte[12];
        sack[0] = 1;
        sack[1] = 1;
        sack[2] = 5;
        sack[3] = 10;
        put32(sack, 4, ack229);
        put32(sack, 8, end150);
        run(tcp6(CLIENT, 40000, SERVER6, 21, C0 + 6, ack229, ACK, sack, ""));
        p = only();
        assertEquals(S0 + r227.length(), u32(p, 28) & 0xffff_ffffL, "ack in the server's numbering");
        assertEquals(S0 + r227.length(), u32(p, 20 + 24) & 0xffff_ffffL, "SACK left edge");
        assertEquals(S0 + r227.length() + r150.length(), u32(p, 20 + 28) & 0xffff_ffffL, "SACK right edge");
    }

    /**
     * A partial checksum (the device completes it) stays partial after the rewrite: the
     * pseudo-header sum of the translated packet for its new length.
     */
    @Test
    void aPartialChecksumStaysPartial() {
        byte[] in = tcp6(CLIENT, 40000, SERVER6, 21, C0, S0, PSH_ACK, null, "EPSV\r\n");
        long pseudo6 = Checksum.ipv6Pseudo(CLIENT.hi(), CLIENT.lo(), SERVER6.hi(), SERVER6.lo(), IpProtocol.TCP, 26);
        put16(in, 40 + 16, Checksum.fold(pseudo6));
        Offload o = new Offload();
        o.partialChecksum = true;
        assertEquals(Verdict.TRANSLATED, run(in, o, PacketBuffer.DEFAULT_CAPACITY));
        byte[] p = out.getFirst();
        assertEquals("PASV\r\n", payload(p));
        assertEquals(Checksum.fold(Checksum.ipv4Pseudo(T, SERVER, IpProtocol.TCP, p.length - 20)), u16(p, 36));
    }

    /**
     * A TCP super-packet (GSO, segment size 4) is rewritten whole: the receiver cuts the
     * rewritten payload at 4 bytes from the rewritten sequence number, so the stream it produces
     * is the ALG's, whatever the length change did to the last cut.
     */
    @Test
    void aSuperPacketIsRewrittenWhole() {
        String commands = "EPSV\r\nLIST\r\n";
        byte[] in = tcp6(CLIENT, 40000, SERVER6, 21, C0, S0, PSH_ACK, null, commands);
        long pseudo6 = Checksum.ipv6Pseudo(CLIENT.hi(), CLIENT.lo(), SERVER6.hi(), SERVER6.lo(), IpProtocol.TCP,
                20 + commands.length());
        put16(in, 40 + 16, Checksum.fold(pseudo6));
        Offload o = new Offload();
        o.partialChecksum = true;
        o.segmentSize = 4;
        assertEquals(Verdict.TRANSLATED, run(in, o, PacketBuffer.DEFAULT_CAPACITY));
        byte[] p = out.getFirst();
        assertEquals("PASV\r\nLIST\r\n", payload(p));
        assertEquals(p.length, u16(p, 2), "total length of the whole super-packet");
        assertEquals(C0, u32(p, 24) & 0xffff_ffffL);
        assertEquals(4, o.segmentSize);
        assertEquals(Checksum.fold(Checksum.ipv4Pseudo(T, SERVER, IpProtocol.TCP, p.length - 20)), u16(p, 36));
    }

    /** A port outside alg-ftp-ports is plain NAT64: the same bytes go through. */
    @Test
    void anotherPortIsLeftAlone() {
        run(tcp6(CLIENT2, 40000, SERVER6, 2121, C0 - 1, 0, TcpState.SYN, null, ""));
        run(tcp6(CLIENT2, 40000, SERVER6, 2121, C0, S0, PSH_ACK, null, "EPSV\r\n"));
        assertEquals("EPSV\r\n", payload(only()));
        assertEquals("", xlat.lastAlgExplain());
        assertEquals(1, table.ftpAlg().following());
    }

    /**
     * RFC 6384 §5.3: EPRT leaves as PORT naming T and a port whose BIB entry exists already, so
     * the server's data connection from port 20 reaches the client's port.
     */
    @Test
    void eprtLeavesAsPortAndTheServersDataConnectionGetsIn() {
        String eprt = "EPRT |2|2001:db8:6::2|40001|\r\n";
        run(tcp6(CLIENT, 40000, SERVER6, 21, C0, S0, PSH_ACK, null, eprt));
        String port = payload(only());
        assertTrue(port.startsWith("PORT 192,0,2,2,") && port.endsWith("\r\n"), port);
        String[] n = port.substring(5, port.length() - 2).split(",");
        int t = Integer.parseInt(n[4]) * 256 + Integer.parseInt(n[5]);

        assertEquals(Verdict.TRANSLATED, run(tcp4(SERVER, 20, T, t, 0x9000, 0, TcpState.SYN, null, "")));
        byte[] syn = only();
        assertEquals(CLIENT, addr6(syn, 24));
        assertEquals(40001, u16(syn, 42));
    }

    /** No room after the packet for what the ALG writes: dropped and named, nothing leaves. */
    @Test
    void noRoomToGrowIsACountedDrop() {
        run(tcp6(CLIENT, 40000, SERVER6, 21, C0, S0, PSH_ACK, null, "EPSV\r\n"));
        byte[] in = tcp4(SERVER, 21, T, 40000, S0, C0 + 6, PSH_ACK, null, "227 =198,51,100,2,19,137\r\n");
        // The 4→6 translation takes 20 bytes of headroom; the buffer ends where the IPv6 packet does.
        // "229 Entering Extended Passive Mode (|||5001|)" is longer than this terse 227.
        long before = counters.paths(Path.TCP_46);
        assertEquals(Verdict.DROPPED, run(in, new Offload(), PacketBuffer.HEADROOM + in.length));
        assertEquals(DropReason.FTP_ALG_NO_ROOM, xlat.trace().reason());
        assertEquals(0, out.size());
        assertEquals(1, counters.drops(DropReason.FTP_ALG_NO_ROOM));
        assertEquals(before, counters.paths(Path.TCP_46), "a withheld segment counts once, as a drop");
        // TCP sends it again; with room it goes through, rewritten.
        assertEquals(Verdict.TRANSLATED, run(in));
        assertTrue(payload(only()).startsWith("229 "));
        assertEquals(before + 1, counters.paths(Path.TCP_46));
    }

    /** The ALG forgets a control connection when its NAT64 session ends. */
    @Test
    void theControlConnectionIsForgottenWithItsSession() {
        table.endAll(() -> { });
        assertEquals(0, table.ftpAlg().following());
        assertEquals(0, table.ftpAlg().counters().sessions.sum());
    }

    /** RFC 6146 §3.8: a hairpinned session never leaves as IPv4, so there is nothing to rewrite. */
    @Test
    void aHairpinnedSessionIsNotFollowed() {
        table.addStatic(NatProtocol.TCP, CLIENT2.hi(), CLIENT2.lo(), 21, T, 21);
        assertEquals(Verdict.TRANSLATED, run(tcp6(CLIENT, 40002, T6, 21, C0 - 1, 0, TcpState.SYN, null, "")));
        assertEquals(1, table.ftpAlg().following(), "only the connection of the handshake");
    }

    /** Beyond the limit a control connection is not followed, and that is counted. */
    @Test
    void beyondTheLimitAConnectionPassesUntouched() {
        FtpAlg alg = new FtpAlg(table, PortSet.of(21), 1);
        assertNotNull(alg.start(CLIENT.hi(), CLIENT.lo(), 40000, SERVER, 21, T, () -> now));
        assertNull(alg.start(CLIENT.hi(), CLIENT.lo(), 40001, SERVER, 21, T, () -> now));
        assertEquals(1, alg.notFollowed());
        assertNotNull(alg.start(CLIENT.hi(), CLIENT.lo(), 40000, SERVER, 21, T, () -> now), "its own SYN again");
    }

    // ------------------------------------------------------------------ helpers

    private Verdict run(byte[] packet) {
        return run(packet, new Offload(), PacketBuffer.DEFAULT_CAPACITY);
    }

    private Verdict run(byte[] packet, Offload offload, int capacity) {
        out.clear();
        PacketBuffer b = new PacketBuffer(MemorySegment.ofArray(new byte[capacity]));
        b.load(packet);
        return xlat.translate(b, (seg, off, len) -> out.add(seg.asSlice(off, len).toArray(ValueLayout.JAVA_BYTE)),
                offload);
    }

    private byte[] only() {
        assertEquals(1, out.size(), "outputs");
        byte[] p = out.getFirst();
        assertValid(p);
        return p;
    }

    private static String payload(byte[] p) {
        int l4 = p[0] >> 4 == 4 ? (p[0] & 0xf) * 4 : 40;
        int doff = (p[l4 + 12] >> 4 & 0xf) * 4;
        return new String(Arrays.copyOfRange(p, l4 + doff, p.length), StandardCharsets.US_ASCII);
    }

    private static byte[] tcp6(Ipv6Address src, int sport, Ipv6Address dst, int dport, long seq, long ack,
            int flags, byte[] options, String payload) {
        return SamplePackets.ipv6(IpProtocol.TCP, segment(sport, dport, seq, ack, flags, options, payload), 16, src,
                dst);
    }

    private static byte[] tcp4(int src, int sport, int dst, int dport, long seq, long ack, int flags, byte[] options,
            String payload) {
        return SamplePackets.ipv4(IpProtocol.TCP, segment(sport, dport, seq, ack, flags, options, payload), 16, src,
                dst, true);
    }

    private static byte[] segment(int sport, int dport, long seq, long ack, int flags, byte[] options,
            String payload) {
        byte[] opts = options == null ? new byte[0] : options;
        byte[] data = payload.getBytes(StandardCharsets.US_ASCII);
        byte[] b = new byte[20 + opts.length + data.length];
        put16(b, 0, sport);
        put16(b, 2, dport);
        put32(b, 4, seq);
        put32(b, 8, ack);
        b[12] = (byte) ((20 + opts.length) / 4 << 4);
        b[13] = (byte) flags;
        put16(b, 14, 0xfaf0);
        System.arraycopy(opts, 0, b, 20, opts.length);
        System.arraycopy(data, 0, b, 20 + opts.length, data.length);
        return b;
    }

    private static void put16(byte[] b, int i, int v) {
        b[i] = (byte) (v >>> 8);
        b[i + 1] = (byte) v;
    }

    private static void put32(byte[] b, int i, long v) {
        put16(b, i, (int) (v >>> 16));
        put16(b, i + 2, (int) v);
    }
}
