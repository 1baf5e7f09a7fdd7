package dev.isthmus.dns64;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.wire.HexText;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link TcpMessageReader} on a loopback connection: RFC 1035 §4.2.2 framing, the idle timeout
 * between messages (RFC 7766 §6.2.3), and the deadline of a message begun, which bytes trickling
 * in do not move.
 */
class TcpMessageReaderTest {
    /** "a.test A IN" with its two-byte length prefix. */
    static final byte[] FRAMED_QUERY = HexText.hex("""
            0018 1234   # length 24 (RFC 1035 §4.2.2); ID 0x1234
            0100 0001   # flags: RD; QDCOUNT 1
            0000 0000   # ANCOUNT 0, NSCOUNT 0
            0000 0161   # ARCOUNT 0; QNAME: label "a"
            0474 6573   #   label "test"
            7400 0001   #   root; QTYPE A
            0001        # QCLASS IN
            """);
    private static final byte[] QUERY = Arrays.copyOfRange(FRAMED_QUERY, 2, FRAMED_QUERY.length);
    private static final Duration IDLE = Duration.ofMillis(1500);
    private static final Duration MESSAGE = Duration.ofMillis(400);

    private ServerSocket listener;
    private Socket client;
    private Socket server;
    private TcpMessageReader reader;

    @BeforeEach
    void connect() throws IOException {
        listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        client = new Socket();
        client.setTcpNoDelay(true); // each piece of trickle() in a segment of its own
        client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort()), 2000);
        server = listener.accept();
        reader = new TcpMessageReader(server, IDLE, MESSAGE);
    }

    @AfterEach
    void close() throws IOException {
        client.close();
        server.close();
        listener.close();
    }

    @Test
    void pipelinedMessagesAreReadOneByOneThenTheEndBetweenMessages() throws IOException {
        OutputStream out = client.getOutputStream();
        out.write(concat(FRAMED_QUERY, FRAMED_QUERY));
        client.shutdownOutput();
        assertArrayEquals(QUERY, reader.next());
        assertArrayEquals(QUERY, reader.next());
        assertNull(reader.next());
    }

    @Test
    void aMessageInPiecesWithinItsDeadlineIsReadWhole() throws Exception {
        // The length split from its second byte, then the message in two: 3 × 80 ms < 400 ms.
        trickle(new int[] {1, 10, FRAMED_QUERY.length - 11}, 80);
        assertArrayEquals(QUERY, reader.next());
    }

    @Test
    void aMessageTrickledInIsCutAtItsDeadline() throws IOException {
        // A byte every 50 ms: each read gets data long before a per-read timeout, and the whole
        // message would take 1.3 s; the deadline is 400 ms from the first byte.
        int[] bytes = new int[FRAMED_QUERY.length];
        Arrays.fill(bytes, 1);
        trickle(bytes, 50);
        long start = System.nanoTime();
        assertThrows(TcpMessageReader.MessageTimeoutException.class, reader::next);
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(millis >= 350 && millis < 900, "cut after " + millis + " ms, the deadline is 400 ms");
    }

    @Test
    void silenceBetweenMessagesIsTheIdleTimeoutNotTheMessageDeadline() throws IOException {
        client.getOutputStream().write(FRAMED_QUERY);
        assertArrayEquals(QUERY, reader.next());
        long start = System.nanoTime();
        assertThrows(SocketTimeoutException.class, reader::next);
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(millis >= 1400, "idle for " + millis + " ms, the idle timeout is 1500 ms");
    }

    @Test
    void theEndInsideAMessageIsAnError() throws IOException {
        client.getOutputStream().write(Arrays.copyOf(FRAMED_QUERY, 10));
        client.shutdownOutput();
        assertThrows(EOFException.class, reader::next);
    }

    /** Writes FRAMED_QUERY from another thread in pieces of the given sizes, {@code gapMillis} apart. */
    private void trickle(int[] sizes, long gapMillis) {
        Thread.startVirtualThread(() -> {
            try {
                OutputStream out = client.getOutputStream();
                int off = 0;
                for (int n : sizes) {
                    out.write(FRAMED_QUERY, off, n);
                    out.flush();
                    off += n;
                    Thread.sleep(gapMillis);
                }
            } catch (IOException | InterruptedException e) {
                // the reader gave up and the test closed the connection
            }
        });
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
