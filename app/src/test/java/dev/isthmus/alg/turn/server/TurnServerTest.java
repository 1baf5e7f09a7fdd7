package dev.isthmus.alg.turn.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.addr.AddressSet;
import dev.isthmus.alg.turn.AddressFamily;
import dev.isthmus.alg.turn.SharedSecretCredentials;
import dev.isthmus.alg.turn.StunAttributeType;
import dev.isthmus.alg.turn.StunClass;
import dev.isthmus.alg.turn.StunMessage;
import dev.isthmus.alg.turn.StunMessageBuilder;
import dev.isthmus.alg.turn.StunMethod;
import dev.isthmus.relay.LocalAddresses;
import dev.isthmus.relay.SocketPlane;
import dev.isthmus.relay.TranslatedPrefixes;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The TURN server's rules, one test per rule of RFC 8656 (and RFC 8489's authentication),
 * driven over real sockets on loopback: the server listens on 127.0.0.1 and relays from
 * 127.0.0.1 and ::1, with loopback in {@code allow-peers} except where the peer rules are tested.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(30)
class TurnServerTest {
    static final String REALM = "example.test";
    static final String SECRET = "rest-secret";
    static final Inet4Address LOOP4 = (Inet4Address) address("127.0.0.1");
    static final Inet6Address LOOP6 = (Inet6Address) address("::1");
    static final AddressSet LOOPBACK = AddressSet.parse(List.of("127.0.0.0/8", "::1/128"));

    SocketPlane plane;
    TurnServer server;
    final AtomicLong clock = new AtomicLong(System.nanoTime());

    @BeforeAll
    void plane() {
        plane = SocketPlane.start(1);
    }

    @AfterAll
    void closePlane() {
        plane.close();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    static InetAddress address(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static TurnSettings settings(Inet4Address relay4, Inet6Address relay6, AddressSet allowPeers, int userQuota) {
        return new TurnSettings(List.of(new InetSocketAddress(LOOP4, 0)), REALM, relay4, relay6, 40000, 40999,
                AddressSet.parse(List.of("127.0.0.0/8")), allowPeers, Map.of("alice", "wonderland"), SECRET,
                userQuota, 1000, Duration.ofSeconds(3600));
    }

    InetSocketAddress start(TurnSettings s) throws IOException {
        server = TurnServer.start(plane, s, TranslatedPrefixes.NONE, clock::get, new LocalAddresses());
        return server.udpAddresses().getFirst();
    }

    InetSocketAddress start() throws IOException {
        return start(settings(LOOP4, LOOP6, LOOPBACK, 10));
    }

    static UnaryOperator<StunMessageBuilder> udpTransport() {
        return b -> b.requestedTransport(17);
    }

    static int code(StunMessage m) {
        assertEquals(StunClass.ERROR_RESPONSE, m.messageClass(), m.toString());
        return m.errorCode().code();
    }

    static void success(StunMessage m) {
        assertEquals(StunClass.SUCCESS_RESPONSE, m.messageClass(), () -> m + " " + m.errorCode());
    }

    /** RFC 8489 §6.3, §14.2: a Binding request gets XOR-MAPPED-ADDRESS, without credentials. */
    @Test
    void bindingAnswersWhereTheRequestCameFrom() throws IOException {
        InetSocketAddress at = start();
        try (TurnTestClient c = TurnTestClient.udp(at, "alice", "wonderland")) {
            StunMessage r = c.request(new StunMessageBuilder(StunMethod.BINDING, StunClass.REQUEST,
                    c.newTransactionId()).encode());
            success(r);
            assertEquals(c.local(), r.xorMappedAddress());
            assertEquals(1, server.counters().bindings());
        }
    }

    /**
     * The default listener, [::]:3478, is dual-stack: an IPv4 client reaches it as ::ffff:a.b.c.d,
     * and sees its plain IPv4 address in XOR-MAPPED-ADDRESS (family 0x01, RFC 8489 §14.2).
     */
    @Test
    void dualStackListenerAnswersIpv4ClientsInIpv4() throws IOException {
        TurnSettings s = settings(LOOP4, LOOP6, LOOPBACK, 10);
        InetSocketAddress at = start(new TurnSettings(List.of(new InetSocketAddress(address("::"), 0)), REALM, LOOP4,
                LOOP6, 40000, 40999, s.allow(), LOOPBACK, s.users(), null, 10, 1000, Duration.ofSeconds(3600)));
        try (TurnTestClient c = TurnTestClient.udp(new InetSocketAddress(LOOP4, at.getPort()), "alice", "wonderland")) {
            StunMessage r = c.request(new StunMessageBuilder(StunMethod.BINDING, StunClass.REQUEST,
                    c.newTransactionId()).encode());
            assertEquals(c.local(), r.xorMappedAddress());
            assertEquals(AddressFamily.IPV4, r.attribute(StunAttributeType.XOR_MAPPED_ADDRESS).value()[1]);
            success(c.authed(StunMethod.ALLOCATE, udpTransport()));
        }
    }

    /** RFC 8489 §9.2.4: no MESSAGE-INTEGRITY → 401 with REALM and NONCE, no MESSAGE-INTEGRITY of its own. */
    @Test
    void allocateWithoutCredentialsGets401WithRealmAndNonce() throws IOException {
        InetSocketAddress at = start();
        try (TurnTestClient c = TurnTestClient.udp(at, "alice", "wonderland")) {
            StunMessage r = c.request(udpTransport().apply(new StunMessageBuilder(StunMethod.ALLOCATE,
                    StunClass.REQUEST, c.newTransactionId())).encode());
            assertEquals(401, code(r));
            assertEquals(REALM, r.realm());
            assertNotNull(r.nonce());
            assertTrue(!r.has(StunAttributeType.MESSAGE_INTEGRITY));
            assertEquals(1, server.counters().refused(TurnRefusal.UNAUTHENTICATED));
        }
    }

    /** RFC 8489 §9.2.4: a wrong password is 401 again, with a fresh nonce. */
    @Test
    void wrongPasswordGets401WithANewNonce() throws IOException {
        InetSocketAddress at = start();
        try (TurnTestClient c = TurnTestClient.udp(at, "alice", "looking-glass")) {
            StunMessage first = c.request(udpTransport().apply(new StunMessageBuilder(StunMethod.ALLOCATE,
                    StunClass.REQUEST, c.newTransactionId())).encode());
            assertEquals(401, code(first));
            c.realm = first.realm();
            c.nonce = first.nonce();
            clock.addAndGet(1_000_000_000L);
            StunMessage second = c.request(c.signed(StunMethod.ALLOCATE, c.newTransactionId(), udpTransport()));
            assertEquals(401, code(second));
            assertNotEquals(first.nonce(), second.nonce());
            assertEquals(1, server.counters().refused(TurnRefusal.WRONG_CREDENTIALS));
        }
    }

    /** RFC 8489 §9.2.4: an expired nonce is 438 with a new one, which then works. */
    @Test
    void staleNonceGets438AndANewNonce() throws IOException {
        InetSocketAddress at = start();
        try (TurnTestClient c = TurnTestClient.udp(at, "alice", "wonderland")) {
            c.authed(StunMethod.BINDING, b -> b); // Binding needs no nonce; fetch one with an Allocate:
            StunMessage first = c.request(udpTransport().apply(new StunMessageBuilder(StunMethod.ALLOCATE,
                    StunClass.REQUEST, c.newTransactionId())).encode());
            c.realm = first.realm();
            c.nonce = first.nonce();
            clock.addAndGet(Nonces.LIFETIME_NANOS + 1);
            StunMessage stale = c.request(c.signed(StunMethod.ALLOCATE, c.newTransactionId(), udpTransport()));
            assertEquals(438, code(stale));
            assertNotEquals(first.nonce(), stale.nonce());
            c.nonce = stale.nonce();
            success(c.request(c.signed(StunMethod.ALLOCATE, c.newTransactionId(), udpTransport())));
        }
    }

    /**
     * RFC 8656 §7.2: IPv4 when no family is asked for; XOR-RELAYED-ADDRESS, LIFETIME (the default
     * 600 s), XOR-MAPPED-ADDRESS, and MESSAGE-INTEGRITY with the user's key (RFC 8489 §9.2.4).
     */
    @Test
    void allocateGrantsAnIpv4RelayByDefault() throws IOException {
        InetSocketAddress at = start();
        try (TurnTestClient c = TurnTestClient.udp(at, "alice", "wonderland")) {
            StunMessage r = c.authed(StunMethod.ALLOCATE, udpTransport());
            success(r);
            assertEquals(LOOP4, r.xorRelayedAddress().getAddress());
            assertTrue(r.xorRelayedAddress().getPort() >= 40000 && r.xorRelayedAddress().getPort() <= 40999);
            assertEquals(600, r.lifetime());
            assertEquals(c.local(), r.xorMappedAddress());
            assertEquals(StunMessage.Integrity.VALID, r.checkIntegrity(c.key()));
            assertEquals(1, server.counters().active());
        }
    }

    /** RFC 8656 §7.2: a retransmitted Allocate gets the same answer; another transaction on the 5-tuple gets 437. */
    @Test
    void retransmissionGetsTheSameAnswerAndAnotherAllocateGets437() throws IOException {
        InetSocketAddress at = start();
        try (TurnTestClient c = TurnTestClient.udp(at, "alice", "wonderland")) {
            c.authed(StunMethod.REFRESH, b -> b); // learns realm and nonce (437: no allocation yet)
            byte[] id = c.newTransactionId();
            byte[] request = c.signed(StunMethod.ALLOCATE, id, udpTransport());
            StunMessage first = c.request(request);
            success(first);
            StunMessage again = c.request(request);
            assertArrayEquals(first.bytes(), again.bytes());
            assertEquals(437, code(c.authed(StunMethod.ALLOCATE, udpTransport())));
            assertEquals(1, server.counters().allocations());
        }
    }

    /** RFC 8656 §7.2: REQUESTED-TRANSPORT must be there (400) and be UDP, 17 (442). */
    @Test
    void transportMustBeUdp() throws IOException {
        InetSocketAddress at = start();
        try (TurnTestClient c = TurnTestClient.udp(at, "alice", "wonderland")) {
            assertEquals(400, code(c.authed(StunMethod.ALLOCATE, b -> b)));
            assertEquals(442, code(c.authed(StunMethod.ALLOCATE, b -> b.requestedTransport(6))));
            assertEquals(1, server.counters().refused(TurnRefusal.UNSUPPORTED_TRANSPORT));
        }
    }

    /** RFC 8656 §7.2: a family the server has no relay address of is 440; one it has is granted. */
    @Test
    void requestedAddressFamily() throws IOException {
        InetSocketAddress at = start(settings(LOOP4, null, LOOPBACK, 10));
        try (TurnTestClient c = TurnTestClient.udp(at, "alice", "wonderland")) {
            assertEquals(440, code(c.authed(StunMethod.ALLOCATE,
                    b -> b.requestedTransport(17).requestedAddressFamily(AddressFamily.IPV6))));
        }
        server.close();
        at = start(settings(null, LOOP6, LOOPBACK, 10));
        try (TurnTestClient c = TurnTestClient.udp(at, "alice", "wonderland")) {
            // No family asked for means IPv4, which this server lacks.
            assertEquals(440, code(c.authed(StunMethod.ALLOCATE, udpTransport())));
            StunMessage r = c.authed(StunMethod.ALLOCATE,
                    b -> b.requestedTransport(17).requestedAddressFamily(AddressFamily.IPV6));
            success(r);
            assertEquals(LOOP6, r.xorRelayedAddress().getAddress());
        }
    }

    /** RFC 8656 §7.2: ADDITIONAL-ADDRESS-FAMILY IPv6 asks for both; without IPv6, IPv4 and ADDRESS-ERROR-CODE 440. */
    @Test
    void dualAllocation() throws IOException {
        InetSocketAddress at = start();
        try (TurnTestClient c = TurnTestClient.udp(at, "alice", "wonderland")) {
            StunMessage r = c.authed(StunMethod.ALLOCATE,
                    b -> b.requestedTransport(17).additionalAddressFamily(AddressFamily.IPV6));
            success(r);
            // Two XOR-RELAYED-ADDRESS, IPv4 first; the family is the second byte of the value (RFC 8489 §14.1).
            List<Integer> families = r.attributes(StunAttributeType.XOR_RELAYED_ADDRESS).stream()
                    .map(x -> (int) x.value()[1]).toList();
            assertEquals(List.of(AddressFamily.IPV4, AddressFamily.IPV6), families);
            assertEquals(LOOP4, r.xorRelayedAddress().getAddress());
        }
        try (TurnTestClient c = TurnTestClient.udp(at, "alice", "wonderland")) {
            assertEquals(400, code(c.authed(StunMethod.ALLOCATE,
                    b -> b.requestedTransport(17).additionalAddressFamily(AddressFamily.IPV4))));
            assertEquals(400, code(c.authed(StunMethod.ALLOCATE, b -> b.requestedTransport(17)
                    .requestedAddressFamily(AddressFamily.IPV4).additionalAddressFamily(AddressFamily.IPV6))));
        }
        server.close();
        at = start(settings(LOOP4, null, LOOPBACK, 10));
        try (TurnTestClient c = TurnTestClient.udp(at, "alice", "wonderland")) {
            StunMessage r = c.authed(StunMethod.ALLOCATE,
                    b -> b.requestedTransport(17).additionalAddressFamily(AddressFamily.IPV6));
            success(r);
            assertEquals(LOOP4, r.xorRelayedAddress().getAddress());
            assertEquals(1, r.attributes(StunAttributeType.XOR_RELAYED_ADDRESS).size());
            assertEquals(AddressFamily.IPV6, r.addressErrorCode().family());
            assertEquals(440, r.addressErrorCode().code());
        }
    }

    /** RFC 8656 §7.2: the lifetime asked for is capped at the maximum and never below the default. */
    @Test
    void lifetimeIsClamped() throws IOException {
        InetSocketAddress at = start();
        try (TurnTestClient c = TurnTestClient.udp(at, "alice", "wonderland")) {
            assertEquals(3600, c.authed(StunMethod.ALLOCATE, b -> b.requestedTransport(17).lifetime(7200)).lifetime());
            assertEquals(600, c.authed(StunMethod.REFRESH, b -> b.lifetime(10)).lifetime());
            assertEquals(1800, c.authed(StunMethod.REFRESH, b -> b.lifetime(1800)).lifetime());
        }
    }

    /** RFC 8656 §8.2: LIFETIME 0 deletes, the port goes back; then Refresh is 437. */
    @Test
    void refreshWithLifetimeZeroDeletes() throws IOException {
        InetSocketAddress at = start();
        try (TurnTestClient c = TurnTestClient.udp(at, "alice", "wonderland")) {
            success(c.authed(StunMethod.ALLOCATE, udpTransport()));
            StunMessage r = c.authed(StunMethod.REFRESH, b -> b.lifetime(0));
            success(r);
            assertEquals(0, r.lifetime());
            assertEquals(0, server.counters().active());
            assertEquals(437, code(c.authed(StunMethod.REFRESH, b -> b.lifetime(600))));
            // The 5-tuple is free again.
            success(c.authed(StunMethod.ALLOCATE, udpTransport()));
        }
    }

    /** RFC 8656 §8.2: a Refresh naming a family the allocation lacks is 443. */
    @Test
    void refreshOfAFamilyTheAllocationLacksIs443() throws IOException {
        InetSocketAddress at = start();
        try (TurnTestClient c = TurnTestClient.udp(at, "alice", "wonderland")) {
            success(c.authed(StunMethod.ALLOCATE, udpTransport()));
            assertEquals(443, code(c.authed(StunMethod.REFRESH,
                    b -> b.lifetime(600).requestedAddressFamily(AddressFamily.IPV6))));
        }
    }

    /** RFC 8656 §8.2: LIFETIME 0 with REQUESTED-ADDRESS-FAMILY gives up one family of a dual allocation. */
    @Test
    void refreshCanDropOneFamilyOfADualAllocation() throws IOException {
        InetSocketAddress at = start();
        try (TurnTestClient c = TurnTestClient.udp(at, "alice", "wonderland")) {
            success(c.authed(StunMethod.ALLOCATE, b -> b.requestedTransport(17).additionalAddressFamily(AddressFamily.IPV6)));
            success(c.authed(StunMethod.REFRESH, b -> b.lifetime(0).requestedAddressFamily(AddressFamily.IPV6)));
            assertEquals(1, server.counters().active());
            assertEquals(443, code(c.authed(StunMethod.CREATE_PERMISSION,
                    b -> b.xorPeerAddress(new InetSocketAddress(LOOP6, 9)))));
            success(c.authed(StunMethod.CREATE_PERMISSION, b -> b.xorPeerAddress(new InetSocketAddress(LOOP4, 9))));
        }
    }

    /** RFC 8489 §9.2.4: MESSAGE-INTEGRITY without USERNAME, REALM or NONCE is 400. */
    @Test
    void integrityWithoutNonceIs400() throws IOException {
        InetSocketAddress at = start();
        try (TurnTestClient c = TurnTestClient.udp(at, "alice", "wonderland")) {
            c.realm = REALM;
            StunMessage r = c.request(udpTransport().apply(new StunMessageBuilder(StunMethod.ALLOCATE,
                    StunClass.REQUEST, c.newTransactionId())).username("alice").realm(REALM)
                    .messageIntegrity(c.key()).encode());
            assertEquals(400, code(r));
        }
    }

    /** RFC 8656 §6: an allocation whose lifetime ran out is deleted and its port freed. */
    @Test
    void expiredAllocationsAreDeleted() throws Exception {
        InetSocketAddress at = start();
        try (TurnTestClient c = TurnTestClient.udp(at, "alice", "wonderland")) {
            success(c.authed(StunMethod.ALLOCATE, udpTransport()));
            clock.addAndGet(601_000_000_000L);
            long end = System.nanoTime() + 5_000_000_000L;
            while (server.counters().active() != 0 && System.nanoTime() < end) {
                Thread.sleep(50);
            }
            assertEquals(0, server.counters().active());
            assertEquals(1, server.counters().expired());
        }
    }

    /** RFC 8656 §10.2: no XOR-PEER-ADDRESS is 400, a peer of a family the allocation lacks 443. */
    @Test
    void createPermissionRules() throws IOException {
        InetSocketAddress at = start();
        try (TurnTestClient c = TurnTestClient.udp(at, "alice", "wonderland")) {
            assertEquals(437, code(c.authed(StunMethod.CREATE_PERMISSION,
                    b -> b.xorPeerAddress(new InetSocketAddress(LOOP4, 9)))));
            success(c.authed(StunMethod.ALLOCATE, udpTransport()));
            assertEquals(400, code(c.authed(StunMethod.CREATE_PERMISSION, b -> b)));
            assertEquals(443, code(c.authed(StunMethod.CREATE_PERMISSION,
                    b -> b.xorPeerAddress(new InetSocketAddress(LOOP6, 9)))));
            success(c.authed(StunMethod.CREATE_PERMISSION, b -> b.xorPeerAddress(new InetSocketAddress(LOOP4, 9))));
            assertEquals(1, server.counters().permissions());
        }
    }

    /** RFC 8656 §21 and the peer rules: loopback, private and NAT64 peers are 403 unless in allow-peers. */
    @Test
    void forbiddenPeersAre403() throws IOException {
        InetSocketAddress at = start(settings(LOOP4, LOOP6, AddressSet.NONE, 10));
        try (TurnTestClient c = TurnTestClient.udp(at, "alice", "wonderland")) {
            success(c.authed(StunMethod.ALLOCATE, b -> b.requestedTransport(17).additionalAddressFamily(AddressFamily.IPV6)));
            for (String peer : List.of("127.0.0.1", "10.1.2.3", "192.168.1.1", "169.254.169.254", "0.0.0.0",
                    "224.0.0.1", "::1", "fd00::1", "fe80::1", "64:ff9b::a01:203", "64:ff9b:1::1")) {
                assertEquals(403, code(c.authed(StunMethod.CREATE_PERMISSION,
                        b -> b.xorPeerAddress(new InetSocketAddress(address(peer), 9)))), peer);
            }
            success(c.authed(StunMethod.CREATE_PERMISSION,
                    b -> b.xorPeerAddress(new InetSocketAddress(address("192.0.2.1"), 9))));
            assertEquals(11, server.counters().refused(TurnRefusal.PEER_FORBIDDEN));
        }
    }

    /**
     * RFC 8656 §11.2 and §11.3: a Send indication reaches the peer once a permission is there;
     * the peer's answer comes back as a Data indication naming it in XOR-PEER-ADDRESS.
     */
    @Test
    void sendAndDataIndications() throws IOException {
        InetSocketAddress at = start();
        try (TurnTestClient c = TurnTestClient.udp(at, "alice", "wonderland");
                DatagramSocket peer = new DatagramSocket(new InetSocketAddress(LOOP4, 0))) {
            peer.setSoTimeout(500);
            InetSocketAddress peerAt = (InetSocketAddress) peer.getLocalSocketAddress();
            InetSocketAddress relayed = c.authed(StunMethod.ALLOCATE, udpTransport()).xorRelayedAddress();
            byte[] send = new StunMessageBuilder(StunMethod.SEND, StunClass.INDICATION, c.newTransactionId())
                    .xorPeerAddress(peerAt).data("hello".getBytes()).encode();
            c.send(send);
            assertNull(receive(peer), "relayed without a permission");
            success(c.authed(StunMethod.CREATE_PERMISSION, b -> b.xorPeerAddress(peerAt)));
            c.send(send);
            DatagramPacket got = receive(peer);
            assertNotNull(got);
            assertEquals("hello", new String(got.getData(), 0, got.getLength()));
            assertEquals(relayed, got.getSocketAddress());
            peer.send(new DatagramPacket("world".getBytes(), 5, relayed));
            StunMessage data = TurnTestClient.decode(c.receive());
            assertEquals(StunMethod.DATA, data.method());
            assertEquals(StunClass.INDICATION, data.messageClass());
            assertEquals(peerAt, data.xorPeerAddresses().getFirst());
            assertEquals("world", new String(data.data()));
            assertEquals(1, server.counters().packetsToPeer());
            assertEquals(1, server.counters().packetsToClient());
            assertEquals(1, server.counters().refused(TurnRefusal.NO_PERMISSION));
        }
    }

    static DatagramPacket receive(DatagramSocket s) throws IOException {
        DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
        try {
            s.receive(p);
            return p;
        } catch (java.net.SocketTimeoutException e) {
            return null;
        }
    }

    /** RFC 8656 §12.2: the channel must be 0x4000-0x4FFF, one peer per channel and one channel per peer (400). */
    @Test
    void channelBindRules() throws IOException {
        InetSocketAddress at = start();
        InetSocketAddress p1 = new InetSocketAddress(LOOP4, 5001);
        InetSocketAddress p2 = new InetSocketAddress(LOOP4, 5002);
        try (TurnTestClient c = TurnTestClient.udp(at, "alice", "wonderland")) {
            success(c.authed(StunMethod.ALLOCATE, udpTransport()));
            assertEquals(400, code(c.authed(StunMethod.CHANNEL_BIND, b -> b.channelNumber(0x3FFF).xorPeerAddress(p1))));
            assertEquals(400, code(c.authed(StunMethod.CHANNEL_BIND, b -> b.channelNumber(0x5000).xorPeerAddress(p1))));
            assertEquals(400, code(c.authed(StunMethod.CHANNEL_BIND, b -> b.channelNumber(0x4000))));
            success(c.authed(StunMethod.CHANNEL_BIND, b -> b.channelNumber(0x4000).xorPeerAddress(p1)));
            success(c.authed(StunMethod.CHANNEL_BIND, b -> b.channelNumber(0x4000).xorPeerAddress(p1))); // refresh
            assertEquals(400, code(c.authed(StunMethod.CHANNEL_BIND, b -> b.channelNumber(0x4000).xorPeerAddress(p2))));
            assertEquals(400, code(c.authed(StunMethod.CHANNEL_BIND, b -> b.channelNumber(0x4001).xorPeerAddress(p1))));
            assertEquals(443, code(c.authed(StunMethod.CHANNEL_BIND,
                    b -> b.channelNumber(0x4002).xorPeerAddress(new InetSocketAddress(LOOP6, 5001)))));
            success(c.authed(StunMethod.CHANNEL_BIND, b -> b.channelNumber(0x4FFF).xorPeerAddress(p2)));
        }
    }

    /**
     * RFC 8656 §12.4-12.7 over UDP: ChannelData 0x4000 with 5 bytes reaches the bound peer; its
     * answer comes back as ChannelData on the same channel, unpadded over UDP.
     */
    @Test
    void channelDataOverUdp() throws IOException {
        InetSocketAddress at = start();
        try (TurnTestClient c = TurnTestClient.udp(at, "alice", "wonderland");
                DatagramSocket peer = new DatagramSocket(new InetSocketAddress(LOOP4, 0))) {
            peer.setSoTimeout(2000);
            InetSocketAddress peerAt = (InetSocketAddress) peer.getLocalSocketAddress();
            InetSocketAddress relayed = c.authed(StunMethod.ALLOCATE, udpTransport()).xorRelayedAddress();
            // Unbound channel: dropped.
            c.send(HexFormat.of().parseHex("4000000568656c6c6f"));
            success(c.authed(StunMethod.CHANNEL_BIND, b -> b.channelNumber(0x4000).xorPeerAddress(peerAt)));
            c.send(HexFormat.of().parseHex(
                    "40000005" // channel 0x4000, length 5
                    + "68656c6c6f")); // "hello"
            DatagramPacket got = receive(peer);
            assertEquals("hello", new String(got.getData(), 0, got.getLength()));
            assertEquals(relayed, got.getSocketAddress());
            peer.send(new DatagramPacket("abc".getBytes(), 3, relayed));
            assertEquals("40000003" + "616263", HexFormat.of().formatHex(c.receive()));
            assertEquals(1, server.counters().refused(TurnRefusal.UNBOUND_CHANNEL));
        }
    }

    /** RFC 8656 §5 and §12.5 over TCP: STUN and ChannelData on one stream, ChannelData padded to 4 both ways. */
    @Test
    void channelDataOverTcpIsPadded() throws IOException {
        InetSocketAddress at = start();
        try (TurnTestClient c = TurnTestClient.tcp(at, "alice", "wonderland");
                DatagramSocket peer = new DatagramSocket(new InetSocketAddress(LOOP4, 0))) {
            peer.setSoTimeout(2000);
            InetSocketAddress peerAt = (InetSocketAddress) peer.getLocalSocketAddress();
            InetSocketAddress relayed = c.authed(StunMethod.ALLOCATE, udpTransport()).xorRelayedAddress();
            success(c.authed(StunMethod.CHANNEL_BIND, b -> b.channelNumber(0x4001).xorPeerAddress(peerAt)));
            c.send(HexFormat.of().parseHex(
                    "40010005" // channel 0x4001, length 5
                    + "68656c6c6f000000")); // "hello" and 3 bytes of padding
            DatagramPacket got = receive(peer);
            assertEquals("hello", new String(got.getData(), 0, got.getLength()));
            peer.send(new DatagramPacket("abc".getBytes(), 3, relayed));
            assertEquals("40010003" + "61626300", HexFormat.of().formatHex(c.receive()));
        }
        // The connection's allocation goes with it.
        long end = System.nanoTime() + 2_000_000_000L;
        while (server.counters().active() != 0 && System.nanoTime() < end) {
            Thread.onSpinWait();
        }
        assertEquals(0, server.counters().active());
    }

    /** A TCP connection without an allocation is closed once idle: a bound on the connection table. */
    @Test
    void idleTcpConnectionsWithoutAllocationAreClosed() throws Exception {
        InetSocketAddress at = start();
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(at, 2000);
            s.setSoTimeout(5000);
            s.getOutputStream().write(new StunMessageBuilder(StunMethod.BINDING, StunClass.REQUEST,
                    new byte[12]).encode());
            s.getInputStream().readNBytes(32); // the Binding success: 20 + XOR-MAPPED-ADDRESS (12)
            clock.addAndGet(TurnServer.TCP_IDLE_NANOS + 1);
            assertEquals(-1, s.getInputStream().read());
        }
    }

    /** user-quota: one allocation too many is 486. */
    @Test
    void userQuotaIs486() throws IOException {
        InetSocketAddress at = start(settings(LOOP4, LOOP6, LOOPBACK, 1));
        try (TurnTestClient c1 = TurnTestClient.udp(at, "alice", "wonderland");
                TurnTestClient c2 = TurnTestClient.udp(at, "alice", "wonderland")) {
            success(c1.authed(StunMethod.ALLOCATE, udpTransport()));
            assertEquals(486, code(c2.authed(StunMethod.ALLOCATE, udpTransport())));
            assertEquals(1, server.counters().refused(TurnRefusal.QUOTA));
        }
    }

    /** The REST-style shared secret: "expiry:user" with base64(HMAC-SHA1(secret, username)); expired names are refused. */
    @Test
    void sharedSecretCredentials() throws IOException {
        InetSocketAddress at = start();
        long now = System.currentTimeMillis() / 1000;
        String current = SharedSecretCredentials.username(now + 3600, "bob");
        String expired = SharedSecretCredentials.username(now - 10, "bob");
        byte[] secret = SECRET.getBytes();
        try (TurnTestClient c = TurnTestClient.udp(at, current, SharedSecretCredentials.password(secret, current))) {
            success(c.authed(StunMethod.ALLOCATE, udpTransport()));
        }
        try (TurnTestClient c = TurnTestClient.udp(at, expired, SharedSecretCredentials.password(secret, expired))) {
            assertEquals(401, code(c.authed(StunMethod.ALLOCATE, udpTransport())));
        }
    }

    /** RFC 8489 §9.2.4: a request with MESSAGE-INTEGRITY-SHA256 gets a response with it. */
    @Test
    void sha256IntegrityIsAnsweredInKind() throws IOException {
        InetSocketAddress at = start();
        try (TurnTestClient c = TurnTestClient.udp(at, "alice", "wonderland")) {
            c.sha256 = true;
            StunMessage r = c.authed(StunMethod.ALLOCATE, udpTransport());
            success(r);
            assertTrue(r.has(StunAttributeType.MESSAGE_INTEGRITY_SHA256));
            assertEquals(StunMessage.Integrity.VALID, r.checkIntegrity(c.key()));
        }
    }

    /** allow: a client outside it gets no answer at all, and a counted refusal. */
    @Test
    void clientsOutsideAllowAreIgnored() throws IOException {
        TurnSettings s = settings(LOOP4, LOOP6, LOOPBACK, 10);
        InetSocketAddress at = start(new TurnSettings(s.listen(), REALM, LOOP4, LOOP6, 40000, 40999,
                AddressSet.parse(List.of("192.0.2.0/24")), LOOPBACK, s.users(), null, 10, 1000, Duration.ofSeconds(3600)));
        try (TurnTestClient c = TurnTestClient.udp(at, "alice", "wonderland")) {
            c.send(new StunMessageBuilder(StunMethod.BINDING, StunClass.REQUEST, c.newTransactionId()).encode());
            assertNull(c.receive());
            assertEquals(1, server.counters().refused(TurnRefusal.CLIENT_NOT_ALLOWED));
        }
    }

    /** RFC 8489 §6.3.1.1: an unknown comprehension-required attribute is 420 listing it. */
    @Test
    void unknownComprehensionRequiredAttributeIs420() throws IOException {
        InetSocketAddress at = start();
        try (TurnTestClient c = TurnTestClient.udp(at, "alice", "wonderland")) {
            StunMessage r = c.authed(StunMethod.ALLOCATE, b -> b.requestedTransport(17).add(0x7777, new byte[4]));
            assertEquals(420, code(r));
            assertEquals(List.of(0x7777), r.unknownAttributes());
            assertEquals(StunMessage.Integrity.VALID, r.checkIntegrity(c.key()));
        }
    }

    @Test
    void translationPrefixes() {
        assertTrue(PeerPolicy.isTranslationPrefix(address("64:ff9b::192.0.2.1").getAddress()));
        assertTrue(PeerPolicy.isTranslationPrefix(address("64:ff9b:1:2::1").getAddress()));
        assertTrue(!PeerPolicy.isTranslationPrefix(address("64:ff9b:2::1").getAddress()));
        assertTrue(!PeerPolicy.isTranslationPrefix(address("2001:db8::1").getAddress()));
    }
}
