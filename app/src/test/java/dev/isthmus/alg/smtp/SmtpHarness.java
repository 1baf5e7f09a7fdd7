package dev.isthmus.alg.smtp;

import dev.isthmus.addr.AddressSet;
import dev.isthmus.relay.DescriptorBudget;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An {@link SmtpServer} over in-memory channels: a spool in memory ({@link Drafts}), an outbox
 * that records, disk work run inline. {@link #connect} gives a client's channel.
 */
final class SmtpHarness {
    static final String HOSTNAME = "relay.example.net";
    static final AddressSet ALLOW = AddressSet.parse(List.of("2001:db8:6::/64", "192.0.2.0/24"));

    static SmtpSettings settings(long maxSize, int maxPerClient, Map<String, String> users, boolean withTls) {
        Path dir = Path.of("src/test/resources/dev/isthmus/alg/smtp");
        return new SmtpSettings(List.of(new InetSocketAddress("::", 25)), HOSTNAME, ALLOW, Path.of("/nonexistent"), List.of(),
                null, maxSize, true, List.of(), SmtpSettings.DEFAULT_FIRST_RETRY, SmtpSettings.DEFAULT_MAX_RETRY_INTERVAL,
                SmtpSettings.DEFAULT_MAX_QUEUE_LIFETIME, 20, 100, maxPerClient,
                withTls ? dir.resolve("test-cert.pem") : null, withTls ? dir.resolve("test-key.pem") : null, users);
    }

    static SmtpSettings settings() {
        return settings(10_000, 10, Map.of(), false);
    }

    final Drafts drafts = new Drafts();
    final List<QueuedMessage> queued = new ArrayList<>();
    final SmtpServer server;

    SmtpHarness(SmtpSettings s) {
        this(s, Duration.ofSeconds(60));
    }

    SmtpHarness(SmtpSettings s, Duration firstCommand) {
        this(s, firstCommand, java.time.Clock.systemUTC());
    }

    /** With the clock of the refusal-rate blocks ({@link RefusalTracker}). */
    SmtpHarness(SmtpSettings s, Duration firstCommand, java.time.Clock clock) {
        SslContext tls;
        try {
            tls = SmtpServer.tlsContext(s);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server = new SmtpServer(s, DescriptorBudget.unlimited(), drafts, queued::add, Runnable::run, tls, firstCommand,
                clock);
    }

    SmtpCounters counters() {
        return server.counters();
    }

    /** A client at {@code address} connected: its channel, the greeting waiting in {@link Client#replies}. */
    Client connect(String address) {
        InetSocketAddress remote = new InetSocketAddress(address, 40000);
        InetSocketAddress local = new InetSocketAddress("2001:db8:1::25", 25);
        EmbeddedChannel ch = new EmbeddedChannel(false, false) {
            @Override
            protected SocketAddress remoteAddress0() {
                return remote;
            }

            @Override
            protected SocketAddress localAddress0() {
                return local;
            }
        };
        server.initSession(ch);
        try {
            ch.register();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return new Client(ch);
    }

    /** One client connection. */
    static final class Client {
        final EmbeddedChannel ch;

        Client(EmbeddedChannel ch) {
            this.ch = ch;
        }

        /** Sends {@code text} as is (the caller writes the line ends) and returns every reply line since the last call. */
        String send(String text) {
            ch.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
            return replies();
        }

        /** Sends each line with CR LF, all in one flight. */
        String lines(String... lines) {
            return send(String.join("\r\n", lines) + "\r\n");
        }

        String replies() {
            for (int i = 0; i < 4; i++) {
                ch.runPendingTasks();
            }
            StringBuilder sb = new StringBuilder();
            for (ByteBuf b; (b = ch.readOutbound()) != null; ) {
                sb.append(b.toString(StandardCharsets.UTF_8));
                b.release();
            }
            return sb.toString();
        }
    }

    /** A spool in memory: what was written, committed, discarded; commit can be made to fail. */
    static final class Drafts implements SmtpServer.Drafts {
        final List<Draft> begun = new ArrayList<>();
        boolean failCommit;
        boolean failBegin;
        int next;

        @Override
        public Spool.Writer begin() throws IOException {
            if (failBegin) {
                throw new IOException("disk full");
            }
            Draft d = new Draft("Q" + next++);
            begun.add(d);
            return d;
        }

        final class Draft implements Spool.Writer {
            final String id;
            final ByteArrayOutputStream content = new ByteArrayOutputStream();
            QueuedMessage committed;
            boolean closed;

            Draft(String id) {
                this.id = id;
            }

            @Override
            public String id() {
                return id;
            }

            @Override
            public void write(byte[] bytes, int offset, int length) {
                content.write(bytes, offset, length);
            }

            @Override
            public long size() {
                return content.size();
            }

            @Override
            public QueuedMessage commit(Envelope e) throws IOException {
                if (failCommit) {
                    throw new IOException("fsync failed");
                }
                Envelope at = e.withReceived(Instant.now());
                committed = new QueuedMessage(id, at, e.recipients(), 0, Instant.now(), null, content.size());
                return committed;
            }

            @Override
            public void close() {
                closed = true;
            }

            String text() {
                return content.toString(StandardCharsets.UTF_8);
            }
        }
    }
}
