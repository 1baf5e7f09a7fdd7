package dev.isthmus.cli.lab;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The checks that {@code isthmus lab} runs and the end-to-end tests assert: each sends real
 * traffic between the lab's namespaces with an ordinary tool (ping, curl) or a {@link LabPeer},
 * bounded in time, and returns a {@link Check} saying what happened in one readable line.
 */
public final class LabChecks {
    private static final Pattern TRANSMITTED = Pattern.compile("(\\d+) packets transmitted, (\\d+) received");
    private static final Pattern RTT = Pattern.compile("= ([\\d.]+)/([\\d.]+)/([\\d.]+)/([\\d.]+) ms");
    private static final Pattern TIME_EXCEEDED = Pattern.compile("From (\\S+) icmp_seq=\\d+ Time exceeded");
    private static final Pattern CURL = Pattern.compile("(\\d+) (\\d+) ([\\d.]+)");
    private static final Pattern UDP_LINE = Pattern.compile("(ok|FAIL) size=(\\d+) echoed=(\\d+/\\d+) avg_rtt_us=(\\d+)");

    private LabChecks() {}

    /**
     * The outcome of one check.
     *
     * @param name what was checked, e.g. "ping 6→4"
     * @param ok whether it passed
     * @param detail one line: figures when it passed, what went wrong when it did not
     * @param value the main figure (average RTT in ms, bytes transferred), or NaN
     */
    public record Check(String name, boolean ok, String detail, double value) {
        static Check pass(String name, String detail, double value) {
            return new Check(name, true, detail, value);
        }

        static Check fail(String name, String detail) {
            return new Check(name, false, detail, Double.NaN);
        }

        @Override
        public String toString() {
            return (ok ? "✓ " : "✗ ") + name + ": " + detail;
        }
    }

    /**
     * Pings {@code target} from namespace {@code ns}: {@code count} echoes 0.2 s apart, and passes
     * when every one is answered. The value is the average round trip in milliseconds.
     */
    public static Check ping(Lab lab, String name, String ns, String target, int count) {
        Shell.Result r = lab.topology().exec(ns, Duration.ofSeconds(count + 5L),
                "ping", "-n", "-c", Integer.toString(count), "-i", "0.2", "-W", "2", target);
        Matcher m = TRANSMITTED.matcher(r.out());
        if (!m.find()) {
            return Check.fail(name, "ping " + target + " from " + ns + " printed no summary: " + r.describe()
                    + " " + r.out().strip());
        }
        int received = Integer.parseInt(m.group(2));
        Matcher rtt = RTT.matcher(r.out());
        double avg = rtt.find() ? Double.parseDouble(rtt.group(2)) : Double.NaN;
        String line = "%s → %s, %d/%d replies".formatted(ns, target, received, count)
                + (Double.isNaN(avg) ? "" : String.format(Locale.ROOT, ", avg RTT %.3f ms", avg));
        return received == count ? Check.pass(name, line, avg) : Check.fail(name, line);
    }

    /**
     * Pings {@code target} from {@code ns} with IPv6 Hop Limit {@code hopLimit} and passes when a
     * Time Exceeded arrives from {@code expectedFrom}. With the client's hop limit 2, the middle's
     * kernel forwards with 1 and the translator itself must answer (RFC 7915 §5.1: it decrements
     * and may not send a packet on with TTL 0); with 3, the translated packet leaves with TTL 1,
     * the middle's IPv4 forwarding answers with an ICMPv4 Time Exceeded, and the translator must
     * translate that error back (RFC 7915 §4.2, with the packet inside it, §4.3).
     */
    public static Check timeExceeded(Lab lab, String name, String ns, String target, int hopLimit, String expectedFrom) {
        Shell.Result r = lab.topology().exec(ns, Duration.ofSeconds(8),
                "ping", "-n", "-c", "1", "-W", "3", "-t", Integer.toString(hopLimit), target);
        Matcher m = TIME_EXCEEDED.matcher(r.out());
        if (!m.find()) {
            return Check.fail(name, "no Time Exceeded for hop limit " + hopLimit + " to " + target + ": "
                    + r.out().strip().replace('\n', ' '));
        }
        String from = m.group(1);
        String line = "hop limit %d → Time Exceeded from %s".formatted(hopLimit, from);
        return from.equals(expectedFrom) ? Check.pass(name, line, Double.NaN)
                : Check.fail(name, line + ", expected from " + expectedFrom);
    }

    /**
     * Downloads {@code bytes} of {@link LabPeer#content} over HTTP with curl from the client to the
     * server (through pool6) into {@code file}, and passes when the SHA-256 matches. The value is
     * the number of bytes received.
     */
    public static Check httpGet(Lab lab, String name, long bytes, Path file, Duration limit) {
        String url = "http://[" + Topology.SERVER_AS6 + "]:" + Lab.HTTP_PORT + "/data/" + bytes;
        Shell.Result r = lab.inClient(limit.plusSeconds(2), "curl", "-sS", "--connect-timeout", "5", "--max-time", Long.toString(limit.toSeconds()),
                "-o", file.toString(), "-w", "%{http_code} %{size_download} %{time_total}", url);
        Matcher m = CURL.matcher(r.out());
        if (!r.ok() || !m.find()) {
            return Check.fail(name, "curl " + url + ": " + r.describe());
        }
        long got = Long.parseLong(m.group(2));
        double secs = Double.parseDouble(m.group(3));
        String want = LabPeer.contentSha256(bytes);
        String have = sha256(file);
        boolean ok = got == bytes && want.equals(have);
        String line = String.format(Locale.ROOT, "client ← server: %d bytes in %.2f s (%.0f Mbit/s), SHA-256 %s", got,
                secs, secs > 0 ? got * 8 / secs / 1e6 : 0, want.equals(have) ? "ok" : "WRONG");
        return ok ? Check.pass(name, line, got) : Check.fail(name, "GET " + url + " (HTTP " + m.group(1) + "): " + line);
    }

    /**
     * Uploads {@code bytes} of content from the client to the server with an HTTP POST (curl) and
     * passes when the server's SHA-256 of what it received matches. The value is the byte count.
     */
    public static Check httpPost(Lab lab, String name, long bytes, Path file, Duration limit) {
        try (OutputStream out = Files.newOutputStream(file)) {
            LabPeer.content(bytes, out);
        } catch (IOException e) {
            return Check.fail(name, "cannot write " + file + ": " + e.getMessage());
        }
        String want = sha256(file);
        String url = "http://[" + Topology.SERVER_AS6 + "]:" + Lab.HTTP_PORT + "/upload";
        Shell.Result r = lab.inClient(limit.plusSeconds(2), "curl", "-sS", "--connect-timeout", "5", "--max-time", Long.toString(limit.toSeconds()),
                "-H", "Content-Type: application/octet-stream", "--data-binary", "@" + file, "-w", " %{time_total}", url);
        if (!r.ok()) {
            return Check.fail(name, "curl POST " + url + ": " + r.describe());
        }
        String[] f = r.out().strip().split("\\s+");
        if (f.length < 3) {
            return Check.fail(name, "curl POST " + url + ": unexpected answer " + r.out().strip());
        }
        double secs = Double.parseDouble(f[2]);
        boolean ok = f[0].equals(want) && f[1].equals(Long.toString(bytes));
        String line = String.format(Locale.ROOT, "client → server: %s bytes in %.2f s (%.0f Mbit/s), SHA-256 %s",
                f[1], secs, secs > 0 ? bytes * 8 / secs / 1e6 : 0, ok ? "ok" : "WRONG");
        return ok ? Check.pass(name, line, bytes) : Check.fail(name, "POST " + url + ": " + line);
    }

    /**
     * Runs {@code udp-ping} from {@code ns} to the UDP echo server at {@code target}: {@code count}
     * datagrams of each size, each checked byte for byte on its way back. The value is the number
     * of payload bytes echoed.
     */
    public static Check udpEcho(Lab lab, String name, String ns, String target, int count, int... sizes) {
        String[] args = new String[4 + sizes.length];
        args[0] = "udp-ping";
        args[1] = target;
        args[2] = Integer.toString(Lab.UDP_PORT);
        args[3] = Integer.toString(count);
        for (int i = 0; i < sizes.length; i++) {
            args[4 + i] = Integer.toString(sizes[i]);
        }
        // Worst case: every datagram tried three times with a one-second wait each.
        return udpCheck(lab, name, ns, target, Duration.ofSeconds(10L + 3L * count * sizes.length), args);
    }

    /**
     * {@code count} datagrams of {@code size} bytes sent back to back from namespace {@code ns} to
     * the UDP echo server at {@code target}; passes when every one comes back unchanged.
     */
    public static Check udpBurst(Lab lab, String name, String ns, String target, int count, int size) {
        return udpCheck(lab, name, ns, target, Duration.ofSeconds(15), "udp-burst", target,
                Integer.toString(Lab.UDP_PORT), Integer.toString(count), Integer.toString(size));
    }

    private static Check udpCheck(Lab lab, String name, String ns, String target, Duration limit, String... args) {
        Shell.Result r = lab.peer(ns, limit, args);
        // "ok size=4000 echoed=3/3 avg_rtt_us=1133" → "4000 B 3/3 (1.13 ms)"
        StringBuilder summary = new StringBuilder();
        long bytes = 0;
        for (String l : r.out().lines().toList()) {
            Matcher m = UDP_LINE.matcher(l);
            if (m.matches()) {
                summary.append(summary.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT, "%s B %s (%.2f ms)%s",
                        m.group(2), m.group(3), Long.parseLong(m.group(4)) / 1000.0, m.group(1).equals("ok") ? "" : " FAILED"));
            } else if (l.startsWith("sent=")) {
                bytes = Long.parseLong(l.substring(l.indexOf("bytes=") + 6).strip());
            }
        }
        String line = "%s → %s, echoed intact: %s".formatted(ns, target, summary);
        return r.ok() ? Check.pass(name, line, bytes)
                : Check.fail(name, summary.isEmpty() ? r.describe() : line + " (" + r.describe() + ")");
    }

    /** SHA-256 of a file as lowercase hex ("" when it cannot be read). */
    public static String sha256(Path file) {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (IOException e) {
            return "";
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    }
}
