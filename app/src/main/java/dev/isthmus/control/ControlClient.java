package dev.isthmus.control;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;

/** The other end of the {@link ControlServer}: sends one request line, returns the answer. */
public final class ControlClient {
    /** How long {@link #request(Path, String)} waits for the whole answer. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    /** A larger answer is not one of ours. */
    static final int MAX_ANSWER_BYTES = 64 << 20;

    private ControlClient() {}

    /**
     * What the server answered.
     *
     * @param ok whether the status line was {@code ok}
     * @param text the body after {@code ok}, or the message after {@code error: }
     */
    public record Reply(boolean ok, String text) {}

    /** Nothing listens on the control socket: isthmus is not running (or runs with another socket). */
    public static final class NotRunningException extends IOException {
        private static final long serialVersionUID = 1L;

        NotRunningException(String message) {
            super(message);
        }
    }

    /** The socket exists but this user may not connect (it is root-only, mode 0600). */
    public static final class PermissionException extends IOException {
        private static final long serialVersionUID = 1L;

        PermissionException(String message) {
            super(message);
        }
    }

    /**
     * Sends {@code line} (a {@link Request} line, without LF) and reads the answer.
     *
     * @throws NotRunningException when no server answers on {@code socket}
     * @throws PermissionException when the socket is not ours to connect to
     * @throws IOException when the exchange fails or times out, or the answer is not one of ours
     */
    public static Reply request(Path socket, String line) throws IOException {
        return request(socket, line, DEFAULT_TIMEOUT);
    }

    static Reply request(Path socket, String line, Duration timeout) throws IOException {
        if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            throw new NotRunningException("isthmus is not running (no control socket at " + socket + ")");
        }
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try (ch; Deadline deadline = Deadline.after(timeout, ch)) {
            try {
                ch.connect(UnixDomainSocketAddress.of(socket));
            } catch (IOException e) {
                if (!Files.isWritable(socket)) {
                    throw new PermissionException("permission denied on control socket " + socket
                            + " (it is root-only: run as root)");
                }
                throw new NotRunningException("isthmus is not running (nothing answers on control socket " + socket
                        + ": " + ControlServer.describe(e) + ")");
            }
            byte[] answer;
            try {
                ByteBuffer out = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
                while (out.hasRemaining()) {
                    ch.write(out);
                }
                ch.shutdownOutput();
                answer = readAll(ch);
            } catch (IOException e) {
                if (deadline.expired()) {
                    throw new IOException("control socket " + socket + " gave no complete answer within "
                            + timeout.toMillis() + " ms", e);
                }
                throw new IOException("control socket " + socket + ": " + ControlServer.describe(e), e);
            }
            return parseReply(new String(answer, StandardCharsets.UTF_8));
        }
    }

    /** Splits an answer into its status line and body. */
    static Reply parseReply(String answer) throws IOException {
        int nl = answer.indexOf('\n');
        String status = nl < 0 ? answer : answer.substring(0, nl);
        String rest = nl < 0 ? "" : answer.substring(nl + 1);
        if (status.equals("ok")) {
            return new Reply(true, rest);
        }
        if (status.startsWith("error: ")) {
            return new Reply(false, status.substring("error: ".length()));
        }
        String shown = status.strip().replaceAll("[^\\x20-\\x7e]", "?");
        shown = shown.length() > 80 ? shown.substring(0, 80) + "..." : shown;
        throw new IOException("unexpected answer from the control socket: \"" + shown + "\"");
    }

    private static byte[] readAll(SocketChannel ch) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream(4096);
        ByteBuffer buf = ByteBuffer.allocate(16384);
        while (ch.read(buf) >= 0) {
            all.write(buf.array(), 0, buf.position());
            buf.clear();
            if (all.size() > MAX_ANSWER_BYTES) {
                throw new IOException("answer longer than " + MAX_ANSWER_BYTES + " bytes");
            }
        }
        all.write(buf.array(), 0, buf.position());
        return all.toByteArray();
    }
}
