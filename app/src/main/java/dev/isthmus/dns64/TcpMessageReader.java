package dev.isthmus.dns64;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * Reads the messages of one DNS-over-TCP connection (RFC 1035 §4.2.2: a two-byte length, then
 * the message) against two clocks. Between messages the idle timeout runs (RFC 7766 §6.2.3).
 * From the first byte of a message, the length and the whole message must arrive by one
 * deadline, which the bytes arriving do not move: with a timeout per read alone, a client that
 * sends a byte now and then would hold the connection, and its slot, for as long as it likes
 * (RFC 7766 §10 asks servers to defend against such slow clients).
 */
final class TcpMessageReader {
    /** The message begun did not arrive whole by its deadline. */
    static final class MessageTimeoutException extends IOException {
        MessageTimeoutException() {
            super("a message was not whole by its deadline");
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final int idleMillis;
    private final long messageNanos;

    TcpMessageReader(Socket socket, Duration idle, Duration messageTimeout) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.idleMillis = atLeastOneMilli(idle.toNanos());
        this.messageNanos = messageTimeout.toNanos();
    }

    /**
     * The next message, or null when the client closed its side between messages.
     *
     * @throws SocketTimeoutException no message began within the idle timeout
     * @throws MessageTimeoutException a message began and was not whole by its deadline
     * @throws EOFException the client closed its side inside a message
     */
    byte[] next() throws IOException {
        socket.setSoTimeout(idleMillis);
        int high = in.read();
        if (high < 0) {
            return null;
        }
        long deadline = System.nanoTime() + messageNanos;
        byte[] low = new byte[1];
        readFully(low, deadline);
        byte[] message = new byte[high << 8 | low[0] & 0xff];
        readFully(message, deadline);
        return message;
    }

    /** Fills {@code b}, each read waiting only for what is left of the time to {@code deadline}. */
    private void readFully(byte[] b, long deadline) throws IOException {
        int off = 0;
        while (off < b.length) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new MessageTimeoutException();
            }
            socket.setSoTimeout(atLeastOneMilli(left));
            int n;
            try {
                n = in.read(b, off, b.length - off);
            } catch (SocketTimeoutException e) {
                throw new MessageTimeoutException();
            }
            if (n < 0) {
                throw new EOFException("the connection ended inside a message");
            }
            off += n;
        }
    }

    /** A socket timeout of 0 would wait for ever: round up to whole milliseconds, at least 1. */
    private static int atLeastOneMilli(long nanos) {
        return (int) Math.clamp((nanos + 999_999) / 1_000_000, 1, Integer.MAX_VALUE);
    }
}
