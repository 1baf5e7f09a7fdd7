package dev.isthmus.alg.smtp;

import dev.isthmus.alg.smtp.RecipientResult.Status;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * One attempt to deliver some of a message's recipients to one destination (RFC 5321 §3, §4.1):
 * the hops from {@link MxRouting} in order, each address of a hop until one answers, then the
 * dialogue: EHLO (HELO if refused), STARTTLS when offered, MAIL with the extensions the message
 * needs, RCPT per recipient (pipelined with MAIL when the server offers PIPELINING, RFC 2920),
 * DATA with the dot-stuffed content. Blocking, on the caller's (virtual) thread; every connect,
 * read and write has a timeout ({@link SmtpTimeouts}, RFC 5321 §4.5.3.2).
 *
 * <p>Connections are reused ({@link ConnectionCache}): after a transaction the session is kept
 * idle for the next message to the same next hop, which sends MAIL at once (after RSET when the
 * last transaction failed, §4.1.1.5). A server may close an idle session whenever it likes, and
 * the relay may learn it only from its next command: an I/O error or a 421 on a reused session
 * before the content went out is that race, not the message's failure, and it is tried once more
 * on a new connection.
 */
final class SmtpClient {
    /** The destination key of every recipient when a smarthost is set. */
    static final String SMARTHOST = "[smarthost]";
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);
    /** QUIT to idle connections when the relay stops: it should not wait on a slow server. */
    private static final Duration QUIT_AT_CLOSE = Duration.ofSeconds(1);
    /** Between an EHLO keyword and its parameters (RFC 5321 §4.1.1.1 ehlo-line). */
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private final SmtpSettings settings;
    private final MxRouting routing;
    private final DeliveryStore store;
    private final SmtpTimeouts timeouts;
    private final DeliveryCounters counters;
    private final ConnectionCache<Session> cache;
    /** Arms the {@link WriteDeadline}s; removes a cancelled one at once (there is one per write). */
    private final java.util.concurrent.ScheduledThreadPoolExecutor writeTimer;

    SmtpClient(SmtpSettings settings, MxRouting routing, DeliveryStore store, SmtpTimeouts timeouts,
            DeliveryCounters counters) {
        this.settings = settings;
        this.routing = routing;
        this.store = store;
        this.timeouts = timeouts;
        this.counters = counters;
        this.cache = new ConnectionCache<>(settings.connectionCacheTime(), settings.perDestinationConcurrency(),
                System::nanoTime);
        this.writeTimer = new java.util.concurrent.ScheduledThreadPoolExecutor(1,
                Thread.ofPlatform().name("smtp-write-deadline").daemon().factory());
        writeTimer.setRemoveOnCancelPolicy(true);
    }

    /** QUITs the idle connections that have expired; on a worker (blocking I/O). */
    void closeExpired() {
        for (Session s : cache.expired()) {
            s.quit(timeouts.quit());
        }
    }

    /** Idle connections now (tests). */
    int idleConnections() {
        return cache.size();
    }

    /** Keeps no more connections and QUITs the idle ones, in parallel so that stopping stays quick. */
    void closeConnections() {
        List<Session> idle = cache.close();
        try (var quitting = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (Session s : idle) {
                quitting.execute(() -> s.quit(QUIT_AT_CLOSE));
            }
        }
        writeTimer.shutdownNow();
    }

    List<RecipientResult> deliver(QueuedMessage m, String destination, List<String> recipients)
            throws InterruptedException {
        MxRouting.Route route = routing.route(destination);
        if (route instanceof MxRouting.Failure f) {
            return all(recipients, f.permanent() ? Status.BOUNCED : Status.DEFERRED, f.reason());
        }
        String lastError = "no usable address";
        for (MxRouting.Hop hop : ((MxRouting.Hops) route).hops()) {
            for (InetSocketAddress address : hop.addresses()) {
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
                String relay = hop.name() + "[" + (address.getAddress() instanceof Inet6Address six
                        ? ReceivedHeader.compressed(six) : address.getAddress().getHostAddress()) + "]:" + address.getPort();
                Attempt a = attempt(hop.name(), address, relay, m, recipients, true);
                if (a.tlsFailed()) {
                    // RFC 7435 §3: opportunistic security falls back to cleartext when TLS
                    // fails, rather than not delivering at all.
                    a = attempt(hop.name(), address, relay, m, recipients, false);
                }
                if (a.results() != null) {
                    return a.results();
                }
                lastError = a.error();
            }
        }
        return all(recipients, Status.DEFERRED, lastError);
    }

    /** One connection's outcome: per-recipient results, or why to try the next address. */
    private record Attempt(List<RecipientResult> results, String error, boolean tlsFailed) {}

    /** On a cached connection to the hop if there is one, else (or if it turns out stale) on a new one. */
    private Attempt attempt(String host, InetSocketAddress address, String relay, QueuedMessage m,
            List<String> recipients, boolean useTls) {
        ConnectionCache.Key key = new ConnectionCache.Key(host, address, useTls);
        Session cached = cache.take(key);
        if (cached != null) {
            counters.connectionReused();
            try {
                return transact(cached, key, m, recipients);
            } catch (Stale e) {
                // The server closed the idle session (or is closing it) before it saw this
                // message: a new connection, once; what happens there counts.
                counters.staleConnection();
            }
        }
        return attemptNew(host, address, relay, m, recipients, useTls, key);
    }

    private Attempt attemptNew(String host, InetSocketAddress address, String relay, QueuedMessage m,
            List<String> recipients, boolean useTls, ConnectionCache.Key key) {
        Socket socket = new Socket();
        try {
            socket.connect(address, (int) Math.min(CONNECT_TIMEOUT.toMillis(), timeouts.greeting().toMillis()));
        } catch (IOException e) {
            closeQuietly(socket);
            // §5.1: try the next address (the other family) or the next MX.
            return new Attempt(null, "connect to " + relay + ": " + e.getMessage(), false);
        }
        counters.connectionOpened();
        try {
            Session s = new Session(socket, host, relay, useTls);
            if (!s.open()) {
                s.close();
                return new Attempt(null, s.tryNextReason, false);
            }
            return transact(s, key, m, recipients);
        } catch (TlsFailed e) {
            closeQuietly(socket);
            return new Attempt(null, "TLS with " + relay + " failed: " + e.getMessage(), true);
        } catch (IOException e) {
            // Stale is not thrown on a new session; an I/O error before the session began is.
            closeQuietly(socket);
            return new Attempt(null, "lost connection with " + relay + ": " + e.getMessage(), false);
        }
    }

    /**
     * One transaction on an open session, which is then kept for the next message or closed.
     * Throws {@link Stale} only for a reused session the server had given up on.
     */
    private Attempt transact(Session s, ConnectionCache.Key key, QueuedMessage m, List<String> recipients)
            throws Stale {
        try {
            List<RecipientResult> results = s.transaction(m, recipients);
            release(s, key);
            return new Attempt(results, s.tryNextReason, false);
        } catch (DataSent e) {
            s.close();
            // The message may have arrived: no other hop now, or it could arrive twice.
            return new Attempt(all(recipients, Status.DEFERRED, s.relay, "lost connection with " + s.relay
                    + " after the end of DATA: " + e.getMessage()), null, false);
        } catch (IOException e) {
            s.close();
            if (s.uses > 1) {
                throw new Stale(e);
            }
            return new Attempt(null, "lost connection with " + s.relay + ": " + e.getMessage(), false);
        }
    }

    /**
     * After a transaction: RSET if it failed (RFC 5321 §4.1.1.5: the server drops what it holds
     * of it, and the reply shows the session is alive before it is kept), then into the cache, or
     * QUIT when it may not be kept.
     */
    private void release(Session s, ConnectionCache.Key key) {
        if (s.closing) {
            s.close(); // a 421: the server is closing the channel (§3.8)
            return;
        }
        if (s.needsReset) {
            try {
                s.send("RSET");
                if (!s.read(timeouts.rset()).positive()) {
                    s.quit(timeouts.quit());
                    return;
                }
                s.needsReset = false;
            } catch (IOException e) {
                s.close();
                return;
            }
        }
        if (!cache.offer(key, s)) {
            s.quit(timeouts.quit());
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing: nothing to do about it
        }
    }

    private static List<RecipientResult> all(List<String> recipients, Status status, String reason) {
        return all(recipients, status, "none", reason);
    }

    private static List<RecipientResult> all(List<String> recipients, Status status, String relay, String reason) {
        List<RecipientResult> out = new ArrayList<>();
        for (String r : recipients) {
            out.add(new RecipientResult(r, status, relay, null, reason, false));
        }
        return out;
    }

    /** An I/O failure after the content went out: the server may have the message. */
    private static final class DataSent extends IOException {
        DataSent(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }

    /** A reused session failed before the content went out: the server closed it while idle. */
    private static final class Stale extends IOException {
        Stale(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }

    /** The TLS handshake after STARTTLS failed: the same address is tried again without it. */
    private static final class TlsFailed extends IOException {
        TlsFailed(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }

    /** The dialogue on one connection. */
    private final class Session implements ConnectionCache.Connection {
        private Socket socket;
        private final String host;
        private final String relay;
        private InputStream rawIn;
        private ReplyReader in;
        private OutputStream out;
        private final Map<String, String> extensions = new HashMap<>();
        private final boolean useTls;
        private boolean tls;
        private final long openedAt = System.nanoTime();
        /** Transactions begun on this connection: 1 on a new one. */
        int uses;
        /** The last transaction failed or was aborted: RSET before the next (§4.1.1.5). */
        boolean needsReset;
        /** The server said 421: it closes the channel (§3.8); not to be reused. */
        boolean closing;
        String tryNextReason;

        Session(Socket socket, String host, String relay, boolean useTls) throws IOException {
            this.host = host;
            this.relay = relay;
            this.useTls = useTls;
            attach(socket);
        }

        private void attach(Socket s) throws IOException {
            socket = s;
            rawIn = new java.io.BufferedInputStream(socket.getInputStream());
            in = new ReplyReader(rawIn);
            out = new BufferedOutputStream(new WriteDeadline(socket, socket.getOutputStream(), timeouts.dataBlock(),
                    writeTimer));
        }

        @Override
        public int uses() {
            return uses;
        }

        @Override
        public long openedAt() {
            return openedAt;
        }

        /** Greeting, EHLO, STARTTLS: false with {@link #tryNextReason} set when this host would not talk. */
        boolean open() throws IOException {
            Reply greeting = read(timeouts.greeting());
            if (!greeting.positive()) {
                // §3.1: a 554 (or 4xx) greeting: the next MX may serve.
                tryNext("host " + relay + " refused to talk to me: " + greeting);
                return false;
            }
            if (!hello()) {
                return false;
            }
            if (useTls && extensions.containsKey("STARTTLS") && !tls) {
                send("STARTTLS");
                Reply r = read(timeouts.hello());
                if (r.positive()) {
                    startTls();
                    if (!hello()) {
                        return false;
                    }
                }
            }
            return true;
        }

        /**
         * One mail transaction. Per-recipient results, or null with {@link #tryNextReason} set:
         * this host would not take it now. Leaves the session open, {@link #needsReset} set when
         * the transaction did not complete.
         */
        List<RecipientResult> transaction(QueuedMessage m, List<String> recipients) throws IOException {
            uses++;
            tryNextReason = null;
            Envelope e = m.envelope();
            if (e.smtputf8() && !extensions.containsKey("SMTPUTF8")) {
                // RFC 6531 §3.4: not to be sent to a server without SMTPUTF8; a non-delivery report.
                return bounceAll(recipients, "554 5.6.7 host " + relay
                        + " does not support SMTPUTF8, which the message requires");
            }
            if (e.body8bit() && !extensions.containsKey("8BITMIME")) {
                // RFC 6152 §3: the relay does not downgrade 8-bit content; it may not pass it to a 7-bit server.
                return bounceAll(recipients, "554 5.6.3 host " + relay
                        + " does not support 8BITMIME, which the message requires");
            }
            long limit = sizeLimit();
            if (limit > 0 && m.size() > limit) {
                // RFC 1870 §6: a message larger than the declared SIZE would be refused anyway.
                return bounceAll(recipients, "552 5.3.4 message size " + m.size() + " exceeds the limit " + limit
                        + " of host " + relay);
            }
            StringBuilder mail = new StringBuilder("MAIL FROM:<").append(e.reversePath()).append('>');
            if (extensions.containsKey("SIZE")) {
                mail.append(" SIZE=").append(m.size());
            }
            if (e.body8bit()) {
                mail.append(" BODY=8BITMIME");
            }
            if (e.smtputf8()) {
                mail.append(" SMTPUTF8");
            }
            if (extensions.containsKey("DSN")) {
                mail.append(DsnParameters.mail(e)); // RFC 3461 §5.2.1: passed on as received
            }
            boolean pipelining = extensions.containsKey("PIPELINING");
            needsReset = true; // until the final dot's 2xx completes it
            List<RecipientResult> results = new ArrayList<>();
            List<String> accepted = new ArrayList<>();
            Reply mailReply;
            if (pipelining) {
                // RFC 2920 §3.1: MAIL and the RCPTs go in one group; replies come in order.
                write(mail.toString());
                for (String r : recipients) {
                    write(rcptCommand(e, r));
                }
                out.flush();
                mailReply = read(timeouts.mail());
            } else {
                send(mail.toString());
                mailReply = read(timeouts.mail());
            }
            if (!mailReply.positive()) {
                if (pipelining) {
                    for (int i = 0; i < recipients.size(); i++) {
                        read(timeouts.rcpt()); // the RCPT replies (503s) still come
                    }
                }
                if (mailReply.permanentFailure()) {
                    return fromServer(recipients, Status.BOUNCED, mailReply);
                }
                return tryNext("host " + relay + " said: " + mailReply + " (in reply to MAIL FROM command)");
            }
            for (String r : recipients) {
                if (!pipelining) {
                    send(rcptCommand(e, r));
                }
                Reply rr = read(timeouts.rcpt());
                if (rr.positive()) {
                    accepted.add(r);
                } else {
                    results.add(result(r, rr.permanentFailure() ? Status.BOUNCED : Status.DEFERRED, rr));
                }
            }
            if (accepted.isEmpty()) {
                return results;
            }
            send("DATA");
            Reply go = read(timeouts.dataInit());
            if (go.code() != 354) {
                results.addAll(fromServer(accepted, go.permanentFailure() ? Status.BOUNCED : Status.DEFERRED, go));
                return results;
            }
            Reply done;
            try (InputStream content = store.content(m)) {
                DotStuffing.send(content, out);
                out.flush();
                done = read(timeouts.dataEnd());
            } catch (Stale x) {
                throw x; // a 421 to the content on a reused session: not taken, so tried again
            } catch (IOException x) {
                throw new DataSent(x);
            }
            Status s = done.positive() ? Status.SENT : done.permanentFailure() ? Status.BOUNCED : Status.DEFERRED;
            results.addAll(fromServer(accepted, s, done));
            needsReset = !done.positive();
            return results;
        }

        /** RCPT TO with the recipient's NOTIFY and ORCPT when the server offers DSN (RFC 3461 §5.2.1). */
        private String rcptCommand(Envelope e, String recipient) {
            return "RCPT TO:<" + recipient + ">"
                    + (extensions.containsKey("DSN") ? DsnParameters.rcpt(e.dsnOf(recipient)) : "");
        }

        /** EHLO, or HELO when the server does not know EHLO (§4.1.4); false with the reason to try the next host. */
        private boolean hello() throws IOException {
            extensions.clear();
            send("EHLO " + settings.hostname());
            Reply r = read(timeouts.hello());
            if (r.positive()) {
                for (String line : r.lines().subList(1, r.lines().size())) {
                    String[] words = WHITESPACE.split(line.trim(), 2);
                    extensions.put(words[0].toUpperCase(Locale.ROOT), words.length > 1 ? words[1] : "");
                }
                return true;
            }
            send("HELO " + settings.hostname());
            r = read(timeouts.hello());
            if (r.positive()) {
                return true;
            }
            tryNextReason = "host " + relay + " said: " + r + " (in reply to HELO command)";
            return false;
        }

        /**
         * RFC 3207 opportunistic (RFC 7435): encrypt when offered, without verifying the server's
         * certificate, since no policy (DANE, MTA-STS) says which certificate to expect; an
         * unverified channel still keeps passive observers out.
         */
        private void startTls() throws IOException {
            try {
                SSLContext ctx = SSLContext.getInstance("TLS");
                ctx.init(null, new TrustManager[] {new AnyCertificate()}, new SecureRandom());
                SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(socket,
                        socket.getInetAddress().getHostAddress(), socket.getPort(), true);
                s.setUseClientMode(true);
                try {
                    s.startHandshake();
                } catch (IOException e) {
                    throw new TlsFailed(e);
                }
                attach(s);
                tls = true;
            } catch (java.security.GeneralSecurityException e) {
                throw new IOException("TLS: " + e.getMessage(), e);
            }
        }

        /** The server's SIZE (RFC 1870 §4), 0 when it declares none. */
        private long sizeLimit() {
            String v = extensions.get("SIZE");
            if (v == null || v.isBlank()) {
                return 0;
            }
            try {
                return Long.parseLong(v.trim());
            } catch (NumberFormatException e) {
                return 0;
            }
        }

        private List<RecipientResult> tryNext(String reason) {
            tryNextReason = reason;
            return null;
        }

        private List<RecipientResult> bounceAll(List<String> recipients, String reason) {
            List<RecipientResult> out = new ArrayList<>();
            for (String r : recipients) {
                out.add(new RecipientResult(r, Status.BOUNCED, relay, host, reason, false, uses, false));
            }
            return out;
        }

        private List<RecipientResult> fromServer(List<String> recipients, Status s, Reply reply) {
            List<RecipientResult> out = new ArrayList<>();
            for (String r : recipients) {
                out.add(result(r, s, reply));
            }
            return out;
        }

        private RecipientResult result(String recipient, Status s, Reply reply) {
            // The reply as the server gave it: a DSN's Diagnostic-Code quotes it (RFC 3464 §2.3.6).
            return new RecipientResult(recipient, s, relay, host, reply.toString(), true, uses,
                    extensions.containsKey("DSN"));
        }

        /** QUIT, then close: the outcome is decided; a server that hangs up first is no failure (§4.1.1.10). */
        void quit(Duration wait) {
            try {
                send("QUIT");
                read(wait);
            } catch (IOException e) {
                // see above
            }
            close();
        }

        void close() {
            closeQuietly(socket);
        }

        /**
         * The next reply, waiting at most {@code wait} (RFC 5321 §4.5.3.2). A 421 marks the
         * session closing; on a reused session it is {@link Stale}: the server gave up on it
         * while idle, or is going down, and has not taken this message.
         */
        Reply read(Duration wait) throws IOException {
            socket.setSoTimeout((int) Math.max(1, wait.toMillis()));
            Reply r = in.read();
            if (r.code() == 421) {
                closing = true;
                if (uses > 1) {
                    throw new Stale(new IOException("host " + relay + " said: " + r));
                }
            }
            return r;
        }

        private void send(String line) throws IOException {
            write(line);
            out.flush();
        }

        private void write(String line) throws IOException {
            out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Accepts any certificate: opportunistic TLS (see {@link Session#startTls}). */
    private static final class AnyCertificate implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
