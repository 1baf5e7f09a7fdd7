package dev.isthmus.dns64;

import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.function.BooleanSupplier;

/**
 * One client's TCP connection (RFC 1035 §4.2.2: messages with a two-byte length prefix), with
 * the pipelining of RFC 7766 §6.2.1.1: the queries are read as they come and each is resolved at
 * once, and every answer is sent when it is ready — out of order, the client matches them by ID
 * (RFC 7766 §7) — so one slow question does not hold up the answers behind it.
 *
 * <p>Two threads: the connection's own (virtual) thread reads and starts each query; a writer
 * (virtual) thread takes the answers from a queue and writes them, so the thread that completes
 * a resolution (the upstream socket's receiver) never waits on a client's TCP window. At most
 * {@link #PIPELINE} queries of one connection are open at once; beyond that the connection is
 * not read, and TCP's flow control holds the client back.
 *
 * <p>It ends when the client closes, stays silent for the idle time (RFC 7766 §6.2.3) or takes
 * longer than the message timeout to send a message it has begun ({@link TcpMessageReader}),
 * once the answers still being resolved have been written; a query the handler drops (no answer
 * on TCP) closes the connection at once, as before pipelining.
 */
final class TcpConnection {
    private static final System.Logger LOG = System.getLogger("dev.isthmus.dns64");
    /** Queries of one connection open at once. */
    static final int PIPELINE = 64;
    /** How long the writer may take, after the reading has ended, to write the last answers. */
    private static final Duration DRAIN = Duration.ofSeconds(30);
    // Markers in the answer queue, told apart from answers (never empty) by identity.
    private static final byte[] END = new byte[0];
    private static final byte[] DROP = new byte[0];

    private final Socket socket;
    private final QueryHandler handler;
    private final BooleanSupplier serverClosed;
    private final TcpLimits limits;
    private final Semaphore window = new Semaphore(PIPELINE);
    private final LinkedBlockingQueue<byte[]> answers = new LinkedBlockingQueue<>();
    /** Queries read; written by the reader only, read by the writer after END (the queue orders the two). */
    private int submitted;

    /** @param limits where a message timeout is reported */
    TcpConnection(Socket socket, QueryHandler handler, BooleanSupplier serverClosed, TcpLimits limits) {
        this.socket = socket;
        this.handler = handler;
        this.serverClosed = serverClosed;
        this.limits = limits;
    }

    /** Serves the connection until it ends; the caller closes the socket after. */
    void serve(Duration idle, Duration messageTimeout) {
        Thread writer = Thread.ofVirtual().name("dns64-tcp-writer").start(this::writeLoop);
        try {
            readLoop(idle, messageTimeout);
        } finally {
            answers.add(END);
            try {
                if (!writer.join(DRAIN)) {
                    writer.interrupt();
                }
            } catch (InterruptedException e) {
                writer.interrupt();
                Thread.currentThread().interrupt();
            }
        }
    }

    private void readLoop(Duration idle, Duration messageTimeout) {
        try {
            TcpMessageReader in = new TcpMessageReader(socket, idle, messageTimeout);
            byte[] query;
            while (!serverClosed.getAsBoolean() && (query = in.next()) != null) {
                window.acquire();
                submitted++;
                QueryHandler.Step step = handler.begin(query, socket.getInetAddress(), true);
                if (step instanceof QueryHandler.Pending p) {
                    handler.finish(p).whenComplete((a, e) -> answers.add(a == null ? DROP : a));
                } else {
                    byte[] a = ((QueryHandler.Reply) step).bytes();
                    answers.add(a == null ? DROP : a);
                }
            }
        } catch (TcpMessageReader.MessageTimeoutException e) {
            limits.messageTimedOut(socket.getInetAddress(), messageTimeout.toMillis());
        } catch (EOFException | SocketTimeoutException e) {
            // the client is done, or idle too long
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            if (!serverClosed.getAsBoolean() && !(e instanceof SocketException)) {
                LOG.log(System.Logger.Level.DEBUG, "DNS64 TCP connection: " + e.getMessage());
            }
        }
    }

    private void writeLoop() {
        boolean readerDone = false;
        int written = 0;
        try {
            OutputStream out = new BufferedOutputStream(socket.getOutputStream());
            while (!readerDone || written < submitted) {
                byte[] a = answers.take();
                if (a == END) {
                    readerDone = true;
                    out.flush(); // an answer written just before it saw the END behind it and waited
                } else if (a == DROP) {
                    abort(); // a drop on TCP: close, the client will not get an answer here
                    return;
                } else {
                    out.write(a.length >>> 8);
                    out.write(a.length);
                    out.write(a);
                    written++;
                    window.release();
                    if (answers.isEmpty()) {
                        out.flush(); // answers that are ready together go in one segment
                    }
                }
            }
            out.flush();
        } catch (InterruptedException e) {
            abort();
        } catch (IOException e) {
            abort(); // the client is gone: nothing more to write, nothing more to read
        }
    }

    /** Ends the connection now: the reader's next read fails, and it is never held by the window. */
    private void abort() {
        window.release(PIPELINE);
        try {
            socket.close();
        } catch (IOException e) {
            // closing: nothing left to do with it
        }
    }
}
