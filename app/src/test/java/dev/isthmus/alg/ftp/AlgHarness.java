package dev.isthmus.alg.ftp;

import dev.isthmus.wire.TcpView;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One control connection through an {@link Ftp64Control}, driven segment by segment: client X'
 * 2001:db8::5, server Z 203.0.113.9, pool4 T 192.0.2.1; the mapper gives T:40000 (or fails).
 * Collects what each side receives, in output sequence order, as TCP would deliver it.
 */
final class AlgHarness {
    static final long CLIENT_HI = 0x20010db800000000L;
    static final long CLIENT_LO = 5;
    static final int SERVER = 0xcb007109; // 203.0.113.9
    static final int POOL4 = 0xc0000201; // 192.0.2.1
    static final int ACK = TcpView.ACK;

    final FtpAlgCounters counters = new FtpAlgCounters();
    final List<String> mapped = new ArrayList<>();
    boolean mapperFails;
    int mapperAddress = POOL4;
    final Ftp64Control alg = new Ftp64Control(CLIENT_HI, CLIENT_LO, SERVER, POOL4, (hi, lo, port, server) -> {
        mapped.add(port + "");
        return mapperFails ? -1 : (long) mapperAddress << 16 | 40000;
    }, counters);
    final SegmentRewrite out = new SegmentRewrite();

    /** What the server got (client → server), and what the client got. */
    final Receiver atServer = new Receiver();
    final Receiver atClient = new Receiver();

    SegmentRewrite fromClient(long seq, long ack, int flags, String data) {
        byte[] b = data.getBytes(StandardCharsets.ISO_8859_1);
        alg.fromClient(seq, ack, flags, MemorySegment.ofArray(b), 0, b.length, out);
        atServer.receive(out, b, flags);
        return out;
    }

    SegmentRewrite fromServer(long seq, long ack, int flags, String data) {
        byte[] b = data.getBytes(StandardCharsets.ISO_8859_1);
        alg.fromServer(seq, ack, flags, MemorySegment.ofArray(b), 0, b.length, out);
        atClient.receive(out, b, flags);
        return out;
    }

    static String payload(SegmentRewrite out, String original) {
        return out.payloadChanged ? new String(out.payload, 0, out.payloadLength, StandardCharsets.ISO_8859_1)
                : original;
    }

    /**
     * A TCP receiver: keeps in-order bytes from its first segment's sequence number on, fails on
     * a gap, and checks that bytes it receives again (retransmissions) are the bytes it has.
     */
    static final class Receiver {
        private final ByteArrayOutputStream stream = new ByteArrayOutputStream();
        private boolean started;
        private long base;
        private long next;

        void receive(SegmentRewrite out, byte[] in, int flags) {
            if (out.drop) {
                return;
            }
            byte[] p = out.payloadChanged ? java.util.Arrays.copyOf(out.payload, out.payloadLength) : in;
            long seq = out.seq + ((flags & TcpView.SYN) != 0 ? 1 : 0);
            if (!started) {
                started = true;
                base = seq;
                next = seq;
            }
            long skip = (next - seq) & 0xffffffffL;
            if (skip > 0x7fffffffL) {
                throw new AssertionError("gap in the output stream: expected " + next + ", got " + seq);
            }
            byte[] have = stream.toByteArray();
            long at = (seq - base) & 0xffffffffL;
            for (int i = 0; i < Math.min(skip, p.length); i++) {
                if (at + i < have.length && have[(int) (at + i)] != p[i]) {
                    throw new AssertionError("a retransmission differs at output " + (seq + i) + ": "
                            + stream.toString(StandardCharsets.ISO_8859_1));
                }
            }
            if (skip < p.length) {
                stream.write(p, (int) skip, p.length - (int) skip);
                next = (seq + p.length) & 0xffffffffL;
            }
            if ((flags & TcpView.FIN) != 0 && skip <= p.length) {
                next = (next + 1) & 0xffffffffL;
            }
        }

        long next() {
            return next;
        }

        String text() {
            return stream.toString(StandardCharsets.ISO_8859_1);
        }
    }
}
