package dev.isthmus.alg.smtp;

import dev.isthmus.addr.AddressSet;
import dev.isthmus.addr.Ipv6Prefix;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;

/** The delivery side's test fakes: a DNS, an SMTP server on loopback, an in-memory spool, a clock. */
final class DeliveryHarness {
    private DeliveryHarness() {}

    static SmtpSettings settings(boolean preferIpv6, List<Ipv6Prefix> dns64, int perDestination,
            InetSocketAddress smarthost) {
        return new SmtpSettings(List.of(), "relay.example.net", AddressSet.NONE, Path.of("/nonexistent"), List.of(),
                smarthost, SmtpSettings.DEFAULT_MAX_MESSAGE_SIZE, preferIpv6, dns64, Duration.ofMinutes(5),
                Duration.ofMinutes(30), Duration.ofDays(5), perDestination, 10, 10, null, null, Map.of());
    }

    static QueuedMessage message(String id, String from, List<String> to, Instant received, String content,
            boolean smtputf8) {
        Envelope e = new Envelope(from, to, new InetSocketAddress("192.0.2.1", 40000), "client.example", received,
                smtputf8, false, null);
        return new QueuedMessage(id, e, to, 0, received, null, content.getBytes(StandardCharsets.UTF_8).length);
    }

    static void await(String what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    /** A clock the test moves. */
    static final class TestClock extends Clock {
        private final AtomicReference<Instant> now;

        TestClock(Instant start) {
            now = new AtomicReference<>(start);
        }

        void advance(Duration d) {
            now.updateAndGet(t -> t.plus(d));
        }

        @Override
        public Instant instant() {
            return now.get();
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    /** The spool in memory: content by id, the last state written, the removed ids, the DSNs queued. */
    static final class MemoryStore implements DeliveryStore {
        final Map<String, byte[]> content = new ConcurrentHashMap<>();
        final Map<String, QueuedMessage> state = new ConcurrentHashMap<>();
        final List<String> removed = Collections.synchronizedList(new ArrayList<>());
        final List<QueuedMessage> enqueued = Collections.synchronizedList(new ArrayList<>());
        private final AtomicInteger ids = new AtomicInteger();

        QueuedMessage add(QueuedMessage m, String text) {
            content.put(m.id(), text.getBytes(StandardCharsets.UTF_8));
            state.put(m.id(), m);
            return m;
        }

        @Override
        public InputStream content(QueuedMessage m) throws IOException {
            byte[] b = content.get(m.id());
            if (b == null) {
                throw new IOException("no content for " + m.id());
            }
            return new ByteArrayInputStream(b);
        }

        @Override
        public void update(QueuedMessage m) {
            state.put(m.id(), m);
        }

        @Override
        public void remove(QueuedMessage m) {
            state.remove(m.id());
            removed.add(m.id());
        }

        @Override
        public QueuedMessage enqueue(Envelope envelope, byte[] bytes) {
            String id = "dsn" + ids.incrementAndGet();
            QueuedMessage m = new QueuedMessage(id, envelope, envelope.recipients(), 0, Instant.EPOCH, null,
                    bytes.length);
            content.put(id, bytes);
            state.put(id, m);
            enqueued.add(m);
            return m;
        }

        String text(String id) {
            return new String(content.get(id), StandardCharsets.UTF_8);
        }
    }

    /** A DNS answering from a table; a name it does not know is NXDOMAIN. */
    static final class FakeDns extends SynchronousResolver {
        private final Map<Name, List<Record>> records = new HashMap<>();
        final AtomicInteger queries = new AtomicInteger();

        FakeDns mx(String domain, int preference, String host) {
            return add(new MXRecord(name(domain), DClass.IN, 300, preference, name(host)));
        }

        FakeDns a(String host, String address) {
            return add(new ARecord(name(host), DClass.IN, 300, ip(address)));
        }

        FakeDns aaaa(String host, String address) {
            return add(new AAAARecord(name(host), DClass.IN, 300, ip(address)));
        }

        private FakeDns add(Record r) {
            records.computeIfAbsent(r.getName(), k -> new ArrayList<>()).add(r);
            return this;
        }

        @Override
        public Message send(Message query) {
            queries.incrementAndGet();
            Record q = query.getQuestion();
            Message r = new Message(query.getHeader().getID());
            r.getHeader().setFlag(Flags.QR);
            r.addRecord(q, Section.QUESTION);
            List<Record> known = records.get(q.getName());
            if (known == null) {
                r.getHeader().setRcode(Rcode.NXDOMAIN);
                return r;
            }
            for (Record rec : known) {
                if (rec.getType() == q.getType()) {
                    r.addRecord(rec, Section.ANSWER);
                }
            }
            return r;
        }

        private static Name name(String s) {
            try {
                return Name.fromString(s.endsWith(".") ? s : s + ".");
            } catch (TextParseException e) {
                throw new IllegalArgumentException(e);
            }
        }

        private static InetAddress ip(String s) {
            try {
                return InetAddress.ofLiteral(s);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(s, e);
            }
        }
    }

    /** What a fake server received in one transaction. */
    record Received(String mailFrom, List<String> rcptTo, String data, InetSocketAddress local, boolean tls) {}

    /**
     * An SMTP server on a loopback address, scripted per test: the EHLO extensions it offers,
     * the reply to each RCPT, the reply after DATA, a pause before that reply. Records what it got
     * (data as sent on the wire: still dot-stuffed) and how many sessions were open at once.
     */
    static final class FakeSmtpServer implements AutoCloseable {
        final List<Received> received = Collections.synchronizedList(new ArrayList<>());
        final List<String> commands = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger open = new AtomicInteger();
        final AtomicInteger maxOpen = new AtomicInteger();
        /** TCP connections accepted. */
        final AtomicInteger accepts = new AtomicInteger();
        /** After the reply to the final dot, the server closes the connection (as an idle timeout would, later). */
        volatile boolean hangUpAfterData;
        /** Set: the reply to MAIL on a session that already had a transaction, then the server closes it. */
        volatile String mailReplyOnReuse;
        volatile List<String> extensions = List.of("PIPELINING", "8BITMIME", "SIZE 10000000", "SMTPUTF8");
        volatile Function<String, String> rcptReply = r -> "250 2.1.5 ok";
        volatile Function<Integer, String> dataReply = n -> "250 2.0.0 queued";
        volatile Duration dataPause = Duration.ZERO;
        /** False: EHLO is refused, as by a server of RFC 821's time. */
        volatile boolean ehlo = true;
        /** Set: STARTTLS is offered (if in the extensions) with this context. */
        volatile SSLContext tls;
        /** STARTTLS answered 220, then the connection closed: a handshake that fails. */
        volatile boolean tlsBroken;
        private final AtomicInteger transactions = new AtomicInteger();
        private final ServerSocket socket;
        private final Thread acceptor;

        FakeSmtpServer(InetSocketAddress bind) throws IOException {
            socket = new ServerSocket();
            socket.bind(bind);
            acceptor = Thread.ofVirtual().start(this::acceptLoop);
        }

        int port() {
            return socket.getLocalPort();
        }

        private void acceptLoop() {
            while (!socket.isClosed()) {
                try {
                    Socket s = socket.accept();
                    Thread.ofVirtual().start(() -> session(s));
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void session(Socket plain) {
            accepts.incrementAndGet();
            maxOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
            Socket s = plain;
            int mails = 0;
            try (plain) {
                s.setSoTimeout(5000);
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(),
                        StandardCharsets.UTF_8));
                OutputStream out = s.getOutputStream();
                reply(out, "220 fake.test ESMTP");
                String from = null;
                List<String> to = new ArrayList<>();
                for (String line; (line = in.readLine()) != null; ) {
                    commands.add(line);
                    String upper = line.toUpperCase(java.util.Locale.ROOT);
                    if (upper.startsWith("EHLO") && !ehlo) {
                        reply(out, "502 5.5.2 what is EHLO");
                    } else if (upper.equals("STARTTLS") && tlsBroken) {
                        reply(out, "220 2.0.0 ready");
                        return; // and no handshake
                    } else if (upper.equals("STARTTLS") && tls != null && !(s instanceof SSLSocket)) {
                        reply(out, "220 2.0.0 ready");
                        SSLSocket t = (SSLSocket) tls.getSocketFactory().createSocket(s, null, s.getPort(), true);
                        t.setUseClientMode(false);
                        t.startHandshake();
                        s = t;
                        in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                        out = s.getOutputStream();
                    } else if (upper.startsWith("EHLO")) {
                        StringBuilder b = new StringBuilder("250");
                        b.append(extensions.isEmpty() ? " " : "-").append("fake.test");
                        for (int i = 0; i < extensions.size(); i++) {
                            b.append("\r\n250").append(i == extensions.size() - 1 ? " " : "-").append(extensions.get(i));
                        }
                        reply(out, b.toString());
                    } else if (upper.startsWith("HELO")) {
                        reply(out, "250 fake.test");
                    } else if (upper.startsWith("MAIL FROM:") && mails++ > 0 && mailReplyOnReuse != null) {
                        reply(out, mailReplyOnReuse);
                        return;
                    } else if (upper.equals("RSET")) {
                        from = null;
                        to = new ArrayList<>();
                        reply(out, "250 2.0.0 ok");
                    } else if (upper.startsWith("MAIL FROM:")) {
                        from = line.substring(line.indexOf('<') + 1, line.indexOf('>'));
                        to = new ArrayList<>();
                        reply(out, "250 2.1.0 ok");
                    } else if (upper.startsWith("RCPT TO:")) {
                        String r = line.substring(line.indexOf('<') + 1, line.indexOf('>'));
                        String answer = rcptReply.apply(r);
                        if (answer.startsWith("2")) {
                            to.add(r);
                        }
                        reply(out, answer);
                    } else if (upper.equals("DATA")) {
                        reply(out, "354 go ahead");
                        StringBuilder data = new StringBuilder();
                        for (String d; (d = in.readLine()) != null && !d.equals("."); ) {
                            data.append(d).append("\r\n");
                        }
                        Thread.sleep(dataPause.toMillis());
                        String answer = dataReply.apply(transactions.incrementAndGet());
                        if (answer.startsWith("2")) {
                            received.add(new Received(from, List.copyOf(to), data.toString(),
                                    (InetSocketAddress) s.getLocalSocketAddress(), s instanceof SSLSocket));
                        }
                        reply(out, answer);
                        if (hangUpAfterData) {
                            return;
                        }
                    } else if (upper.equals("QUIT")) {
                        reply(out, "221 bye");
                        return;
                    } else {
                        reply(out, "502 5.5.2 not implemented");
                    }
                }
            } catch (IOException | InterruptedException e) {
                // the client went away: the test's assertions tell
            } finally {
                open.decrementAndGet();
            }
        }

        private static void reply(OutputStream out, String text) throws IOException {
            out.write((text + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        @Override
        public void close() throws IOException {
            socket.close();
            acceptor.interrupt();
        }
    }

    /** The fake MX's certificate (self-signed, CN=mx.dest.test; opportunistic TLS checks none). */
    static SSLContext serverTls() throws Exception {
        char[] password = "fake-mx".toCharArray();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = DeliveryHarness.class.getResourceAsStream("fake-mx.p12")) {
            ks.load(in, password);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, password);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
    }
}
