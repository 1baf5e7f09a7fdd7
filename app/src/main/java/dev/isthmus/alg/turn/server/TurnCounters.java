package dev.isthmus.alg.turn.server;

import dev.isthmus.relay.RelayCounters;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** The TURN server's counters, written by its event loop, read by {@code show stats} and the metrics. */
public final class TurnCounters {
    private final LongAdder bindings = new LongAdder();
    private final LongAdder allocations = new LongAdder();
    private final AtomicLong active = new AtomicLong();
    private final LongAdder expired = new LongAdder();
    private final LongAdder permissions = new LongAdder();
    private final LongAdder channels = new LongAdder();
    private final LongAdder packetsToPeer = new LongAdder();
    private final LongAdder packetsToClient = new LongAdder();
    private final LongAdder bytesToPeer = new LongAdder();
    private final LongAdder bytesToClient = new LongAdder();
    private final LongAdder[] refused = RelayCounters.adders(TurnRefusal.values().length);

    /** STUN Binding requests answered. */
    public long bindings() {
        return bindings.sum();
    }

    /** Allocations made since start. */
    public long allocations() {
        return allocations.sum();
    }

    /** Allocations held now. */
    public long active() {
        return active.get();
    }

    /** Allocations deleted because their lifetime ran out. */
    public long expired() {
        return expired.sum();
    }

    /** Permissions installed or refreshed by CreatePermission and ChannelBind. */
    public long permissions() {
        return permissions.sum();
    }

    /** Channels bound or refreshed. */
    public long channels() {
        return channels.sum();
    }

    public long packetsToPeer() {
        return packetsToPeer.sum();
    }

    public long packetsToClient() {
        return packetsToClient.sum();
    }

    /** Application bytes relayed from clients to peers. */
    public long bytesToPeer() {
        return bytesToPeer.sum();
    }

    /** Application bytes relayed from peers to clients. */
    public long bytesToClient() {
        return bytesToClient.sum();
    }

    public long refused(TurnRefusal r) {
        return refused[r.ordinal()].sum();
    }

    void binding() {
        bindings.increment();
    }

    void allocated() {
        allocations.increment();
        active.incrementAndGet();
    }

    void deleted(boolean byExpiry) {
        active.decrementAndGet();
        if (byExpiry) {
            expired.increment();
        }
    }

    void permission() {
        permissions.increment();
    }

    void channel() {
        channels.increment();
    }

    void toPeer(int bytes) {
        packetsToPeer.increment();
        bytesToPeer.add(bytes);
    }

    void toClient(int bytes) {
        packetsToClient.increment();
        bytesToClient.add(bytes);
    }

    void refuse(TurnRefusal r) {
        refused[r.ordinal()].increment();
    }
}
