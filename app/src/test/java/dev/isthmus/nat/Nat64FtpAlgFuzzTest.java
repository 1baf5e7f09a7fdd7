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
import dev.isthmus.xlat.Offload;
import dev.isthmus.xlat.SamplePackets;
import dev.isthmus.xlat.Verdict;
import dev.isthmus.xlat.XlatCounters;
import dev.isthmus.xlat.XlatSettings;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The NAT64's FTP ALG with any control stream: a connection to port 21, then a run of segments
 * both ways with fuzzer-chosen sequence and acknowledgement numbers, flags, TCP options (SACK
 * blocks among them), payloads (FTP commands and replies among them), a partial checksum or not,
 * and a buffer with or without room after the packet. Never an exception; a drop always has a
 * reason and is counted; every output has consistent IP lengths, a valid IPv4 header checksum
 * and, unless partial, a valid TCP checksum; the table's invariants hold at the end.
 */
class Nat64FtpAlgFuzzTest {
    private static final Ipv6Address CLIENT = Ipv6Address.parse("2001:db8:6::2");
    private static final Ipv6Address SERVER6 = Ipv6Address.parse("2001:db8:64::c633:6402");
    private static final int T = Ipv4Address.parse("192.0.2.2");
    private static final int SERVER = Ipv4Address.parse("198.51.100.2");
    private static final String[] LINES = {"EPSV\r\n", "EPSV ALL\r\n", "EPRT |2|2001:db8:6::2|40001|\r\n",
        "EPRT |1|192.0.2.9|40001|\r\n", "PASV\r\n", "PORT 10,0,0,1,1,2\r\n", "LPRT 6,16,0\r\n", "ALGS STATUS64\r\n",
        "AUTH TLS\r\n", "227 Entering Passive Mode (198,51,100,2,19,137).\r\n", "229 (|||5001|)\r\n",
        "200 ok\r\n", "234 go\r\n", "150-\r\n", "\377\373\001", "220 ready\r\n", "RETR f\r\n"};

    @FuzzTest(maxDuration = "30s")
    void controlStreamsNeverThrow(FuzzedDataProvider data) {
        Nat64Table table = new Nat64Table(Nat64Settings.builder(Pool4.of("192.0.2.2/32")).build(), null);
        XlatSettings xs = new XlatSettings(Rfc6052Prefix.parse("2001:db8:64::/96"), new EamTable(List.of()),
                Ipv4Pool.empty(), null, -1, -1, true, 1280, null, 1500, 1500, Ipv4Address.parse("192.0.2.1"),
                Ipv6Address.parse("2001:db8:64::c000:201"), XlatSettings.HairpinMode.OFF, true, 0);
        XlatCounters counters = new XlatCounters();
        long[] now = {1_000_000_000L};
        Nat64Translator t = new Nat64Translator(table, xs, counters, () -> now[0]);
        run(t, counters, tcp(true, 0x1000, 0, TcpState.SYN, new byte[0], new byte[0]), false, true);
        run(t, counters, tcp(false, 0x5000, 0x1001, TcpState.SYN | 0x10, new byte[0], new byte[0]), false, true);
        long c = 0x1001;
        long s = 0x5001;
        int packets = data.consumeInt(1, 16);
        for (int i = 0; i < packets && data.remainingBytes() > 0; i++) {
            boolean fromClient = data.consumeBoolean();
            byte[] payload = data.consumeBoolean() ? data.pickValue(LINES).getBytes(StandardCharsets.ISO_8859_1)
                    : data.consumeBytes(data.consumeInt(0, 300));
            byte[] options = data.consumeBoolean() ? sack(data) : data.consumeBytes(data.consumeInt(0, 3) * 4);
            long seq = data.consumeBoolean() ? (fromClient ? c : s) : data.consumeLong(0, 0xffff_ffffL);
            long ack = data.consumeBoolean() ? (fromClient ? s : c) : data.consumeLong(0, 0xffff_ffffL);
            int flags = data.consumeBoolean() ? 0x18 : data.consumeInt(0, 255);
            if (seq == (fromClient ? c : s)) {
                if (fromClient) {
                    c += payload.length;
                } else {
                    s += payload.length;
                }
            }
            run(t, counters, tcp(fromClient, seq, ack, flags, options, payload), data.consumeBoolean(),
                    data.consumeBoolean());
            now[0] += data.consumeLong(0, 10_000_000_000L);
        }
        // Past TCP_EST (an established session goes to TRANS) and then past TCP_TRANS.
        table.expire(now[0] + 3 * 3_600_000_000_000L, 1 << 16);
        table.expire(now[0] + 3 * 3_600_000_000_000L + 300_000_000_000L, 1 << 16);
        table.checkInvariants();
        assertEquals(0, table.ftpAlg().following(), "every control connection forgotten with its session");
        assertEquals(0, table.ftpAlg().counters().sessions.sum());
    }

    private static void run(Nat64Translator t, XlatCounters counters, byte[] in, boolean partial, boolean room) {
        PacketBuffer b = new PacketBuffer(MemorySegment.ofArray(new byte[PacketBuffer.HEADROOM + in.length
                + (room ? 2048 : 0)]));
        b.load(in);
        Offload o = new Offload();
        if (partial) {
            // As a device hands it over: the pseudo-header sum only.
            int l4 = in[0] >> 4 == 6 ? 40 : 20;
            long pseudo = in[0] >> 4 == 6
                    ? Checksum.ipv6Pseudo(CLIENT.hi(), CLIENT.lo(), SERVER6.hi(), SERVER6.lo(), IpProtocol.TCP,
                            in.length - l4)
                    : Checksum.ipv4Pseudo(SERVER, T, IpProtocol.TCP, in.length - l4);
            b.segment().set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN),
                    PacketBuffer.HEADROOM + l4 + 16, (short) Checksum.fold(pseudo));
            o.partialChecksum = true;
        }
        long dropsBefore = counters.totalDrops();
        Verdict v = t.translate(b, (MemorySegment s, int off, int len) -> {
            byte[] out = s.asSlice(off, len).toArray(ValueLayout.JAVA_BYTE);
            MemorySegment m = MemorySegment.ofArray(out);
            int l4;
            long pseudo;
            if ((out[0] & 0xf0) == 0x60) {
                assertEquals(len - 40, Nat64TranslatorTest.u16(out, 4), "IPv6 payload length");
                l4 = 40;
                Ipv6Address src = Nat64TranslatorTest.addr6(out, 8);
                Ipv6Address dst = Nat64TranslatorTest.addr6(out, 24);
                pseudo = Checksum.ipv6Pseudo(src.hi(), src.lo(), dst.hi(), dst.lo(), out[6], len - 40);
            } else {
                l4 = (out[0] & 0xf) * 4;
                assertEquals(len, Nat64TranslatorTest.u16(out, 2), "IPv4 total length");
                assertTrue(Checksum.verifies(Checksum.add(m, 0, l4, 0)), "IPv4 header checksum");
                pseudo = Checksum.ipv4Pseudo(Nat64TranslatorTest.u32(out, 12), Nat64TranslatorTest.u32(out, 16),
                        out[9], len - l4);
            }
            if (!partial && (out[l4 == 40 ? 6 : 9] == IpProtocol.TCP)) {
                assertTrue(Checksum.verifies(Checksum.add(m, l4, len - l4, pseudo)), "TCP checksum");
            }
        }, o);
        assertNotNull(v);
        if (v != Verdict.TRANSLATED) {
            assertNotEquals(DropReason.NONE, t.trace().reason());
            assertEquals(dropsBefore + 1, counters.totalDrops());
        }
    }

    private static byte[] sack(FuzzedDataProvider data) {
        int blocks = data.consumeInt(1, 3);
        byte[] b = new byte[4 + 8 * blocks];
        b[0] = 1;
        b[1] = 1;
        b[2] = 5;
        b[3] = (byte) (2 + 8 * blocks);
        for (int i = 4; i < b.length; i++) {
            b[i] = data.consumeByte();
        }
        return b;
    }

    private static byte[] tcp(boolean fromClient, long seq, long ack, int flags, byte[] options, byte[] payload) {
        int optLen = options.length & ~3;
        byte[] b = new byte[20 + optLen + payload.length];
        put16(b, 0, fromClient ? 40000 : 21);
        put16(b, 2, fromClient ? 21 : 40000);
        put16(b, 4, (int) (seq >>> 16));
        put16(b, 6, (int) seq);
        put16(b, 8, (int) (ack >>> 16));
        put16(b, 10, (int) ack);
        b[12] = (byte) ((20 + optLen) / 4 << 4);
        b[13] = (byte) flags;
        put16(b, 14, 0xfaf0);
        System.arraycopy(options, 0, b, 20, optLen);
        System.arraycopy(payload, 0, b, 20 + optLen, payload.length);
        return fromClient ? SamplePackets.ipv6(IpProtocol.TCP, b, 16, CLIENT, SERVER6)
                : SamplePackets.ipv4(IpProtocol.TCP, b, 16, SERVER, T, true);
    }

    private static void put16(byte[] b, int i, int v) {
        b[i] = (byte) (v >>> 8);
        b[i + 1] = (byte) v;
    }
}
