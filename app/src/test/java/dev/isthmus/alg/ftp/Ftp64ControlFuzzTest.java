package dev.isthmus.alg.ftp;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/**
 * One control connection fed any run of segments, either direction, any sequence numbers and
 * flags, payloads of fuzzer bytes or of FTP-looking text: never an exception, and every answer
 * is a well-formed rewrite (a payload within its buffer, 32-bit sequence numbers).
 */
class Ftp64ControlFuzzTest {
    private static final String[] WORDS = {"EPSV", "EPSV ALL", "EPSV 1", "EPRT |2|2001:db8::5|40000|", "EPRT |1|1.2.3.4|5|",
        "EPRT |2|", "PORT 1,2,3,4,5,6", "PASV", "LPRT", "LPSV", "ALGS STATUS64", "ALGS ENABLE64", "ALGS DISABLE64",
        "ALGS", "AUTH TLS", "USER a", "220 hi", "227 (203,0,113,9,1,2)", "227-x", "227 ok", "200 ok", "200-", "234 go",
        "150 go", "421 bye", "\u00ff\u00fb\u0001", "\u00ff\u00fd", "\u00ff", "\r\n", "\r\n", "\n", " "};

    @FuzzTest(maxDuration = "30s")
    void segmentRunsNeverThrow(FuzzedDataProvider data) {
        FtpAlgCounters counters = new FtpAlgCounters();
        boolean failMapper = data.consumeBoolean();
        Ftp64Control alg = new Ftp64Control(AlgHarness.CLIENT_HI, AlgHarness.CLIENT_LO, AlgHarness.SERVER,
                AlgHarness.POOL4, (hi, lo, port, server) -> failMapper ? -1 : (long) AlgHarness.POOL4 << 16 | port,
                counters);
        SegmentRewrite out = new SegmentRewrite();
        long[] next = {data.consumeLong(0, 0xffffffffL), data.consumeLong(0, 0xffffffffL)};
        int segments = data.consumeInt(1, 40);
        for (int i = 0; i < segments && data.remainingBytes() > 0; i++) {
            boolean client = data.consumeBoolean();
            int dir = client ? 0 : 1;
            byte[] payload = data.consumeBoolean() ? data.consumeBytes(data.consumeInt(0, 300)) : text(data);
            long seq = switch (data.consumeInt(0, 3)) {
                case 0 -> next[dir];
                case 1 -> next[dir] - data.consumeInt(0, 400) & 0xffffffffL;
                case 2 -> next[dir] + data.consumeInt(0, 400) & 0xffffffffL;
                default -> data.consumeLong(0, 0xffffffffL);
            };
            int flags = data.consumeInt(0, 0x3f);
            long ack = data.consumeLong(0, 0xffffffffL);
            MemorySegment seg = MemorySegment.ofArray(payload);
            if (client) {
                alg.fromClient(seq, ack, flags, seg, 0, payload.length, out);
            } else {
                alg.fromServer(seq, ack, flags, seg, 0, payload.length, out);
            }
            assertTrue(out.seq >= 0 && out.seq <= 0xffffffffL);
            assertTrue(out.ack >= 0 && out.ack <= 0xffffffffL);
            assertTrue(!out.payloadChanged || out.payloadLength <= out.payload.length);
            if (seq == next[dir]) {
                next[dir] = seq + payload.length & 0xffffffffL;
            }
            long edge = alg.mapAck(client, data.consumeLong(0, 0xffffffffL));
            assertTrue(edge >= 0 && edge <= 0xffffffffL);
            alg.lastExplain();
        }
    }

    private static byte[] text(FuzzedDataProvider data) {
        StringBuilder sb = new StringBuilder();
        int n = data.consumeInt(0, 12);
        for (int i = 0; i < n; i++) {
            sb.append(data.pickValue(WORDS));
        }
        return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }
}
