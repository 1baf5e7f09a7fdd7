package dev.isthmus.alg.smtp;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A socket's output with a bound on each send (RFC 5321 §4.5.3.2.5, "Data Block": 3 minutes for
 * each TCP SEND call). A blocking socket write has no timeout of its own, and a server that stops
 * reading would hold the delivery thread (and a place of its destination's concurrency) forever;
 * so each write arms a timer that closes the socket, which makes the write fail with an
 * {@link IOException}, and disarms it when the write returns.
 */
final class WriteDeadline extends FilterOutputStream {
    private final Socket socket;
    private final Duration limit;
    private final ScheduledExecutorService timer;

    WriteDeadline(Socket socket, OutputStream out, Duration limit, ScheduledExecutorService timer) {
        super(out);
        this.socket = socket;
        this.limit = limit;
        this.timer = timer;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        ScheduledFuture<?> deadline;
        try {
            deadline = timer.schedule(this::expire, limit.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            throw new IOException("delivery is stopping");
        }
        try {
            out.write(b, off, len);
        } finally {
            deadline.cancel(false);
        }
    }

    private void expire() {
        try {
            socket.close();
        } catch (IOException e) {
            // the write fails either way
        }
    }
}
