package dev.isthmus.alg.ftp.proxy;

import dev.isthmus.relay.RelayCounters;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** The counters of one FTP proxy, written by the event loops, read by {@code show stats} and the metrics. */
public final class FtpProxyCounters {
    private final String name;
    private final LongAdder sessions = new LongAdder();
    private final AtomicLong active = new AtomicLong();
    private final LongAdder transfers = new LongAdder();
    private final LongAdder translated = new LongAdder();
    private final LongAdder tlsPassthrough = new LongAdder();
    private final LongAdder idleClosed = new LongAdder();
    private final LongAdder bytesToServer = new LongAdder();
    private final LongAdder bytesToClient = new LongAdder();
    private final LongAdder[] refused = RelayCounters.adders(FtpRefusal.values().length);

    public FtpProxyCounters(String name) {
        this.name = name;
    }

    /** {@code [[ftp.proxy]] name}. */
    public String name() {
        return name;
    }

    /** Control connections relayed since start. */
    public long sessions() {
        return sessions.sum();
    }

    /** Control connections open now. */
    public long active() {
        return active.get();
    }

    /** Data connections spliced (one per transfer). */
    public long transfers() {
        return transfers.sum();
    }

    /** PASV, EPSV, PORT and EPRT the proxy answered itself, translating them for the server. */
    public long translated() {
        return translated.sum();
    }

    /** Control connections the proxy relays opaquely after AUTH TLS ({@code tls = "passthrough"}). */
    public long tlsPassthrough() {
        return tlsPassthrough.sum();
    }

    /** Control or data connections closed by the idle timeout. */
    public long idleClosed() {
        return idleClosed.sum();
    }

    /** Data bytes towards the server (uploads). */
    public long bytesToServer() {
        return bytesToServer.sum();
    }

    /** Data bytes towards the client (downloads, listings). */
    public long bytesToClient() {
        return bytesToClient.sum();
    }

    public long refused(FtpRefusal r) {
        return refused[r.ordinal()].sum();
    }

    void opened() {
        sessions.increment();
        active.incrementAndGet();
    }

    void closed() {
        active.decrementAndGet();
    }

    void transfer() {
        transfers.increment();
    }

    void countTranslation() {
        translated.increment();
    }

    void countPassthrough() {
        tlsPassthrough.increment();
    }

    void idle() {
        idleClosed.increment();
    }

    void refuse(FtpRefusal r) {
        refused[r.ordinal()].increment();
    }

    LongAdder toServer() {
        return bytesToServer;
    }

    LongAdder toClient() {
        return bytesToClient;
    }
}
