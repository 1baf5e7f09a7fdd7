package dev.isthmus.alg.sip.proxy;

import dev.isthmus.addr.AddressSet;
import dev.isthmus.alg.sip.media.MediaSettings;
import dev.isthmus.relay.Families;
import dev.isthmus.relay.SocketPlane;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A {@code [sip]} proxy on loopback, listening on {@code [::1]} and {@code 127.0.0.1}, and the
 * phones of a test: plain UDP sockets on {@code ::1} ("IPv6 phones") and {@code 127.0.0.x} ("IPv4
 * phones").
 */
final class SipLab implements AutoCloseable {
    static final InetAddress V6 = InetAddress.ofLiteral("::1");
    static final InetAddress V4 = InetAddress.ofLiteral("127.0.0.1");

    final SocketPlane plane;
    final SipProxy proxy;
    final InetSocketAddress listen6;
    final InetSocketAddress listen4;
    final MediaSettings media;
    private final List<java.io.Closeable> phones = new ArrayList<>();

    private SipLab(Builder b) throws IOException {
        listen6 = new InetSocketAddress(V6, freePort(V6));
        listen4 = new InetSocketAddress(V4, freePort(V4));
        int first = 20_000 + 2 * ThreadLocalRandom.current().nextInt(15_000);
        media = b.media ? MediaSettings.of(V4, V6, first, first + 199) : null;
        plane = SocketPlane.start(1);
        SipSettings s = new SipSettings(List.of(listen6, listen4), AddressSet.parse(b.allow), b.domain, b.relay, media,
                SipSettings.DEFAULT_MAX_TRANSACTIONS, b.maxRegistrations, SipSettings.DEFAULT_MAX_CONNECTIONS,
                SipSettings.DEFAULT_MAX_PER_CLIENT, SipSettings.DEFAULT_MAX_EXPIRES, b.firstRequestDeadline, b.users,
                SipSettings.DEFAULT_DIGEST_ALGORITHMS);
        try {
            proxy = SipProxy.start(plane, s);
        } catch (IOException | RuntimeException e) {
            plane.close();
            throw e;
        }
    }

    static Builder with() {
        return new Builder();
    }

    static SipLab start() throws IOException {
        return with().start();
    }

    /** What a test may change of the proxy's settings; the rest are the defaults. */
    static final class Builder {
        List<String> allow = List.of("::1/128", "127.0.0.0/8");
        String domain = "example.test";
        SipSettings.RelayMode relay = SipSettings.RelayMode.AUTO;
        boolean media = true;
        int maxRegistrations = SipSettings.DEFAULT_MAX_REGISTRATIONS;
        Duration firstRequestDeadline = SipSettings.DEFAULT_FIRST_REQUEST_DEADLINE;
        java.util.Map<String, String> users = java.util.Map.of();

        /** {@code [[sip.users]]}: name, password, name, password... */
        Builder users(String... namesAndPasswords) {
            java.util.Map<String, String> m = new java.util.HashMap<>();
            for (int i = 0; i < namesAndPasswords.length; i += 2) {
                m.put(namesAndPasswords[i], namesAndPasswords[i + 1]);
            }
            users = m;
            return this;
        }

        Builder allow(String... prefixes) {
            allow = List.of(prefixes);
            return this;
        }

        Builder maxRegistrations(int n) {
            maxRegistrations = n;
            return this;
        }

        Builder firstRequestDeadline(Duration d) {
            firstRequestDeadline = d;
            return this;
        }

        SipLab start() throws IOException {
            return new SipLab(this);
        }
    }

    /** A phone on {@code ::1}. */
    Phone phone6() {
        return phone("::1");
    }

    /** A phone on {@code 127.0.0.1}. */
    Phone phone4() {
        return phone("127.0.0.1");
    }

    Phone phone(String literal) {
        Phone p = new Phone(literal);
        phones.add(p);
        return p;
    }

    /** A socket the test closes with the lab (RTP sockets, TCP listeners). */
    <T extends java.io.Closeable> T closing(T socket) {
        phones.add(socket);
        return socket;
    }

    /** {@code [::1]:PORT} / {@code 127.0.0.1:PORT}: the proxy's addresses as they appear in SIP. */
    String proxy6() {
        return text(listen6);
    }

    String proxy4() {
        return text(listen4);
    }

    static String text(InetSocketAddress a) {
        return Families.text(a);
    }

    /**
     * A message as a phone sends it: the text block's line ends made CRLF (RFC 3261 §7), and
     * {@code Content-Length: *} filled with the body's length in bytes (§20.14).
     */
    static String sip(String textBlock) {
        String crlf = textBlock.replace("\r\n", "\n").replace("\n", "\r\n");
        int end = crlf.indexOf("\r\n\r\n");
        int bodyLength = crlf.substring(end + 4).getBytes(StandardCharsets.UTF_8).length;
        return crlf.replace("Content-Length: *", "Content-Length: " + bodyLength);
    }

    /**
     * The response a UAS makes to {@code request} (RFC 3261 §8.2.6.2): its Via lines in order, From,
     * To with {@code toTag} added when it has none, Call-ID and CSeq copied; then {@code more}
     * header lines and {@code sdp} as the body (none when null).
     */
    static String response(dev.isthmus.alg.sip.SipMessage request, String statusLine, String toTag, String more,
            String sdp) {
        StringBuilder sb = new StringBuilder("SIP/2.0 ").append(statusLine).append('\n');
        request.all("via").forEach(v -> sb.append("Via: ").append(v.value()).append('\n'));
        String to = request.first("to").value();
        sb.append("From: ").append(request.first("from").value()).append('\n')
                .append("To: ").append(request.toTag() == null && toTag != null ? to + ";tag=" + toTag : to).append('\n')
                .append("Call-ID: ").append(request.callId()).append('\n')
                .append("CSeq: ").append(request.first("cseq").value()).append('\n')
                .append(more);
        if (sdp != null) {
            sb.append("Content-Type: application/sdp\n");
        }
        sb.append("Content-Length: *\n\n").append(sdp == null ? "" : sdp);
        return sip(sb.toString());
    }

    /**
     * Waits (2 s at most) for {@code actual} to reach {@code expected}: the proxy counts some events
     * on its loop after the datagram the test has already read.
     */
    static void eventually(long expected, java.util.function.LongSupplier actual) throws InterruptedException {
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (actual.getAsLong() != expected && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        org.junit.jupiter.api.Assertions.assertEquals(expected, actual.getAsLong());
    }

    private static int freePort(InetAddress a) {
        for (int i = 0; i < 20; i++) {
            try (DatagramSocket u = new DatagramSocket(new InetSocketAddress(a, 0));
                    ServerSocket t = new ServerSocket(u.getLocalPort(), 50, a)) {
                return t.getLocalPort();
            } catch (IOException e) {
                // taken for TCP: try another
            }
        }
        throw new UncheckedIOException(new IOException("no free port on " + a.getHostAddress()));
    }

    @Override
    public void close() throws IOException {
        for (java.io.Closeable p : phones) {
            p.close();
        }
        proxy.close();
        plane.close();
    }
}
