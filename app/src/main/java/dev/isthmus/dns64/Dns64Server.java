package dev.isthmus.dns64;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;

/**
 * The DNS64 service on its listen addresses, UDP and TCP on each (RFC 7766 §5: TCP is not
 * optional). One platform thread per socket receives or accepts and answers what the cache can
 * (UDP a batch of datagrams at a time, {@link BatchUdpSocket});
 * a UDP query that needs the upstream continues on the thread that receives the upstream's answer
 * ({@link PooledUpstream}), at most {@code max-inflight} of them at once; each TCP connection has
 * a virtual thread, at most {@code tcp-connections} and {@code tcp-max-per-client} from one
 * client address, none for a client outside {@code allow} ({@link TcpLimits}), and its queries
 * are answered as they are ready, out of order (RFC 7766 §6.2.1.1). Beyond those limits queries
 * are dropped and connections closed, each counted. Nothing a client sends can end a loop:
 * {@link QueryHandler} turns every failure into an answer or a counted drop.
 */
public final class Dns64Server implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.isthmus.dns64");
    /** How long a UDP receive waits before the loop looks at {@link #closed} again (a backstop for the shutdown wake-up). */
    private static final int RECEIVE_TIMEOUT_MILLIS = 500;

    private final Dns64Settings settings;
    private final Dns64Counters counters;
    private final QueryHandler handler;
    private final Semaphore inflight;
    private final TcpLimits tcpLimits;
    private final List<BatchUdpSocket> udp = new ArrayList<>();
    private final List<ServerSocket> tcp = new ArrayList<>();
    private final List<Thread> loops = new ArrayList<>();
    private volatile boolean closed;

    private final PooledUpstream upstream;

    private Dns64Server(Dns64Settings settings, Dns64Counters counters, PooledUpstream upstream) {
        this.settings = settings;
        this.counters = counters;
        this.upstream = upstream;
        this.handler = QueryHandler.create(settings, upstream, counters);
        this.inflight = new Semaphore(settings.maxInflight());
        this.tcpLimits = new TcpLimits(handler::allows, settings.tcpConnections(), settings.tcpMaxPerClient(),
                counters);
    }

    /**
     * Binds every listen address (UDP and TCP) and starts serving; binds all or none.
     *
     * @throws IOException naming the address that could not be bound
     */
    public static Dns64Server start(Dns64Settings settings) throws IOException {
        Dns64Counters counters = new Dns64Counters();
        Dns64Server s = new Dns64Server(settings, counters,
                new PooledUpstream(settings.upstreams(), settings.upstreamTimeout(), counters));
        String binding = null;
        try {
            for (InetSocketAddress a : settings.listen()) {
                binding = "UDP " + Dns64Settings.addressText(a);
                s.udp.add(BatchUdpSocket.bind(a, RECEIVE_TIMEOUT_MILLIS));
                binding = "TCP " + Dns64Settings.addressText(a);
                ServerSocket t = new ServerSocket();
                s.tcp.add(t);
                t.setReuseAddress(true);
                t.bind(a, 128);
            }
        } catch (IOException e) {
            s.close();
            throw new IOException("DNS64 cannot listen on " + binding + ": " + e.getMessage(), e);
        }
        for (int i = 0; i < s.udp.size(); i++) {
            BatchUdpSocket d = s.udp.get(i);
            ServerSocket t = s.tcp.get(i);
            s.loops.add(Thread.ofPlatform().daemon().name("dns64-udp-" + i).start(() -> s.udpLoop(d)));
            s.loops.add(Thread.ofPlatform().daemon().name("dns64-tcp-" + i).start(() -> s.tcpLoop(t)));
            LOG.log(System.Logger.Level.INFO, "DNS64 on " + Dns64Settings.addressText(d.localAddress())
                    + " (UDP and TCP)");
        }
        return s;
    }

    public Dns64Counters counters() {
        return counters;
    }

    /** The UDP addresses actually bound (with the ports chosen for port 0). */
    public List<InetSocketAddress> udpAddresses() {
        return udp.stream().map(BatchUdpSocket::localAddress).toList();
    }

    /** The TCP addresses actually bound. */
    public List<InetSocketAddress> tcpAddresses() {
        return tcp.stream().map(t -> (InetSocketAddress) t.getLocalSocketAddress()).toList();
    }

    /**
     * Receives a batch, answers what the cache can into the batch and sends those answers in one
     * go; a query that needs the upstream is answered by itself when its answer is there.
     */
    private void udpLoop(BatchUdpSocket socket) {
        try (BatchUdpSocket.Batch batch = new BatchUdpSocket.Batch()) {
            while (!closed) {
                int n = socket.receive(batch);
                if (closed) {
                    return;
                }
                if (n < 0) {
                    if (-n == BatchUdpSocket.EBADF) {
                        return;
                    }
                    if (-n != BatchUdpSocket.EAGAIN && -n != BatchUdpSocket.EINTR) {
                        // A receive error (e.g. an ICMP error reported on the socket) is about
                        // one datagram, not the socket: go on.
                        LOG.log(System.Logger.Level.DEBUG, "DNS64 UDP receive: " + BatchUdpSocket.errnoText(-n));
                    }
                    continue;
                }
                for (int i = 0; i < n; i++) {
                    try {
                        answer(socket, batch, i);
                    } catch (RuntimeException e) {
                        // QueryHandler turns every failure into an answer; this would be ours
                        // (the batch, the socket), and it must not end the loop either.
                        counters.count(Dns64Counter.INTERNAL_ERRORS);
                        LOG.log(System.Logger.Level.WARNING, "DNS64 UDP datagram failed: " + e, e);
                    }
                }
                if (batch.answers() > 0) {
                    int e = socket.send(batch);
                    if (e != 0 && !closed) {
                        LOG.log(System.Logger.Level.DEBUG, "DNS64 UDP send: " + BatchUdpSocket.errnoText(e));
                    }
                }
            }
        }
    }

    private void answer(BatchUdpSocket socket, BatchUdpSocket.Batch batch, int i) {
        byte[] query = batch.datagram(i);
        InetSocketAddress client = batch.sender(i);
        QueryHandler.Step step = handler.begin(query, client.getAddress(), false);
        if (step instanceof QueryHandler.Pending p) {
            if (!inflight.tryAcquire()) {
                counters.count(Dns64Counter.DROPPED_OVERLOAD);
                return;
            }
            byte[] to = batch.sockaddr(i);
            handler.finish(p).whenComplete((answer, e) -> {
                try {
                    if (answer != null) {
                        int error = socket.sendTo(answer, to);
                        if (error != 0 && !closed) {
                            LOG.log(System.Logger.Level.DEBUG, "DNS64 UDP send to " + client + ": "
                                    + BatchUdpSocket.errnoText(error));
                        }
                    }
                } finally {
                    inflight.release();
                }
            });
        } else {
            byte[] answer = ((QueryHandler.Reply) step).bytes();
            if (answer != null) {
                batch.answer(i, answer);
            }
        }
    }

    private void tcpLoop(ServerSocket server) {
        while (!closed) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.log(System.Logger.Level.DEBUG, "DNS64 TCP accept: " + e.getMessage());
                }
                continue;
            }
            InetAddress client = s.getInetAddress();
            if (!tcpLimits.admit(client)) {
                reset(s);
                continue;
            }
            Thread.startVirtualThread(() -> {
                try {
                    serveConnection(s);
                } finally {
                    tcpLimits.release(client);
                    closeQuietly(s);
                }
            });
        }
    }

    /** RFC 7766: pipelined queries answered as they are ready ({@link TcpConnection}). */
    private void serveConnection(Socket s) {
        new TcpConnection(s, handler, () -> closed, tcpLimits).serve(settings.tcpIdle(), settings.tcpMessageTimeout());
    }

    /**
     * Closes a refused connection with a reset (an ABORT, RFC 9293 §3.10.5): nothing of it is
     * read, and the server keeps no TIME-WAIT state for it, so that refusals in a loop cost
     * nothing that lasts.
     */
    private static void reset(Socket s) {
        try {
            s.setSoLinger(true, 0);
        } catch (IOException e) {
            // closing anyway: an orderly close is as good a refusal
        }
        closeQuietly(s);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // closing: nothing left to do with it
        }
    }

    /** Stops listening; answers being resolved may still be sent to closed sockets and are lost. */
    @Override
    public void close() {
        closed = true;
        udp.forEach(BatchUdpSocket::shutdown);
        tcp.forEach(Dns64Server::closeQuietly);
        upstream.close();
        for (Thread t : loops) {
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // Only now: a receiving thread no longer uses the descriptors.
        udp.forEach(BatchUdpSocket::close);
        LOG.log(System.Logger.Level.INFO, "DNS64 stopped");
    }

    @Override
    public String toString() {
        return "DNS64 on " + String.join(", ", udpAddresses().stream().map(Dns64Settings::addressText).toList());
    }
}
