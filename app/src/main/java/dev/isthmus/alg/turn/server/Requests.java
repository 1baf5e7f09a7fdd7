package dev.isthmus.alg.turn.server;

import dev.isthmus.addr.AddressSet;
import dev.isthmus.alg.turn.AddressFamily;
import dev.isthmus.alg.turn.ChannelDataView;
import dev.isthmus.alg.turn.ErrorCode;
import dev.isthmus.alg.turn.StunAttributeType;
import dev.isthmus.alg.turn.StunClass;
import dev.isthmus.alg.turn.StunFormatException;
import dev.isthmus.alg.turn.StunMessage;
import dev.isthmus.alg.turn.StunMessageBuilder;
import dev.isthmus.alg.turn.StunMethod;
import dev.isthmus.relay.Families;
import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;

/**
 * The STUN requests and indications of a TURN server, each by the steps of its RFC section:
 * Binding (RFC 8489 §6.3), Allocate (RFC 8656 §7.2), Refresh (§8.2), CreatePermission (§10.2),
 * ChannelBind (§12.2), Send (§11.2); authentication by long-term credentials first (RFC 8489
 * §9.2.4) for every TURN request. Every refusal is an error response with its code and a counter.
 */
final class Requests {
    private static final System.Logger LOG = System.getLogger("dev.isthmus.turn");
    /** REQUESTED-TRANSPORT's protocol number for UDP (RFC 8656 §18.10), the only one relayed. */
    private static final int UDP = 17;

    private final TurnServer server;
    private final TurnSettings s;
    private final Nonces nonces;
    private final Credentials credentials;

    Requests(TurnServer server, Nonces nonces, Credentials credentials) {
        this.server = server;
        this.s = server.s;
        this.nonces = nonces;
        this.credentials = credentials;
    }

    /** A STUN message from the client of {@code t}. */
    void handle(Tuple t, byte[] bytes) {
        StunMessage m;
        try {
            m = StunMessage.decode(bytes, 0, bytes.length);
        } catch (StunFormatException e) {
            server.refuse(TurnRefusal.MALFORMED, "from " + Families.text(t.link().client()) + ": " + e.getMessage());
            return;
        }
        if (m.messageClass() == StunClass.INDICATION) {
            if (m.method() == StunMethod.SEND) {
                send(t, m);
            }
            // RFC 8489 §6.3.2: other indications are not answered; Binding indications are keepalives.
            return;
        }
        if (m.messageClass() != StunClass.REQUEST) {
            return; // responses: the server sent no requests
        }
        if (m.method() == StunMethod.BINDING) {
            binding(t, m);
            return;
        }
        if (!isTurnMethod(m.method())) {
            server.refuse(TurnRefusal.UNKNOWN_METHOD, StunMethod.name(m.method()) + " from "
                    + Families.text(t.link().client()));
            answer(t, m, error(m, ErrorCode.BAD_REQUEST, "Unknown method"), null);
            return;
        }
        // RFC 8656 §5: a TURN server uses the long-term credential mechanism for every request.
        byte[] key = authenticate(t, m);
        if (key == null) {
            return;
        }
        // RFC 8489 §6.3.1.1: unknown comprehension-required attributes get 420 and their list.
        if (!m.unknownComprehensionRequired().isEmpty()) {
            server.refuse(TurnRefusal.UNKNOWN_ATTRIBUTE, "attributes " + m.unknownComprehensionRequired());
            answer(t, m, error(m, ErrorCode.UNKNOWN_ATTRIBUTE, "Unknown Attribute")
                    .unknownAttributes(m.unknownComprehensionRequired()), key);
            return;
        }
        switch (m.method()) {
            case StunMethod.ALLOCATE -> allocate(t, m, key);
            case StunMethod.REFRESH -> refresh(t, m, key);
            case StunMethod.CREATE_PERMISSION -> createPermission(t, m, key);
            default -> channelBind(t, m, key);
        }
    }

    private static boolean isTurnMethod(int method) {
        return method == StunMethod.ALLOCATE || method == StunMethod.REFRESH
                || method == StunMethod.CREATE_PERMISSION || method == StunMethod.CHANNEL_BIND;
    }

    /** RFC 8489 §6.3: Binding needs no credentials; the answer is where the request came from. */
    private void binding(Tuple t, StunMessage m) {
        if (!m.unknownComprehensionRequired().isEmpty()) {
            server.refuse(TurnRefusal.UNKNOWN_ATTRIBUTE, "attributes " + m.unknownComprehensionRequired());
            answer(t, m, error(m, ErrorCode.UNKNOWN_ATTRIBUTE, "Unknown Attribute")
                    .unknownAttributes(m.unknownComprehensionRequired()), null);
            return;
        }
        server.counters.binding();
        answer(t, m, StunMessageBuilder.responseTo(m, true).xorMappedAddress(mapped(t)), null);
    }

    /** The client's address as it should see it: an IPv4 client of a dual-stack socket without its ::ffff: prefix. */
    private static InetSocketAddress mapped(Tuple t) {
        InetSocketAddress c = t.link().client();
        return new InetSocketAddress(AddressSet.unmapped(c.getAddress()), c.getPort());
    }

    /**
     * RFC 8489 §9.2.4: no MESSAGE-INTEGRITY(-SHA256) → 401 with REALM and NONCE; USERNAME, REALM or
     * NONCE missing → 400; a nonce not ours or expired → 438 with a new one; an unknown user or a
     * wrong HMAC → 401 with a new nonce. The key for the response's integrity, or null when
     * answered already.
     */
    private byte[] authenticate(Tuple t, StunMessage m) {
        InetAddress client = t.link().client().getAddress();
        long now = server.now();
        if (!m.has(StunAttributeType.MESSAGE_INTEGRITY) && !m.has(StunAttributeType.MESSAGE_INTEGRITY_SHA256)) {
            server.counters.refuse(TurnRefusal.UNAUTHENTICATED); // the first step of every client: not logged
            answer(t, m, challenge(m, ErrorCode.UNAUTHENTICATED, "Unauthenticated", client, now), null);
            return null;
        }
        String user = m.username();
        if (user == null || m.realm() == null || m.nonce() == null) {
            server.refuse(TurnRefusal.BAD_REQUEST, "integrity without USERNAME, REALM or NONCE from "
                    + Families.text(t.link().client()));
            answer(t, m, error(m, ErrorCode.BAD_REQUEST, "Bad Request"), null);
            return null;
        }
        if (!nonces.isValid(m.nonce(), client, now)) {
            server.counters.refuse(TurnRefusal.STALE_NONCE); // clients renew nonces routinely: not logged
            answer(t, m, challenge(m, ErrorCode.STALE_NONCE, "Stale Nonce", client, now), null);
            return null;
        }
        byte[] key = m.realm().equals(s.realm()) ? credentials.key(user, System.currentTimeMillis() / 1000) : null;
        if (key == null || m.checkIntegrity(key) != StunMessage.Integrity.VALID) {
            server.refuse(TurnRefusal.WRONG_CREDENTIALS, (key == null ? "unknown user \"" : "wrong password of \"")
                    + user + "\" from " + Families.text(t.link().client()));
            answer(t, m, challenge(m, ErrorCode.UNAUTHENTICATED, "Unauthenticated", client, now), null);
            return null;
        }
        return key;
    }

    private StunMessageBuilder challenge(StunMessage m, int code, String reason, InetAddress client, long now) {
        return error(m, code, reason).realm(s.realm()).nonce(nonces.make(client, now));
    }

    /** RFC 8656 §7.2, in its order. */
    private void allocate(Tuple t, StunMessage m, byte[] key) {
        Allocation existing = t.allocation();
        if (existing != null) {
            // The "stale transaction" rule: a retransmission gets the answer it had; another
            // transaction on a 5-tuple in use is a mismatch.
            if (Arrays.equals(existing.transactionId, m.transactionId())) {
                if (existing.response != null) {
                    t.link().send(Unpooled.wrappedBuffer(existing.response));
                }
                return;
            }
            mismatch(t, m, key, "Allocate on a 5-tuple that has an allocation");
            return;
        }
        if (!m.has(StunAttributeType.REQUESTED_TRANSPORT)) {
            badRequest(t, m, key, "Allocate without REQUESTED-TRANSPORT");
            return;
        }
        if (m.requestedTransport() != UDP) {
            fail(t, m, key, TurnRefusal.UNSUPPORTED_TRANSPORT, ErrorCode.UNSUPPORTED_TRANSPORT_PROTOCOL,
                    "Unsupported Transport Protocol", "REQUESTED-TRANSPORT " + m.requestedTransport());
            return;
        }
        // The server cannot set DF per datagram: RFC 8656 §7.2 answers such a request with 420.
        if (m.has(StunAttributeType.DONT_FRAGMENT)) {
            server.refuse(TurnRefusal.UNKNOWN_ATTRIBUTE, "DONT-FRAGMENT");
            answer(t, m, error(m, ErrorCode.UNKNOWN_ATTRIBUTE, "Unknown Attribute")
                    .unknownAttributes(List.of(StunAttributeType.DONT_FRAGMENT)), key);
            return;
        }
        int requested = m.requestedAddressFamily();
        int additional = m.additionalAddressFamily();
        boolean token = m.has(StunAttributeType.RESERVATION_TOKEN);
        if (token && (m.has(StunAttributeType.EVEN_PORT) || requested >= 0 || additional >= 0)) {
            badRequest(t, m, key, "RESERVATION-TOKEN with EVEN-PORT or an address family");
            return;
        }
        // This server makes no reservations: no token is valid, and R=1 cannot be met (508).
        if (token || m.evenPortReserve()) {
            fail(t, m, key, TurnRefusal.CAPACITY, ErrorCode.INSUFFICIENT_CAPACITY, "Insufficient Capacity",
                    token ? "RESERVATION-TOKEN" : "EVEN-PORT with R");
            return;
        }
        if (requested >= 0 && additional >= 0) {
            badRequest(t, m, key, "REQUESTED-ADDRESS-FAMILY with ADDITIONAL-ADDRESS-FAMILY");
            return;
        }
        if (additional >= 0 && additional != AddressFamily.IPV6) {
            badRequest(t, m, key, "ADDITIONAL-ADDRESS-FAMILY other than IPv6");
            return;
        }
        // RFC 8656 §7.2: IPv4 when no family is asked for; a dual allocation is IPv4 plus IPv6.
        int family = requested >= 0 ? requested : AddressFamily.IPV4;
        if (!server.serves(family)) {
            fail(t, m, key, TurnRefusal.FAMILY_NOT_SUPPORTED, ErrorCode.ADDRESS_FAMILY_NOT_SUPPORTED,
                    "Address Family not Supported", "no relay address of family " + family);
            return;
        }
        String quota = server.quotaReached(m.username());
        if (quota != null) {
            fail(t, m, key, TurnRefusal.QUOTA, ErrorCode.ALLOCATION_QUOTA_REACHED, "Allocation Quota Reached",
                    "user \"" + m.username() + "\": " + quota);
            return;
        }
        long lifetime = lifetimeNanos(m);
        Allocation a = new Allocation(t.link(), m.username(), m.transactionId(), server.now() + lifetime);
        t.attach(a);
        server.add(a);
        boolean dual = additional == AddressFamily.IPV6;
        server.openRelay(a, family, first -> {
            if (first == null) {
                server.delete(a, false);
                fail(t, m, key, TurnRefusal.CAPACITY, ErrorCode.INSUFFICIENT_CAPACITY, "Insufficient Capacity",
                        "no relayed port free of family " + family);
                return;
            }
            setRelay(a, family, first);
            if (!dual) {
                allocated(t, m, key, a, lifetime, 0);
            } else if (!server.serves(AddressFamily.IPV6)) {
                // RFC 8656 §7.2: the IPv4 half is granted, ADDRESS-ERROR-CODE says why IPv6 is not.
                allocated(t, m, key, a, lifetime, ErrorCode.ADDRESS_FAMILY_NOT_SUPPORTED);
            } else {
                server.openRelay(a, AddressFamily.IPV6, second -> {
                    if (second != null) {
                        setRelay(a, AddressFamily.IPV6, second);
                    }
                    allocated(t, m, key, a, lifetime, second == null ? ErrorCode.INSUFFICIENT_CAPACITY : 0);
                });
            }
        });
    }

    private static void setRelay(Allocation a, int family, Allocation.Relay r) {
        if (family == AddressFamily.IPV4) {
            a.relay4 = r;
        } else {
            a.relay6 = r;
        }
    }

    /**
     * The success response of RFC 8656 §7.2, kept for retransmissions: the lifetime granted (not
     * what is left of it once the sockets are bound), {@code ipv6Error} 0 or the code of
     * ADDRESS-ERROR-CODE.
     */
    private void allocated(Tuple t, StunMessage m, byte[] key, Allocation a, long lifetime, int ipv6Error) {
        if (a.deleted) {
            return;
        }
        a.pending = false;
        StunMessageBuilder b = StunMessageBuilder.responseTo(m, true);
        if (a.relay4 != null) {
            b.xorRelayedAddress(a.relay4.address());
        }
        if (a.relay6 != null) {
            b.xorRelayedAddress(a.relay6.address());
        }
        b.lifetime(lifetime / 1_000_000_000L).xorMappedAddress(mapped(t));
        if (ipv6Error != 0) {
            b.addressErrorCode(AddressFamily.IPV6, ipv6Error, ipv6Error == ErrorCode.ADDRESS_FAMILY_NOT_SUPPORTED
                    ? "Address Family not Supported" : "Insufficient Capacity");
        }
        server.counters.allocated();
        a.response = answer(t, m, b, key);
        LOG.log(System.Logger.Level.INFO, "turn: allocation of " + a.user + " from "
                + Families.text(t.link().client()) + (t.link().stream() ? " (TCP)" : " (UDP)") + ": relayed "
                + (a.relay4 == null ? "" : Families.text(a.relay4.address()) + " ")
                + (a.relay6 == null ? "" : Families.text(a.relay6.address())));
    }

    /**
     * RFC 8656 §7.2 and §8.2: the client's LIFETIME capped at max-lifetime, and never below the
     * default of 600 s; the default when absent.
     */
    private long lifetimeNanos(StunMessage m) {
        long dflt = TurnSettings.DEFAULT_LIFETIME.toSeconds();
        long asked = m.lifetime() < 0 ? dflt : m.lifetime();
        return Math.max(dflt, Math.min(asked, s.maxLifetime().toSeconds())) * 1_000_000_000L;
    }

    /** RFC 8656 §8.2. */
    private void refresh(Tuple t, StunMessage m, byte[] key) {
        Allocation a = t.allocation();
        if (a == null || a.pending) {
            mismatch(t, m, key, "Refresh without an allocation");
            return;
        }
        int family = m.requestedAddressFamily();
        if (family >= 0 && a.relay(family) == null) {
            fail(t, m, key, TurnRefusal.PEER_FAMILY_MISMATCH, ErrorCode.PEER_ADDRESS_FAMILY_MISMATCH,
                    "Peer Address Family Mismatch", "Refresh of family " + family + " the allocation lacks");
            return;
        }
        if (m.lifetime() == 0) {
            // A dual allocation may give up one family (RFC 8656 §8.2); otherwise lifetime 0 deletes.
            if (family >= 0 && a.relay4 != null && a.relay6 != null) {
                server.dropFamily(a, family);
            } else {
                server.delete(a, false);
            }
            answer(t, m, StunMessageBuilder.responseTo(m, true).lifetime(0), key);
            return;
        }
        long lifetime = lifetimeNanos(m);
        a.expiresAt = server.now() + lifetime;
        answer(t, m, StunMessageBuilder.responseTo(m, true).lifetime(lifetime / 1_000_000_000L), key);
    }

    /** RFC 8656 §10.2: every peer is checked before any permission is installed. */
    private void createPermission(Tuple t, StunMessage m, byte[] key) {
        Allocation a = t.allocation();
        if (a == null || a.pending) {
            mismatch(t, m, key, "CreatePermission without an allocation");
            return;
        }
        List<InetSocketAddress> peers = m.xorPeerAddresses();
        if (peers.isEmpty()) {
            badRequest(t, m, key, "CreatePermission without XOR-PEER-ADDRESS");
            return;
        }
        for (InetSocketAddress p : peers) {
            if (!checkPeer(t, m, key, a, p)) {
                return;
            }
        }
        long now = server.now();
        for (InetSocketAddress p : peers) {
            if (!a.permit(p.getAddress(), now)) {
                fail(t, m, key, TurnRefusal.CAPACITY, ErrorCode.INSUFFICIENT_CAPACITY, "Insufficient Capacity",
                        Allocation.MAX_PERMISSIONS + " permissions held");
                return;
            }
            server.counters.permission();
        }
        answer(t, m, StunMessageBuilder.responseTo(m, true), key);
    }

    /** 443 for a peer of a family the allocation has no relayed address of (RFC 8656 §10.2, §12.2), 403 for a forbidden one. */
    private boolean checkPeer(Tuple t, StunMessage m, byte[] key, Allocation a, InetSocketAddress p) {
        if (!a.hasFamily(p.getAddress())) {
            fail(t, m, key, TurnRefusal.PEER_FAMILY_MISMATCH, ErrorCode.PEER_ADDRESS_FAMILY_MISMATCH,
                    "Peer Address Family Mismatch", "peer " + Families.text(p));
            return false;
        }
        String why = server.peers.refusal(p.getAddress());
        if (why != null) {
            fail(t, m, key, TurnRefusal.PEER_FORBIDDEN, ErrorCode.FORBIDDEN, "Forbidden",
                    "peer " + Families.text(p) + " of " + a.user + ": " + why);
            return false;
        }
        return true;
    }

    /** RFC 8656 §12.2. */
    private void channelBind(Tuple t, StunMessage m, byte[] key) {
        Allocation a = t.allocation();
        if (a == null || a.pending) {
            mismatch(t, m, key, "ChannelBind without an allocation");
            return;
        }
        int number = m.channelNumber();
        List<InetSocketAddress> peers = m.xorPeerAddresses();
        if (!ChannelDataView.isChannel(number) || peers.isEmpty()) {
            badRequest(t, m, key, "ChannelBind needs a channel in 0x4000-0x4FFF (got " + number + ") and an"
                    + " XOR-PEER-ADDRESS (got " + peers.size() + ")");
            return;
        }
        InetSocketAddress peer = peers.getFirst();
        if (!checkPeer(t, m, key, a, peer)) {
            return;
        }
        // A channel is bound to one peer, a peer to one channel, until 5 minutes after expiry (§12).
        Allocation.Binding byNumber = a.channel(number);
        Allocation.Binding byPeer = a.channelOf(peer);
        if (byNumber != null && !byNumber.peer.equals(peer) || byPeer != null && byPeer.number != number) {
            badRequest(t, m, key, String.format("channel 0x%04x or peer %s bound otherwise", number, Families.text(peer)));
            return;
        }
        long now = server.now();
        if (!a.permit(peer.getAddress(), now)) {
            fail(t, m, key, TurnRefusal.CAPACITY, ErrorCode.INSUFFICIENT_CAPACITY, "Insufficient Capacity",
                    Allocation.MAX_PERMISSIONS + " permissions held");
            return;
        }
        a.bind(number, peer, now);
        server.counters.permission();
        server.counters.channel();
        answer(t, m, StunMessageBuilder.responseTo(m, true), key);
    }

    /**
     * RFC 8656 §11.2: a Send indication's DATA goes to its XOR-PEER-ADDRESS when the allocation
     * has a permission for it; indications are never answered, so a refusal is only counted.
     */
    private void send(Tuple t, StunMessage m) {
        Allocation a = t.allocation();
        if (a == null || a.pending) {
            server.counters.refuse(TurnRefusal.ALLOCATION_MISMATCH);
            return;
        }
        List<InetSocketAddress> peers = m.xorPeerAddresses();
        byte[] data = m.data();
        if (!m.unknownComprehensionRequired().isEmpty()) {
            server.counters.refuse(TurnRefusal.UNKNOWN_ATTRIBUTE); // RFC 8489 §6.3.2: discarded, not answered
            return;
        }
        if (peers.isEmpty() || data == null) {
            server.counters.refuse(TurnRefusal.BAD_REQUEST);
            return;
        }
        if (m.has(StunAttributeType.DONT_FRAGMENT)) {
            server.counters.refuse(TurnRefusal.UNKNOWN_ATTRIBUTE); // §11.2: dropped when DF cannot be set
            return;
        }
        server.toPeer(a, peers.getFirst(), Unpooled.wrappedBuffer(data), server.now());
    }

    private void mismatch(Tuple t, StunMessage m, byte[] key, String why) {
        fail(t, m, key, TurnRefusal.ALLOCATION_MISMATCH, ErrorCode.ALLOCATION_MISMATCH, "Allocation Mismatch",
                why + " from " + Families.text(t.link().client()));
    }

    private void badRequest(Tuple t, StunMessage m, byte[] key, String why) {
        fail(t, m, key, TurnRefusal.BAD_REQUEST, ErrorCode.BAD_REQUEST, "Bad Request",
                why + " from " + Families.text(t.link().client()));
    }

    private void fail(Tuple t, StunMessage m, byte[] key, TurnRefusal r, int code, String reason, String why) {
        server.refuse(r, StunMethod.name(m.method()) + ": " + why);
        answer(t, m, error(m, code, reason), key);
    }

    private static StunMessageBuilder error(StunMessage m, int code, String reason) {
        return StunMessageBuilder.responseTo(m, false).errorCode(code, reason);
    }

    /**
     * Sends a response with the integrity the request had (RFC 8489 §9.2.4: -SHA256 when the
     * client used it) and a FINGERPRINT when the request had one; returns its bytes.
     */
    private static byte[] answer(Tuple t, StunMessage m, StunMessageBuilder b, byte[] key) {
        if (key != null) {
            if (m.has(StunAttributeType.MESSAGE_INTEGRITY_SHA256)) {
                b.messageIntegritySha256(key);
            } else {
                b.messageIntegrity(key);
            }
        }
        if (m.has(StunAttributeType.FINGERPRINT)) {
            b.fingerprint();
        }
        byte[] bytes = b.encode();
        t.link().send(Unpooled.wrappedBuffer(bytes));
        return bytes;
    }
}
