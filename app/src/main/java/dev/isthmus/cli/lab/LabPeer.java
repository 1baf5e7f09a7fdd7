package dev.isthmus.cli.lab;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;

/**
 * The programs at both ends of the lab, run in the client and server namespaces as separate JVMs
 * (see {@link Launcher#peer}), so that the lab needs no HTTP server or UDP tool beyond the JDK:
 *
 * <pre>
 *   http-server ADDR PORT          GET /data/N: N bytes of {@link #content}; POST or PUT: replies
 *                                  "SHA256HEX LENGTH" of the body it received
 *   udp-echo ADDR PORT             echoes every datagram to its sender
 *   udp-ping ADDR PORT COUNT SIZE… sends COUNT datagrams of each SIZE (random bytes) one at a time
 *                                  and checks that each comes back unchanged (1 s per try, 3 tries;
 *                                  stops at the first datagram that never comes back)
 *   udp-burst ADDR PORT COUNT SIZE sends COUNT datagrams of SIZE back to back (one flow: what a
 *                                  translator may coalesce) and checks that every one comes back
 *                                  unchanged within 3 s
 * </pre>
 *
 * The servers print {@code ready} once their socket is bound (the lab waits for that line).
 * {@code udp-ping} prints one line per size and a summary, and exits 0 only when every datagram
 * came back intact.
 */
public final class LabPeer {
    /** Largest UDP payload over IPv4: 65535 − 20 (IPv4 header) − 8 (UDP header). */
    static final int MAX_UDP = 65507;
    private static final int TRIES = 3;
    private static final int TRY_MILLIS = 1000;
    private static final int BURST_MILLIS = 3000;

    private LabPeer() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            usage();
        }
        InetAddress addr = InetAddress.getByName(args[1]);
        int port = Integer.parseInt(args[2]);
        switch (args[0]) {
            case "http-server" -> httpServer(addr, port);
            case "udp-echo" -> udpEcho(addr, port);
            case "udp-ping" -> {
                if (args.length < 5) {
                    usage();
                }
                int count = Integer.parseInt(args[3]);
                int[] sizes = Arrays.stream(args, 4, args.length).mapToInt(Integer::parseInt).toArray();
                System.exit(udpPing(addr, port, count, sizes, System.out) ? 0 : 1);
            }
            case "udp-burst" -> {
                if (args.length != 5) {
                    usage();
                }
                System.exit(udpBurst(addr, port, Integer.parseInt(args[3]), Integer.parseInt(args[4]), System.out) ? 0 : 1);
            }
            default -> usage();
        }
    }

    private static void usage() {
        System.err.println("usage: LabPeer http-server ADDR PORT | udp-echo ADDR PORT | udp-ping ADDR PORT COUNT SIZE..."
                + " | udp-burst ADDR PORT COUNT SIZE");
        System.exit(64);
    }

    /**
     * Writes {@code n} bytes of the lab's test content: pseudo-random (so that no compression or
     * pattern could hide a corrupted byte), and the same for the same {@code n} on every run, so a
     * receiver can check a download without the file.
     */
    public static void content(long n, OutputStream out) throws IOException {
        SplittableRandom r = new SplittableRandom(n);
        byte[] buf = new byte[64 * 1024];
        for (long left = n; left > 0; ) {
            int len = (int) Math.min(buf.length, left);
            r.nextBytes(buf);
            out.write(buf, 0, len);
            left -= len;
        }
    }

    /** SHA-256 of {@link #content}{@code (n)}, as lowercase hex. */
    public static String contentSha256(long n) {
        MessageDigest md = sha256();
        try {
            content(n, new OutputStream() {
                @Override
                public void write(int b) {
                    md.update((byte) b);
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    md.update(b, off, len);
                }
            });
        } catch (IOException e) {
            throw new AssertionError("a digest does not fail", e);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static void httpServer(InetAddress addr, int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(addr, port), 16);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", LabPeer::serve);
        server.start();
        System.out.println("ready http " + addr.getHostAddress() + " " + port);
        System.out.flush();
    }

    private static void serve(HttpExchange x) throws IOException {
        try (x) {
            String method = x.getRequestMethod();
            String path = x.getRequestURI().getPath();
            if (method.equals("GET") && path.startsWith("/data/")) {
                long n;
                try {
                    n = Long.parseLong(path.substring("/data/".length()));
                } catch (NumberFormatException e) {
                    n = -1;
                }
                if (n < 0 || n > 1L << 32) {
                    reply(x, 400, "bad length\n");
                    return;
                }
                x.getResponseHeaders().set("Content-Type", "application/octet-stream");
                x.sendResponseHeaders(200, n == 0 ? -1 : n);
                try (OutputStream out = x.getResponseBody()) {
                    content(n, out);
                }
            } else if (method.equals("POST") || method.equals("PUT")) {
                MessageDigest md = sha256();
                long total = 0;
                byte[] buf = new byte[64 * 1024];
                try (InputStream in = x.getRequestBody()) {
                    for (int r; (r = in.read(buf)) > 0; ) {
                        md.update(buf, 0, r);
                        total += r;
                    }
                }
                reply(x, 200, HexFormat.of().formatHex(md.digest()) + " " + total + "\n");
            } else {
                reply(x, 404, "GET /data/LENGTH, or POST a body to get its SHA-256\n");
            }
        }
    }

    private static void reply(HttpExchange x, int status, String text) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", "text/plain");
        x.sendResponseHeaders(status, body.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(body);
        }
    }

    private static void udpEcho(InetAddress addr, int port) throws IOException {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(addr, port))) {
            System.out.println("ready udp " + addr.getHostAddress() + " " + port);
            System.out.flush();
            byte[] buf = new byte[MAX_UDP];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            while (true) {
                p.setData(buf);
                s.receive(p);
                s.send(p);
            }
        }
    }

    /**
     * Sends {@code count} datagrams of each size, one at a time, each with fresh random content,
     * and waits for its echo; a datagram that does not come back within a second is sent again,
     * at most {@link #TRIES} times. Returns true when every datagram came back unchanged.
     */
    static boolean udpPing(InetAddress addr, int port, int count, int[] sizes, PrintStream out) throws IOException {
        SplittableRandom rnd = new SplittableRandom();
        boolean allOk = true;
        long sent = 0, echoed = 0, bytes = 0;
        try (DatagramSocket s = new DatagramSocket()) {
            s.connect(addr, port);
            s.setSoTimeout(TRY_MILLIS);
            byte[] in = new byte[MAX_UDP];
            for (int size : sizes) {
                int good = 0;
                long rttNanos = 0;
                for (int i = 0; i < count && good == i; i++) {
                    byte[] msg = new byte[size];
                    rnd.nextBytes(msg);
                    for (int t = 0; t < TRIES; t++) {
                        long t0 = System.nanoTime();
                        s.send(new DatagramPacket(msg, size));
                        sent++;
                        DatagramPacket p = new DatagramPacket(in, in.length);
                        if (receiveMatching(s, p, msg)) {
                            rttNanos += System.nanoTime() - t0;
                            good++;
                            echoed++;
                            bytes += size;
                            break;
                        }
                    }
                }
                boolean ok = good == count;
                allOk &= ok;
                out.printf("%s size=%d echoed=%d/%d avg_rtt_us=%d%n", ok ? "ok" : "FAIL", size, good, count,
                        good == 0 ? 0 : rttNanos / good / 1000);
                if (!ok) {
                    // Fail fast: a datagram lost three times means a broken path, not bad luck.
                    break;
                }
            }
        }
        out.printf("sent=%d echoed=%d bytes=%d%n", sent, echoed, bytes);
        return allOk;
    }

    /**
     * Sends {@code count} datagrams of {@code size} random bytes as fast as the socket takes them,
     * then collects the echoes for up to {@link #BURST_MILLIS}. Returns true when each datagram
     * came back exactly once and unchanged (the first 4 bytes number them; order is not checked).
     */
    static boolean udpBurst(InetAddress addr, int port, int count, int size, PrintStream out) throws IOException {
        if (size < 4) {
            throw new IllegalArgumentException("udp-burst needs datagrams of at least 4 bytes");
        }
        SplittableRandom rnd = new SplittableRandom();
        byte[][] sent = new byte[count][size];
        boolean[] back = new boolean[count];
        int good = 0;
        int bad = 0;
        try (DatagramSocket s = new DatagramSocket()) {
            s.setReceiveBufferSize(4 * count * (size + 64));
            s.connect(addr, port);
            for (int i = 0; i < count; i++) {
                rnd.nextBytes(sent[i]);
                ByteBuffer.wrap(sent[i]).putInt(0, i);
                s.send(new DatagramPacket(sent[i], size));
            }
            byte[] in = new byte[MAX_UDP];
            DatagramPacket p = new DatagramPacket(in, in.length);
            long deadline = System.nanoTime() + BURST_MILLIS * 1_000_000L;
            while (good < count) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    break;
                }
                s.setSoTimeout((int) left);
                try {
                    s.receive(p);
                } catch (SocketTimeoutException e) {
                    break;
                }
                int i = p.getLength() == size ? ByteBuffer.wrap(in).getInt(0) : -1;
                if (i >= 0 && i < count && !back[i] && Arrays.equals(in, 0, size, sent[i], 0, size)) {
                    back[i] = true;
                    good++;
                } else {
                    bad++;
                }
            }
        }
        boolean ok = good == count && bad == 0;
        out.printf("%s size=%d echoed=%d/%d avg_rtt_us=0%n", ok ? "ok" : "FAIL", size, good, count);
        if (bad > 0) {
            out.printf("unexpected or damaged datagrams: %d%n", bad);
        }
        out.printf("sent=%d echoed=%d bytes=%d%n", count, good, (long) good * size);
        return ok;
    }

    /** Waits for the echo of {@code msg}; a stale echo of an earlier try is skipped. */
    private static boolean receiveMatching(DatagramSocket s, DatagramPacket p, byte[] msg) throws IOException {
        long deadline = System.nanoTime() + TRY_MILLIS * 1_000_000L;
        while (System.nanoTime() < deadline) {
            try {
                s.receive(p);
            } catch (SocketTimeoutException e) {
                return false;
            }
            if (Arrays.equals(p.getData(), p.getOffset(), p.getOffset() + p.getLength(), msg, 0, msg.length)) {
                return true;
            }
        }
        return false;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    }
}
