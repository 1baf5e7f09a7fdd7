package dev.isthmus.nat;

import dev.isthmus.wire.Ipv4Address;
import dev.isthmus.wire.Ipv6Address;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The NAT64 session log (RFC 6888 §4 REQ-12 style, for abuse reports): one JSON object a line,
 * either at the start and end of every session, or — much less — at the start and end of every
 * subscriber's use of the pool (its paired T and, with {@link PortBlocks}, its port block, which
 * RFC 7422 makes reversible from the config alone, so {@link Mode#BLOCKS} is all such a deployment
 * needs).
 *
 * <p>As a {@link Nat64Listener} it runs under a shard's lock, so it only formats the line and
 * offers it to a bounded queue; a line that does not fit is counted in {@link #dropped()}, never
 * waited for. {@link SessionLogFile} writes the queue out with {@link #drainTo}.
 *
 * <p>Each run's lines lie between a {@code run-start} and a {@code run-end} record; a start line
 * without its own end line ended at its run's {@code run-end} ({@code "end":"stop"} after a clean
 * stop, which ends every session itself first, or {@code "end":"restart"}, written by the next
 * start when a run was killed). An auditor can so pair every start with an end.
 *
 * <pre>
 * {"time":"2026-12-03T08:00:00Z","event":"session-start","protocol":"tcp","ipv6":"2001:db8::1","port":40000,"t4":"192.0.2.2","tport":40000,"z4":"198.51.100.7","zport":80}
 * {"time":"2026-12-03T08:04:00Z","event":"session-end","protocol":"tcp",…,"end":"expired"}
 * {"time":"2026-12-03T08:00:00Z","event":"block-start","ipv6":"2001:db8:115::","t4":"192.0.2.5","ports":"3072-5119"}
 * {"time":"2026-12-03T07:59:59Z","event":"run-start"}
 * {"time":"2026-12-03T09:00:00Z","event":"run-end","run":"2026-12-03T07:59:59Z","end":"restart"}
 * </pre>
 */
public final class SessionLog extends ForwardingListener {
    /** What to log. */
    public enum Mode {
        /** Start and end of every session. */
        SESSIONS,
        /** Start and end of every subscriber's T (and port block). */
        BLOCKS
    }

    private final Mode mode;
    private final Clock clock;
    private final ArrayBlockingQueue<String> queue;
    private final AtomicLong dropped = new AtomicLong();

    /**
     * @param capacity lines held before {@link #drainTo} (beyond it lines are dropped and counted)
     * @param next another listener told about every event too (the data plane's probe and
     *     ICMP sender), or null
     */
    public SessionLog(Mode mode, Clock clock, int capacity, Nat64Listener next) {
        super(next);
        this.mode = mode;
        this.clock = clock;
        this.queue = new ArrayBlockingQueue<>(capacity);
    }

    @Override
    public void sessionStarted(NatEvent e) {
        if (mode == Mode.SESSIONS) {
            offer(session("session-start", e).append('}'));
        }
        super.sessionStarted(e);
    }

    @Override
    public void sessionEnded(NatEvent e) {
        if (mode == Mode.SESSIONS) {
            offer(session("session-end", e).append(",\"end\":\"").append(endKey(e)).append("\"}"));
        }
        super.sessionEnded(e);
    }

    @Override
    public void subscriberStarted(NatEvent e) {
        if (mode == Mode.BLOCKS) {
            offer(block("block-start", e).append('}'));
        }
        super.subscriberStarted(e);
    }

    @Override
    public void subscriberEnded(NatEvent e) {
        if (mode == Mode.BLOCKS) {
            offer(block("block-end", e).append('}'));
        }
        super.subscriberEnded(e);
    }

    private static String endKey(NatEvent e) {
        return e.end() == null ? "unknown" : e.end().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }

    private StringBuilder head(String event) {
        return new StringBuilder(200).append("{\"time\":\"").append(Instant.now(clock)).append("\",\"event\":\"")
                .append(event).append('"');
    }

    private StringBuilder session(String event, NatEvent e) {
        StringBuilder sb = head(event).append(",\"protocol\":\"").append(e.protocol().key()).append("\",\"ipv6\":\"")
                .append(Ipv6Address.format(e.x6Hi(), e.x6Lo())).append("\",\"port\":").append(e.x6Port())
                .append(",\"t4\":\"");
        Ipv4Address.append(sb, e.t4()).append("\",\"tport\":").append(e.t4Port()).append(",\"z4\":\"");
        Ipv4Address.append(sb, e.z4()).append("\",\"zport\":").append(e.z4Port());
        return sb;
    }

    private StringBuilder block(String event, NatEvent e) {
        StringBuilder sb = head(event).append(",\"ipv6\":\"").append(Ipv6Address.format(e.x6Hi(), e.x6Lo()))
                .append("\",\"t4\":\"");
        Ipv4Address.append(sb, e.t4()).append('"');
        if (e.blockFirst() >= 0) {
            sb.append(",\"ports\":\"").append(e.blockFirst()).append('-').append(e.blockLast()).append('"');
        }
        return sb;
    }

    private void offer(StringBuilder line) {
        if (!queue.offer(line.toString())) {
            dropped.incrementAndGet();
        }
    }

    /** Writes every queued line, each followed by a newline; returns how many. */
    public int drainTo(Appendable out) throws IOException {
        int n = 0;
        for (String line = queue.poll(); line != null; line = queue.poll()) {
            out.append(line).append('\n');
            n++;
        }
        return n;
    }

    /** As {@link #drainTo(Appendable)}, first waiting up to {@code waitMillis} for a line when none is queued. */
    int drainTo(Appendable out, long waitMillis) throws IOException, InterruptedException {
        String first = queue.poll(waitMillis, TimeUnit.MILLISECONDS);
        if (first == null) {
            return 0;
        }
        out.append(first).append('\n');
        return 1 + drainTo(out);
    }

    /** The record that opens the run started at {@code run}. */
    String runStart(Instant run) {
        return "{\"time\":\"" + run + "\",\"event\":\"run-start\"}";
    }

    /**
     * The record that ends the run started at {@code run} (its {@code run-start} time) and every
     * session or block of it that has no end line of its own.
     *
     * @param end {@code stop} (a clean stop) or {@code restart} (the run was killed; written at the next start)
     */
    String runEnd(String run, String end) {
        return head("run-end").append(",\"run\":\"").append(run).append("\",\"end\":\"").append(end).append("\"}")
                .toString();
    }

    /** Lines lost because the queue was full. */
    public long dropped() {
        return dropped.get();
    }
}
