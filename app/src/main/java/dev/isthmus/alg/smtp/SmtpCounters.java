package dev.isthmus.alg.smtp;

import dev.isthmus.relay.RelayCounters;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** The SMTP relay's server-side counters, written by the event loops, read by {@code show stats} and the metrics. */
public final class SmtpCounters {
    private final LongAdder sessions = new LongAdder();
    private final AtomicLong active = new AtomicLong();
    private final LongAdder accepted = new LongAdder();
    private final LongAdder acceptedBytes = new LongAdder();
    private final LongAdder acceptedRecipients = new LongAdder();
    private final LongAdder tls = new LongAdder();
    private final LongAdder authenticated = new LongAdder();
    private final LongAdder refusalTableEvictions = new LongAdder();
    private final LongAdder[] refused = RelayCounters.adders(SmtpRefusal.values().length);

    /** Client connections since start. */
    public long sessions() {
        return sessions.sum();
    }

    /** Client connections open now. */
    public long active() {
        return active.get();
    }

    /** Messages committed to the spool and answered 250. */
    public long accepted() {
        return accepted.sum();
    }

    /** Content bytes of the accepted messages. */
    public long acceptedBytes() {
        return acceptedBytes.sum();
    }

    /** Recipients of the accepted messages. */
    public long acceptedRecipients() {
        return acceptedRecipients.sum();
    }

    /** Sessions that completed STARTTLS. */
    public long tls() {
        return tls.sum();
    }

    /** Successful AUTH. */
    public long authenticated() {
        return authenticated.sum();
    }

    /** Clients the refusal-rate table forgot to make room for others ({@link RefusalTracker}). */
    public long refusalTableEvictions() {
        return refusalTableEvictions.sum();
    }

    public long refused(SmtpRefusal r) {
        return refused[r.ordinal()].sum();
    }

    void opened() {
        sessions.increment();
        active.incrementAndGet();
    }

    void closed() {
        active.decrementAndGet();
    }

    void countAccepted(QueuedMessage m) {
        accepted.increment();
        acceptedBytes.add(m.size());
        acceptedRecipients.add(m.envelope().recipients().size());
    }

    void tlsStarted() {
        tls.increment();
    }

    void countAuthenticated() {
        authenticated.increment();
    }

    void refusalTableEvicted() {
        refusalTableEvictions.increment();
    }

    void refuse(SmtpRefusal r) {
        refused[r.ordinal()].increment();
    }
}
