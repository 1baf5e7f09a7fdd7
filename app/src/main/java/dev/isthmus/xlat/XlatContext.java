package dev.isthmus.xlat;

/**
 * What both translation directions of one worker share: settings, counters, the trace of the
 * current packet, the address mapper and the ICMP error originator. Not thread-safe: one per
 * worker.
 */
final class XlatContext {
    final XlatSettings settings;
    final XlatCounters counters;
    final Trace trace;
    final AddressMapper mapper;
    final IcmpOriginator originator;
    /** Offload facts of the packet being translated; {@link #noOffload} unless the caller gives some. */
    Offload offload;
    /** The offload facts of an ordinary packet (cleared before each use). */
    final Offload noOffload = new Offload();

    XlatContext(XlatSettings settings, XlatCounters counters, NanoClock clock) {
        this(settings, counters, clock, null);
    }

    /** @param dynamic the dynamic address pool, or null */
    XlatContext(XlatSettings settings, XlatCounters counters, NanoClock clock, DynamicBindings dynamic) {
        this.settings = settings;
        this.counters = counters;
        this.trace = new Trace();
        this.mapper = new AddressMapper(settings.pool6(), settings.eam(), dynamic);
        this.originator = new IcmpOriginator(settings, counters, trace, clock);
        this.offload = noOffload;
    }

    /** Counts and records a silent drop. */
    Verdict drop(DropReason reason) {
        counters.drop(reason);
        trace.reason = reason;
        return Verdict.DROPPED;
    }

    /**
     * Counts and records a drop for which an ICMP error was attempted; the verdict tells whether
     * the originator actually sent one (it may be suppressed by RFC 1812/4443 rules or the rate
     * limit).
     */
    Verdict dropWithError(DropReason reason, boolean errorSent) {
        counters.drop(reason);
        trace.reason = reason;
        return errorSent ? Verdict.ICMP_ERROR : Verdict.DROPPED;
    }

    /** Counts a successful translation on {@code path}. */
    Verdict translated(Path path) {
        counters.path(path);
        return Verdict.TRANSLATED;
    }
}
