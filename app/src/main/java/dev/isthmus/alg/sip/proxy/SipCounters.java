package dev.isthmus.alg.sip.proxy;

import dev.isthmus.relay.RelayCounters;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/** The SIP proxy's counters, written on its event loop, read by {@code show stats} and the metrics. */
public final class SipCounters {
    /** What the proxy counts besides its refusals ({@code isthmus_sip_events_total{event}}). */
    public enum Event {
        REQUESTS_RECEIVED("requests-received"),
        RESPONSES_RECEIVED("responses-received"),
        REQUESTS_FORWARDED("requests-forwarded"),
        RESPONSES_FORWARDED("responses-forwarded"),
        /** A request retransmitted by the client, answered from the transaction (RFC 3261 §17.2). */
        RETRANSMISSIONS_ABSORBED("retransmissions-absorbed"),
        /** A request the proxy retransmitted itself over UDP (Timer A/E, RFC 3261 §17.1). */
        RETRANSMISSIONS_SENT("retransmissions-sent"),
        /** A request sent over TCP because it was too large for UDP (RFC 3261 §18.1.1). */
        SWITCHED_TO_TCP("switched-to-tcp"),
        REGISTRATIONS("registrations"),
        CALLS_STARTED("calls-started"),
        CALLS_ENDED("calls-ended"),
        /** Calls whose media the relay carries. */
        CALLS_RELAYED("calls-relayed"),
        TCP_CONNECTIONS("tcp-connections");

        private final String key;

        Event(String key) {
            this.key = key;
        }

        public String key() {
            return key;
        }
    }

    private final LongAdder[] events = RelayCounters.adders(Event.values().length);
    private final LongAdder[] refused = RelayCounters.adders(SipRefusal.values().length);
    private final LongSupplier registrations;
    private final LongSupplier calls;
    private final LongSupplier transactions;

    /** The gauges are read from the proxy's tables: their sizes, read without a lock (a gauge may lag). */
    public SipCounters(LongSupplier registrations, LongSupplier calls, LongSupplier transactions) {
        this.registrations = registrations;
        this.calls = calls;
        this.transactions = transactions;
    }

    public long count(Event e) {
        return events[e.ordinal()].sum();
    }

    public long refused(SipRefusal r) {
        return refused[r.ordinal()].sum();
    }

    /** Contact bindings now. */
    public long registrations() {
        return registrations.getAsLong();
    }

    /** Calls now (dialogs the proxy Record-Routed and has not seen end). */
    public long calls() {
        return calls.getAsLong();
    }

    /** Server transactions now. */
    public long transactions() {
        return transactions.getAsLong();
    }

    void add(Event e) {
        events[e.ordinal()].increment();
    }

    void refuse(SipRefusal r) {
        refused[r.ordinal()].increment();
    }
}
