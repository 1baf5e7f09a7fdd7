package dev.isthmus.alg.turn.server;

import dev.isthmus.alg.turn.AddressFamily;
import dev.isthmus.alg.turn.ChannelDataView;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * One allocation (RFC 8656 §6): its 5-tuple's way back to the client, its relayed transport
 * addresses (one per family, two for a dual allocation of RFC 8656 §7.2), its lifetime, its
 * permissions (RFC 8656 §9) and channel bindings (§12). Lives on the TURN server's event loop.
 */
final class Allocation {
    /** RFC 8656 §9: "The Permission Lifetime MUST be 300 seconds". */
    static final long PERMISSION_NANOS = 300_000_000_000L;
    /** RFC 8656 §12: a channel binding lasts 10 minutes unless refreshed. */
    static final long CHANNEL_NANOS = 600_000_000_000L;
    /**
     * RFC 8656 §12: after a binding expires, neither its channel number nor its peer may be bound
     * to another for 5 minutes, so that late packets are not delivered to the wrong peer.
     */
    static final long CHANNEL_QUARANTINE_NANOS = 300_000_000_000L;
    /** Permissions one allocation may hold: a bound on the table, far above what ICE uses. */
    static final int MAX_PERMISSIONS = 1000;

    /** A relayed transport address: its socket, and the pool its port goes back to. */
    record Relay(io.netty.channel.Channel channel, InetSocketAddress address, dev.isthmus.relay.PortPool pool) {}

    /** A channel bound to a peer (RFC 8656 §12). */
    static final class Binding {
        final int number;
        final InetSocketAddress peer;
        long expiresAt;

        Binding(int number, InetSocketAddress peer, long expiresAt) {
            this.number = number;
            this.peer = peer;
            this.expiresAt = expiresAt;
        }
    }

    final ClientLink link;
    final String user;
    /** The Allocate's transaction id, and the answer a retransmission of it gets again (RFC 8656 §7.2). */
    final byte[] transactionId;
    byte[] response;
    /** Until the relayed sockets are bound, the allocation answers nothing. */
    boolean pending = true;
    boolean deleted;
    long expiresAt;
    Relay relay4;
    Relay relay6;
    /** Takes this allocation out of its 5-tuple's table. */
    Runnable unlink = () -> {};
    private final Map<InetAddress, long[]> permissions = new HashMap<>();
    private Binding[] byNumber;
    private final Map<InetSocketAddress, Binding> byPeer = new HashMap<>();

    Allocation(ClientLink link, String user, byte[] transactionId, long expiresAt) {
        this.link = link;
        this.user = user;
        this.transactionId = transactionId;
        this.expiresAt = expiresAt;
    }

    /** The relayed address of {@code family} ({@link AddressFamily}), or null. */
    Relay relay(int family) {
        return family == AddressFamily.IPV4 ? relay4 : relay6;
    }

    boolean hasFamily(InetAddress peer) {
        return relay(AddressFamily.of(peer)) != null;
    }

    /** Installs or refreshes the permission for {@code peer}'s IP; false when the table is full. */
    boolean permit(InetAddress peer, long now) {
        long[] p = permissions.get(peer);
        if (p == null) {
            if (permissions.size() >= MAX_PERMISSIONS) {
                return false;
            }
            permissions.put(peer, new long[] {now + PERMISSION_NANOS});
        } else {
            p[0] = now + PERMISSION_NANOS;
        }
        return true;
    }

    /** Whether a permission for {@code peer}'s IP is in force (RFC 8656 §9: the port does not matter). */
    boolean permitted(InetAddress peer, long now) {
        long[] p = permissions.get(peer);
        return p != null && p[0] - now > 0;
    }

    /** The binding of channel {@code number}, in force or in quarantine, or null. */
    Binding channel(int number) {
        return byNumber == null ? null : byNumber[number - ChannelDataView.MIN_CHANNEL];
    }

    /** The binding of {@code peer}, in force or in quarantine, or null. */
    Binding channelOf(InetSocketAddress peer) {
        return byPeer.get(peer);
    }

    /** Binds {@code number} to {@code peer} or refreshes that binding; the caller checked for conflicts. */
    void bind(int number, InetSocketAddress peer, long now) {
        Binding b = channel(number);
        if (b == null) {
            if (byNumber == null) {
                byNumber = new Binding[ChannelDataView.MAX_CHANNEL - ChannelDataView.MIN_CHANNEL + 1];
            }
            b = new Binding(number, peer, now);
            byNumber[number - ChannelDataView.MIN_CHANNEL] = b;
            byPeer.put(peer, b);
        }
        b.expiresAt = now + CHANNEL_NANOS;
    }

    /** Forgets permissions that have expired and bindings whose quarantine is over. */
    void expire(long now) {
        permissions.values().removeIf(p -> p[0] - now <= 0);
        for (Iterator<Binding> i = byPeer.values().iterator(); i.hasNext(); ) {
            Binding b = i.next();
            if (b.expiresAt + CHANNEL_QUARANTINE_NANOS - now <= 0) {
                i.remove();
                byNumber[b.number - ChannelDataView.MIN_CHANNEL] = null;
            }
        }
    }

    static boolean inForce(Binding b, long now) {
        return b != null && b.expiresAt - now > 0;
    }
}
