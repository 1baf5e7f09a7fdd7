package dev.isthmus.dns64;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;

/**
 * The DNS64 service on its listen addresses, UDP and TCP on each (RFC 7766 §5: TCP is not
 * optional). One platform thread per socket receives or accepts and answers what the cache can;
 * a UDP query that needs the upstream continues on the thread that receives the upstream's answer
 * ({@link PooledUpstream}), at most {@code max-inflight} of them at once; each TCP connection has
 * a virtual thread, at most {@code tcp-connections}. Beyond those limits queries are dropped and
 * connections closed, each counted. Nothing a client sends can end a loop: {@link QueryHandler} turns every failure into
 * an answer or a counted drop.
 */
public final class Dns64Server implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.isthmus.dns64");
    private static final int MAX_UDP = 65_535;

    private final Dns64Settings settings;
    private final Dns64Counters counters;
    private final QueryHandler handler;
    private final Semaphore inflight;
    private final Semaphore connections;
    private final List<DatagramChannel> udp = new ArrayList<>();
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
        this.connections = new Semaphore(settings.tcpConnections());
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
        try {
            for (InetSocketAddress a : settings.listen()) {
                DatagramChannel d = DatagramChannel.open();
                s.udp.add(d);
                d.bind(a);
                ServerSocket t = new ServerSocket();
                s.tcp.add(t);
                t.setReuseAddress(true);
                t.bind(a, 128);
            }
        } catch (IOException e) {
            s.close();
            throw new IOException("DNS64 cannot listen: " + e.getMessage(), e);
        }
        for (int i = 0; i < s.udp.size(); i++) {
            DatagramChannel d = s.udp.get(i);
            ServerSocket t = s.tcp.get(i);
            s.loops.add(Thread.ofPlatform().daemon().name("dns64-udp-" + i).start(() -> s.udpLoop(d)));
            s.loops.add(Thread.ofPlatform().daemon().name("dns64-tcp-" + i).start(() -> s.tcpLoop(t)));
            LOG.log(System.Logger.Level.INFO, "DNS64 on " + Dns64Settings.addressText(localAddress(d))
                    + " (UDP and TCP)");
        }
        return s;
    }

    public Dns64Counters counters() {
        return counters;
    }

    /** The UDP addresses actually bound (with the ports chosen for port 0). */
    public List<InetSocketAddress> udpAddresses() {
        return udp.stream().map(Dns64Server::localAddress).toList();
    }

    /** The TCP addresses actually bound. */
    public List<InetSocketAddress> tcpAddresses() {
        return tcp.stream().map(t -> (InetSocketAddress) t.getLocalSocketAddress()).toList();
    }

    private static InetSocketAddress localAddress(DatagramChannel d) {
        try {
            return (InetSocketAddress) d.getLocalAddress();
        } catch (IOException e) {
            throw new IllegalStateException("a bound channel has an address", e);
        }
    }

    /** One direct buffer, reused: the channel reads into it without an intermediate copy. */
    private void udpLoop(DatagramChannel socket) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(MAX_UDP);
        ByteBuffer out = ByteBuffer.allocateDirect(MAX_UDP);
        while (!closed) {
            try {
                buffer.clear();
                InetSocketAddress client = (InetSocketAddress) socket.receive(buffer);
                byte[] query = new byte[buffer.flip().remaining()];
                buffer.get(query);
                QueryHandler.Step step = handler.begin(query, client.getAddress(), false);
                if (step instanceof QueryHandler.Pending p) {
                    if (!inflight.tryAcquire()) {
                        counters.count(Dns64Counter.DROPPED_OVERLOAD);
                        continue;
                    }
                    handler.finish(p).whenComplete((answer, e) -> {
                        try {
                            send(socket, answer == null ? null : ByteBuffer.wrap(answer), client);
                        } finally {
                            inflight.release();
                        }
                    });
                } else {
                    byte[] answer = ((QueryHandler.Reply) step).bytes();
                    if (answer != null) {
                        send(socket, out.clear().put(answer).flip(), client);
                    }
                }
            } catch (IOException e) {
                if (!closed && socket.isOpen()) {
                    // A receive error (e.g. ICMP port unreachable reported on the socket) is
                    // about one datagram, not the socket: go on.
                    LOG.log(System.Logger.Level.DEBUG, "DNS64 UDP receive: " + e.getMessage());
                } else {
                    return;
                }
            }
        }
    }

    private void send(DatagramChannel socket, ByteBuffer answer, InetSocketAddress client) {
        if (answer == null) {
            return;
        }
        try {
            socket.send(answer, client);
        } catch (IOException e) {
            if (!closed) {
                LOG.log(System.Logger.Level.DEBUG, "DNS64 UDP send to " + client + ": " + e.getMessage());
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
            if (!connections.tryAcquire()) {
                counters.count(Dns64Counter.TCP_REJECTED);
                closeQuietly(s);
                continue;
            }
            Thread.startVirtualThread(() -> {
                try {
                    serveConnection(s);
                } finally {
                    connections.release();
                    closeQuietly(s);
                }
            });
        }
    }

    /**
     * RFC 1035 §4.2.2 / RFC 7766 §8: messages with a two-byte length prefix, answered in turn,
     * until the client closes or stays silent for {@code tcp-idle-timeout} (RFC 7766 §6.2.3).
     */
    private void serveConnection(Socket s) {
        try {
            s.setSoTimeout((int) Math.min(Integer.MAX_VALUE, settings.tcpIdle().toMillis()));
            DataInputStream in = new DataInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            while (!closed) {
                int length = in.readUnsignedShort();
                byte[] query = new byte[length];
                in.readFully(query);
                byte[] answer = handler.handle(query, s.getInetAddress(), true);
                if (answer == null) {
                    return; // a drop on TCP: close, the client will not get an answer here
                }
                byte[] framed = new byte[answer.length + 2];
                framed[0] = (byte) (answer.length >>> 8);
                framed[1] = (byte) answer.length;
                System.arraycopy(answer, 0, framed, 2, answer.length);
                out.write(framed);
                out.flush();
            }
        } catch (EOFException | SocketTimeoutException e) {
            // the client is done, or idle too long
        } catch (IOException e) {
            if (!closed && !(e instanceof SocketException)) {
                LOG.log(System.Logger.Level.DEBUG, "DNS64 TCP connection: " + e.getMessage());
            }
        }
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
        udp.forEach(Dns64Server::closeQuietly);
        tcp.forEach(Dns64Server::closeQuietly);
        upstream.close();
        for (Thread t : loops) {
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        LOG.log(System.Logger.Level.INFO, "DNS64 stopped");
    }

    @Override
    public String toString() {
        return "DNS64 on " + String.join(", ", udpAddresses().stream().map(Dns64Settings::addressText).toList());
    }
}
