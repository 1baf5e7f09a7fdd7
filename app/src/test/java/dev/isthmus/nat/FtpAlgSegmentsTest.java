package dev.isthmus.nat;

import static dev.isthmus.wire.HexText.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.isthmus.alg.ftp.SegmentRewrite;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The packet surgery of the NAT64's FTP ALG ({@link FtpAlgSegments#apply}) on literal segments,
 * the ALG's answer given: RFC 6384 §6's sequence and acknowledgement numbers, RFC 2018 §3's SACK
 * edges, payloads that shrink and grow, the IP length fields and every checksum. Client
 * 2001:db8:6::2 port 40000 (T 192.0.2.2 port 40000), server 198.51.100.2 port 21
 * (2001:db8:64::c633:6402). Expected checksums computed apart, by the RFC 1071 sum.
 */
class FtpAlgSegmentsTest {
    private static final FtpAlgSegments.EdgeMap PLUS_3 = edge -> edge + 3;

    /** RFC 6384 §5.1: the client's EPSV leaves as PASV, same length; the ack mapped back. */
    @Test
    void epsvBecomesPasvAtTheSameLength() {
        byte[] out = apply(false, """
                45 00 00 2e   # IPv4, total length 46
                00 00 40 00   # DF
                3f 06 4f 92   # TTL 63, TCP, header checksum
                c0 00 02 02   # source 192.0.2.2 (T)
                c6 33 64 02   # destination 198.51.100.2
                9c 40 00 15   # ports 40000 -> 21
                00 00 10 00   # seq 0x1000
                00 00 20 00   # ack 0x2000
                50 18 fa f0   # data offset 5, PSH ACK, window
                56 97 00 00   # checksum, urgent
                45 50 53 56   # "EPSV\\r\\n"
                0d 0a
                """, 0x1000, 0x1ff0, "PASV\r\n", PLUS_3, false);
        assertArrayEquals(hex("""
                45 00 00 2e
                00 00 40 00
                3f 06 4f 92   # length unchanged: header checksum too
                c0 00 02 02
                c6 33 64 02
                9c 40 00 15
                00 00 10 00
                00 00 1f f0   # ack as the ALG mapped it
                50 18 fa f0
                4b b6 00 00   # TCP checksum computed anew
                50 41 53 56   # "PASV\\r\\n"
                0d 0a
                """), out);
    }

    /** RFC 6384 §5.3: EPRT → PORT shrinks the segment: Total Length and both checksums follow. */
    @Test
    void eprtBecomesPortAndTheIpv4PacketShrinks() {
        byte[] out = apply(false, """
                45 00 00 46   # IPv4, total length 70
                00 00 40 00
                3f 06 4f 7a
                c0 00 02 02
                c6 33 64 02
                9c 40 00 15
                00 00 10 06   # seq 0x1006
                00 00 50 00   # ack 0x5000
                50 18 fa f0
                98 bb 00 00
                45 50 52 54   # "EPRT |2|2001:db8:6::2|40001|\\r\\n"
                20 7c 32 7c
                32 30 30 31
                3a 64 62 38
                3a 36 3a 3a
                32 7c 34 30
                30 30 31 7c
                0d 0a
                """, 0x1006, 0x5000, "PORT 192,0,2,2,156,65\r\n", PLUS_3, false);
        assertArrayEquals(hex("""
                45 00 00 3f   # total length 63
                00 00 40 00
                3f 06 4f 81   # header checksum for the new length
                c0 00 02 02
                c6 33 64 02
                9c 40 00 15
                00 00 10 06
                00 00 50 00
                50 18 fa f0
                7e ea 00 00
                50 4f 52 54   # "PORT 192,0,2,2,156,65\\r\\n"
                20 31 39 32
                2c 30 2c 32
                2c 32 2c 31
                35 36 2c 36
                35 0d 0a
                """), out);
    }

    /** RFC 6384 §5.1: the server's 227 comes back as 229; the IPv6 Payload Length follows. */
    @Test
    void reply227Becomes229InTheIpv6Packet() {
        byte[] out = apply(true, IPV6_227 + "86 60 00 00\n" + TEXT_227, 0x5000, 0x1006,
                "229 Entering Extended Passive Mode (|||5001|)\r\n", PLUS_3, false);
        assertArrayEquals(hex(IPV6_229_HEADER + "73 c4 00 00   # checksum computed anew\n" + TEXT_229), out);
    }

    /**
     * A partial checksum (CHECKSUM_PARTIAL from the device) stays partial: the pseudo-header sum
     * for the new TCP length, uncomplemented; the device sums the segment.
     */
    @Test
    void aPartialChecksumIsThePseudoHeaderSumForTheNewLength() {
        byte[] out = apply(true, IPV6_227 + "86 60 00 00   # partial: pseudo-header sum for 90 bytes\n" + TEXT_227,
                0x5000, 0x1006, "229 Entering Extended Passive Mode (|||5001|)\r\n", PLUS_3, true);
        assertArrayEquals(hex(IPV6_229_HEADER + "86 5d 00 00   # partial: pseudo-header sum for 87 bytes\n"
                + TEXT_229), out);
    }

    /** RFC 2018 §3: SACK edges acknowledge like the ack field, so they are mapped the same way. */
    @Test
    void sackEdgesAreMapped() {
        byte[] out = apply(false, """
                45 00 00 34
                00 00 40 00
                3f 06 4f 8c
                c0 00 02 02
                c6 33 64 02
                9c 40 00 15
                00 00 10 06
                00 00 50 00   # ack 0x5000
                80 10 fa f0   # data offset 8, ACK
                56 28 00 00
                01 01 05 0a   # NOP, NOP, SACK length 10
                00 00 20 00   # left edge 0x2000
                00 00 20 10   # right edge 0x2010
                """, 0x1006, 0x5003, null, PLUS_3, false);
        assertArrayEquals(hex("""
                45 00 00 34
                00 00 40 00
                3f 06 4f 8c
                c0 00 02 02
                c6 33 64 02
                9c 40 00 15
                00 00 10 06
                00 00 50 03   # ack mapped
                80 10 fa f0
                56 1f 00 00
                01 01 05 0a
                00 00 20 03   # left edge mapped
                00 00 20 13   # right edge mapped
                """), out);
    }

    /** No room after the packet for the longer payload: refused, the packet as it was. */
    @Test
    void noRoomToGrowLeavesThePacketAlone() {
        byte[] in = hex(IPV6_227 + "86 60 00 00\n" + TEXT_227);
        byte[] buffer = in.clone(); // exactly the packet: nothing after it
        SegmentRewrite rw = rewrite(0x5000, 0x1006, "229 Entering Extended Passive Mode (|||65535|)  \r\n\r\n");
        int n = FtpAlgSegments.apply(MemorySegment.ofArray(buffer), 0, in.length, 40, true, rw, PLUS_3, false);
        assertEquals(-1, n);
        assertArrayEquals(in, buffer);
    }

    private static final String IPV6_227 = """
            60 00 00 00   # IPv6
            00 46 06 3f   # payload length 70, TCP, hop limit 63
            20 01 0d b8   # source 2001:db8:64::c633:6402 (Pref64::Z)
            00 64 00 00
            00 00 00 00
            c6 33 64 02
            20 01 0d b8   # destination 2001:db8:6::2 (X')
            00 06 00 00
            00 00 00 00
            00 00 00 02
            00 15 9c 40   # ports 21 -> 40000
            00 00 50 00   # seq 0x5000
            00 00 10 06   # ack 0x1006
            50 18 fa f0   # data offset 5, PSH ACK, window
            """;
    private static final String TEXT_227 = """
            32 32 37 20   # "227 Entering Passive Mode (198,51,100,2,19,137).\\r\\n"
            45 6e 74 65
            72 69 6e 67
            20 50 61 73
            73 69 76 65
            20 4d 6f 64
            65 20 28 31
            39 38 2c 35
            31 2c 31 30
            30 2c 32 2c
            31 39 2c 31
            33 37 29 2e
            0d 0a
            """;
    private static final String IPV6_229_HEADER = IPV6_227.replace("00 46 06 3f   # payload length 70",
            "00 43 06 3f   # payload length 67");
    private static final String TEXT_229 = """
            32 32 39 20   # "229 Entering Extended Passive Mode (|||5001|)\\r\\n"
            45 6e 74 65
            72 69 6e 67
            20 45 78 74
            65 6e 64 65
            64 20 50 61
            73 73 69 76
            65 20 4d 6f
            64 65 20 28
            7c 7c 7c 35
            30 30 31 7c
            29 0d 0a
            """;

    /**
     * Applies the rewrite to {@code packet} in a buffer with room after it, returns the packet as
     * it leaves.
     */
    private static byte[] apply(boolean v6, String packet, long seq, long ack, String payload,
            FtpAlgSegments.EdgeMap edges, boolean partial) {
        byte[] in = hex(packet);
        MemorySegment s = MemorySegment.ofArray(Arrays.copyOf(in, in.length + 256));
        int tcp = v6 ? 40 : (in[0] & 0xf) * 4;
        int n = FtpAlgSegments.apply(s, 0, in.length, tcp, v6, rewrite(seq, ack, payload), edges, partial);
        return s.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
    }

    private static SegmentRewrite rewrite(long seq, long ack, String payload) {
        SegmentRewrite rw = new SegmentRewrite();
        rw.seq = seq;
        rw.ack = ack;
        if (payload != null) {
            byte[] b = payload.getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(b, 0, rw.ensure(b.length), 0, b.length);
            rw.payloadLength = b.length;
            rw.payloadChanged = true;
        }
        return rw;
    }
}
