package dev.isthmus.dns64;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

/**
 * The recursive resolvers behind the DNS64, asked in order, the next after a timeout. UDP goes
 * through a few long-lived sockets per resolver, each connected to it (so the kernel delivers
 * only its datagrams) from its own kernel-chosen ephemeral port, with one receiving thread that
 * hands each answer to the question waiting for its ID: opening a socket per question costs more
 * system calls than the whole rest of a DNS64 answer. Against forged answers (RFC 5452 §9.1) an
 * answer counts only when it comes from the resolver's address and port, to a port of ours, with
 * an ID drawn at random for a question in flight and that very question in it. A truncated answer
 * (TC) is asked again over TCP (RFC 7766 §5, RFC 6147 §5.4).
 */
final class PooledUpstream implements Upstream, AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.isthmus.dns64");
    /**
     * RFC 6891 §6.2.5 and the 2020 DNS flag day: 1232 bytes fit an IPv6 packet without
     * fragmentation on any path; a larger answer comes truncated and is then fetched over TCP.
     */
    static final int UDP_PAYLOAD = 1232;
    /** Sockets per resolver: spreads answers over receiving threads and questions over ports. */
    static final int SOCKETS_PER_SERVER = 8;

    private final List<Server> servers = new ArrayList<>();
    private final Duration timeout;
    private final Dns64Counters counters;
    private final SecureRandom random;
    private volatile boolean closed;

    private record Waiting(Record question, CompletableFuture<Message> answer) {}

    /** One connected socket and the questions in flight on it, by ID. */
    private final class Pooled {
        final DatagramChannel channel;
        final ConcurrentHashMap<Integer, Waiting> inFlight = new ConcurrentHashMap<>();

        Pooled(InetSocketAddress server) throws IOException {
            channel = DatagramChannel.open();
            channel.connect(server);
        }

        void receive() {
            ByteBuffer buffer = ByteBuffer.allocate(65_535);
            while (!closed) {
                try {
                    buffer.clear();
                    channel.read(buffer);
                    if (buffer.position() < 12) {
                        continue;
                    }
                    int id = ((buffer.get(0) & 0xff) << 8) | (buffer.get(1) & 0xff);
                    Waiting w = inFlight.get(id);
                    if (w == null) {
                        continue; // late (timed out) or forged
                    }
                    Message m = new Message(java.util.Arrays.copyOf(buffer.array(), buffer.position()));
                    if (m.getHeader().getFlag(Flags.QR) && w.question().equals(m.getQuestion())) {
                        w.answer().complete(m);
                    }
                } catch (IOException | RuntimeException e) {
                    if (!closed && !channel.isOpen()) {
                        return;
                    }
                    // a malformed answer or an ICMP error reported on the socket: wait for the next
                }
            }
        }
    }

    private record Server(InetSocketAddress address, List<Pooled> sockets) {}

    PooledUpstream(List<InetSocketAddress> addresses, Duration timeout, Dns64Counters counters) throws IOException {
        this.timeout = timeout;
        this.counters = counters;
        try {
            // DRBG: a cryptographic generator that does not read /dev/urandom for every ID.
            this.random = SecureRandom.getInstance("DRBG");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no DRBG SecureRandom", e);
        }
        try {
            for (InetSocketAddress a : addresses) {
                List<Pooled> sockets = new ArrayList<>();
                for (int i = 0; i < SOCKETS_PER_SERVER; i++) {
                    Pooled p = new Pooled(a);
                    sockets.add(p);
                    Thread.ofPlatform().daemon().name("dns64-upstream-" + servers.size() + "-" + i).start(p::receive);
                }
                servers.add(new Server(a, sockets));
            }
        } catch (IOException e) {
            close();
            throw new IOException("DNS64 cannot open a socket to its upstream: " + e.getMessage(), e);
        }
    }

    /**
     * The answer completes on the socket's receiving thread, which then runs what depends on it
     * (the rest of the DNS64 algorithm, the answer to the client): no thread hand-off per answer.
     */
    @Override
    public CompletableFuture<Message> ask(Name name, int type, int dclass, boolean checkingDisabled, boolean dnssecOk) {
        return askFrom(0, Record.newRecord(name, type, dclass), checkingDisabled, dnssecOk);
    }

    private CompletableFuture<Message> askFrom(int i, Record question, boolean checkingDisabled, boolean dnssecOk) {
        if (i == servers.size()) {
            return CompletableFuture.completedFuture(null);
        }
        Server s = servers.get(i);
        counters.count(Dns64Counter.UPSTREAM_QUERIES);
        return askUdp(s, question, checkingDisabled, dnssecOk).thenCompose(m -> {
            if (m != null && m.getHeader().getFlag(Flags.TC)) {
                // TCP blocks: on a virtual thread of its own, not on the receiving thread.
                return CompletableFuture.supplyAsync(() -> askTcp(s, question, checkingDisabled, dnssecOk),
                                Thread::startVirtualThread)
                        .thenCompose(t -> t != null ? CompletableFuture.completedFuture(t)
                                : askFrom(i + 1, question, checkingDisabled, dnssecOk));
            }
            return m != null ? CompletableFuture.completedFuture(m) : askFrom(i + 1, question, checkingDisabled, dnssecOk);
        });
    }

    private Message query(int id, Record question, boolean checkingDisabled, boolean dnssecOk) {
        Message q = Message.newQuery(question);
        q.getHeader().setID(id);
        if (checkingDisabled) {
            q.getHeader().setFlag(Flags.CD);
        }
        q.addRecord(new OPTRecord(UDP_PAYLOAD, 0, 0, dnssecOk ? ExtendedFlags.DO : 0), Section.ADDITIONAL);
        return q;
    }

    private CompletableFuture<Message> askUdp(Server s, Record question, boolean checkingDisabled, boolean dnssecOk) {
        Pooled p = s.sockets().get(random.nextInt(s.sockets().size()));
        CompletableFuture<Message> answer = new CompletableFuture<>();
        int id;
        do {
            id = random.nextInt(0x10000);
        } while (p.inFlight.putIfAbsent(id, new Waiting(question, answer)) != null);
        int sent = id;
        CompletableFuture<Message> result = answer.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .handle((m, e) -> {
                    p.inFlight.remove(sent);
                    if (e != null) {
                        counters.count(e instanceof TimeoutException ? Dns64Counter.UPSTREAM_TIMEOUTS
                                : Dns64Counter.UPSTREAM_ERRORS);
                        return null;
                    }
                    return m;
                });
        try {
            p.channel.write(ByteBuffer.wrap(query(id, question, checkingDisabled, dnssecOk).toWire()));
        } catch (IOException e) {
            answer.completeExceptionally(e);
        }
        return result;
    }

    /** RFC 1035 §4.2.2: one question on a connection of its own, two-byte length prefix. */
    private Message askTcp(Server s, Record question, boolean checkingDisabled, boolean dnssecOk) {
        int id = random.nextInt(0x10000);
        byte[] q = query(id, question, checkingDisabled, dnssecOk).toWire();
        try (Socket socket = new Socket()) {
            int ms = (int) timeout.toMillis();
            socket.connect(s.address(), ms);
            socket.setSoTimeout(ms);
            OutputStream out = socket.getOutputStream();
            byte[] framed = new byte[q.length + 2];
            framed[0] = (byte) (q.length >>> 8);
            framed[1] = (byte) q.length;
            System.arraycopy(q, 0, framed, 2, q.length);
            out.write(framed);
            DataInputStream in = new DataInputStream(socket.getInputStream());
            byte[] answer = new byte[in.readUnsignedShort()];
            in.readFully(answer);
            Message m = new Message(answer);
            if (m.getHeader().getID() != id || !question.equals(m.getQuestion())) {
                counters.count(Dns64Counter.UPSTREAM_ERRORS);
                return null;
            }
            return m;
        } catch (SocketTimeoutException e) {
            counters.count(Dns64Counter.UPSTREAM_TIMEOUTS);
        } catch (IOException | RuntimeException e) {
            counters.count(Dns64Counter.UPSTREAM_ERRORS);
            LOG.log(System.Logger.Level.DEBUG, "DNS64 upstream TCP " + s.address() + ": " + e.getMessage());
        }
        return null;
    }

    @Override
    public void close() {
        closed = true;
        for (Server s : servers) {
            for (Pooled p : s.sockets()) {
                try {
                    p.channel.close();
                } catch (IOException e) {
                    // closing: nothing left to do with it
                }
            }
        }
    }
}
