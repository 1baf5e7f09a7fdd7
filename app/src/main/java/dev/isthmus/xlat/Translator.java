package dev.isthmus.xlat;

import dev.isthmus.wire.BigEndian;
import dev.isthmus.wire.PacketBuffer;
import dev.isthmus.wire.PacketSink;
import java.lang.foreign.MemorySegment;

/**
 * The stateless IP/ICMP translator, RFC 7915, in both directions.
 *
 * <p>One instance per worker thread. {@link #translate} takes the packet in a {@link PacketBuffer}
 * window, rewrites it in place (the buffer's headroom absorbs IPv4→IPv6 growth) and hands the
 * result — or its fragments, or an ICMP error the translator originated — to the sink. It never
 * throws for any input: a packet it cannot translate is a counted drop with a {@link DropReason},
 * and {@link #trace()} says what happened to the last packet.
 */
public final class Translator implements PacketTranslator {
    private final XlatContext ctx;
    private final Translator46 t46;
    private final Translator64 t64;
    private final Hairpin hairpin;

    public Translator(XlatSettings settings, XlatCounters counters, NanoClock clock) {
        this(settings, counters, clock, null);
    }

    /**
     * A translator that also consults a dynamic address pool (NAT-PT style, address only) for
     * IPv6 sources no stateless rule covers and for IPv4 destinations in the pool.
     *
     * @param dynamic the pool, shared by every worker's translator; null for none
     */
    public Translator(XlatSettings settings, XlatCounters counters, NanoClock clock, DynamicBindings dynamic) {
        this.ctx = new XlatContext(settings, counters, clock, dynamic);
        this.t46 = new Translator46(ctx);
        this.hairpin = new Hairpin(ctx, t46);
        this.t64 = new Translator64(ctx, hairpin);
    }

    @Override
    public Verdict translate(PacketBuffer pkt, PacketSink out) {
        ctx.noOffload.clear();
        return translate(pkt, out, ctx.noOffload);
    }

    /**
     * As {@link #translate(PacketBuffer, PacketSink)} for a packet with offload facts (partial
     * checksum, super-packet; see {@link Offload}); on return {@code offload} describes the
     * translation the sink received.
     */
    @Override
    public Verdict translate(PacketBuffer pkt, PacketSink out, Offload offload) {
        ctx.offload = offload;
        ctx.trace.reset();
        Verdict v;
        if (pkt.length() < 1) {
            v = ctx.drop(DropReason.TRUNCATED);
        } else {
            int version = BigEndian.u8(pkt.segment(), pkt.offset()) >>> 4;
            if (version == 4) {
                v = t46.translate(pkt, out);
            } else if (version == 6) {
                v = t64.translate(pkt, out);
            } else {
                v = ctx.drop(DropReason.BAD_VERSION);
            }
        }
        ctx.trace.verdict = v;
        return v;
    }

    /**
     * Drops a packet for a reason found outside the stateless rules (the stateful NAT64 in
     * {@code nat}), counted and traced like any drop; with {@code icmpType} ≥ 0 answered with
     * that ICMP error of the packet's own family, under the same rules and rate limit as the
     * translator's own errors. The packet must be untouched (the error quotes it).
     */
    public Verdict refuse(PacketBuffer pkt, DropReason reason, int icmpType, int icmpCode, PacketSink out) {
        ctx.trace.reset();
        Verdict v;
        if (icmpType < 0) {
            v = ctx.drop(reason);
        } else {
            MemorySegment s = pkt.segment();
            boolean four = BigEndian.u8(s, pkt.offset()) >>> 4 == 4;
            boolean sent = four
                    ? ctx.originator.icmpv4(s, pkt.offset(), pkt.length(), icmpType, icmpCode, 0, out)
                    : ctx.originator.icmpv6(s, pkt.offset(), pkt.length(), icmpType, icmpCode, 0, out);
            v = ctx.dropWithError(reason, sent);
        }
        ctx.trace.verdict = v;
        return v;
    }

    /**
     * A packet this translator translated on {@code path} and handed on, which the caller's sink
     * then kept back (the NAT64's FTP ALG, RFC 6384: a segment ahead of a gap, no room to grow):
     * the path's count is taken back and the drop counted for {@code reason} instead, so that
     * the packet is counted once.
     */
    public Verdict withhold(PacketBuffer pkt, Path path, DropReason reason, PacketSink out) {
        ctx.counters.unpath(path);
        return refuse(pkt, reason, -1, 0, out);
    }

    /**
     * Counts a packet that a stateful translator hairpinned itself, rewritten within its own
     * family and already emitted (RFC 6146 §3.8), and records it in the trace.
     */
    public Verdict hairpinned() {
        ctx.trace.reset();
        ctx.trace.hairpinned = true;
        ctx.trace.outputs = 1;
        ctx.trace.verdict = ctx.translated(Path.HAIRPIN);
        return Verdict.TRANSLATED;
    }

    @Override
    public Trace trace() {
        return ctx.trace;
    }

    @Override
    public XlatSettings settings() {
        return ctx.settings;
    }

    /**
     * RFC 7757 §4.2: a 6→4 translation whose IPv4 destination is the IPv4 side of an EAM entry
     * would leave for an address that stands for an IPv6 node; it is translated straight back
     * (4→6) instead. The 6→4 translator emits into this sink when it decides to hairpin; the copy
     * into a private buffer only happens on this rare path.
     */
    static final class Hairpin implements PacketSink {
        private final XlatContext ctx;
        private final Translator46 t46;
        private final PacketBuffer buffer = PacketBuffer.scratch(PacketBuffer.DEFAULT_CAPACITY);
        private PacketSink target;
        private boolean active;

        Hairpin(XlatContext ctx, Translator46 t46) {
            this.ctx = ctx;
            this.t46 = t46;
        }

        /** Arms the sink for one 6→4 packet whose result must go back through 4→6 to {@code out}. */
        PacketSink to(PacketSink out) {
            this.target = out;
            return this;
        }

        @Override
        public void emit(MemorySegment segment, int offset, int length) {
            if (active) {
                // A hairpinned packet that would hairpin again is a loop (misconfiguration).
                ctx.drop(DropReason.HAIRPIN_LOOP);
                return;
            }
            active = true;
            try {
                buffer.load(segment, offset, length);
                ctx.trace.hairpinned = true;
                ctx.trace.outputs--; // the 6→4 result handed to this sink is not an output

                ctx.counters.path(Path.HAIRPIN);
                t46.translate(buffer, target);
            } finally {
                active = false;
            }
        }
    }
}
