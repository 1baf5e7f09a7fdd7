package dev.isthmus.xlat;

import dev.isthmus.wire.PacketBuffer;
import dev.isthmus.wire.PacketSink;

/**
 * What a data-plane worker drives: a translator of one packet at a time, in place, into a sink.
 * The stateless {@link Translator} is one; the stateful NAT64 of {@code nat} wraps it and is
 * another. One instance per worker thread; no call throws for any input.
 */
public interface PacketTranslator {
    Verdict translate(PacketBuffer pkt, PacketSink out);

    /** As {@link #translate(PacketBuffer, PacketSink)} with the packet's offload facts. */
    Verdict translate(PacketBuffer pkt, PacketSink out, Offload offload);

    /** What happened to the last packet. */
    Trace trace();

    XlatSettings settings();

    /** Makes one worker's translator, counting into that worker's counters. */
    @FunctionalInterface
    interface Factory {
        PacketTranslator create(XlatCounters counters);
    }
}
