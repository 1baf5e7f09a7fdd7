package dev.isthmus.alg.sip.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.alg.sip.RelayPorts;
import dev.isthmus.alg.sip.Sdp;
import dev.isthmus.alg.sip.SdpStream;
import dev.isthmus.relay.DescriptorBudget;
import dev.isthmus.relay.SocketPlane;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The media relay on loopback: [::1] is the IPv6 relay address, 127.0.0.1 the IPv4 one; an IPv6
 * caller and an IPv4 callee are JDK datagram sockets whose SDP is parsed by {@link Sdp}, as the
 * proxy will hand it over.
 */
@Timeout(30)
class MediaRelayTest {
    static final InetAddress V6 = address("::1");
    static final InetAddress V4 = address("127.0.0.1");

    /**
     * An RTP packet (RFC 3550 §5.1): V=2, P=0, X=0, CC=0; M=0, PT=0 (PCMU, RFC 3551 §6); sequence
     * number 1; timestamp 160 (20 ms at 8000 Hz); SSRC 0xdeadbeef. Then 160 bytes of μ-law
     * silence (0xff, RFC 3551 §4.5.14's G.711): one 20 ms frame, 172 bytes in all.
     */
    static final byte[] RTP = rtp("""
            80000001
            000000a0
            deadbeef
            """);

    /**
     * An empty RTCP receiver report (RFC 3550 §6.4.2): V=2, P=0, RC=0, PT=201 (RR), length 1 (two
     * 32-bit words less one); SSRC of the sender 0xcafebabe.
     */
    static final byte[] RTCP = hex("""
            80c90001
            cafebabe
            """);

    SocketPlane plane;
    MediaRelay relay;
    int firstPort;

    @BeforeEach
    void start() {
        plane = SocketPlane.start(1);
        // An even start in 20000-31000: below the ephemeral ports (32768 and up) the phones get,
        // which the relay would refuse as its own; random, so that tests run side by side rarely meet.
        firstPort = 20_000 + 2 * ThreadLocalRandom.current().nextInt(5_500);
    }

    @AfterEach
    void stop() {
        if (relay != null) {
            relay.close();
        }
        plane.close();
    }

    MediaRelay relay(InetAddress ipv4, InetAddress ipv6, int ports, Duration timeout, int maxCalls, int maxStreams) {
        relay = MediaRelay.start(plane, new MediaSettings(ipv4, ipv6, firstPort, firstPort + ports - 1, timeout,
                maxCalls, maxStreams));
        return relay;
    }

    MediaRelay relay() {
        return relay(V4, V6, 200, MediaSettings.DEFAULT_TIMEOUT, 10, MediaSettings.DEFAULT_MAX_STREAMS);
    }

    // ------------------------------------------------------------------------------------------

    @Test
    void anIpv6CallerAndAnIpv4CalleeExchangeRtpAndRtcpBothWays() throws Exception {
        relay();
        try (Phone alice = new Phone(V6); Phone bob = new Phone(V4)) {
            MediaCall call = relay.call("c1@example.test", V6, V4);
            // The offer: the callee is told the IPv4 relay ports, the caller's SDP is announced.
            RelayPorts toBob = call.ports(Leg.CALLEE, 0);
            assertEquals(V4, call.relayAddress(Leg.CALLEE));
            call.announced(Leg.CALLER, alice.sdp(false));
            // Media before the answer has nowhere to go.
            bob.rtp.send(packet(RTP, V4, toBob.rtp()));
            await(() -> relay.counters().dropped(MediaDrop.NO_ANSWER) == 1);

            // The answer: the caller is told the IPv6 relay ports.
            RelayPorts toAlice = call.ports(Leg.CALLER, 0);
            assertEquals(V6, call.relayAddress(Leg.CALLER));
            call.announced(Leg.CALLEE, bob.sdp(false));

            alice.rtp.send(packet(RTP, V6, toAlice.rtp()));
            DatagramPacket in = bob.receive(bob.rtp);
            assertArrayEquals(RTP, bytes(in));
            // Symmetric RTP (RFC 4961 §3): Bob's media comes from where Bob sends his.
            assertEquals(new InetSocketAddress(V4, toBob.rtp()), in.getSocketAddress());

            bob.rtp.send(packet(RTP, V4, toBob.rtp()));
            in = alice.receive(alice.rtp);
            assertArrayEquals(RTP, bytes(in));
            assertEquals(new InetSocketAddress(V6, toAlice.rtp()), in.getSocketAddress());

            alice.rtcp.send(packet(RTCP, V6, toAlice.rtcp()));
            in = bob.receive(bob.rtcp);
            assertArrayEquals(RTCP, bytes(in));
            assertEquals(new InetSocketAddress(V4, toBob.rtcp()), in.getSocketAddress());

            bob.rtcp.send(packet(RTCP, V4, toBob.rtcp()));
            assertArrayEquals(RTCP, bytes(alice.receive(alice.rtcp)));

            MediaCounters c = relay.counters();
            // Counted before it is sent; the wait is for the memory model, which knows no sockets.
            await(() -> c.packets() == 4);
            assertEquals(2L * (RTP.length + RTCP.length), c.bytes());
            assertEquals(1, c.opened());
            assertEquals(1, c.active());
            MediaCallStats stats = relay.calls().getFirst();
            assertEquals("c1@example.test", stats.callId());
            assertEquals(StandardProtocolFamily.INET6, stats.callerFamily());
            assertEquals(StandardProtocolFamily.INET, stats.calleeFamily());
            MediaCallStats.Stream s = stats.streams().getFirst();
            assertEquals(new MediaCallStats.Stream(0, toAlice, toBob, alice.rtpAddress(), alice.rtpAddress(),
                    bob.rtpAddress(), bob.rtpAddress(), 2, RTP.length + RTCP.length, 2, RTP.length + RTCP.length, 1),
                    s);
        }
    }

    /** The proxy on one of the plane's loops: the call takes that loop, and setup runs without waiting. */
    @Test
    void aProxyOnTheSameLoopSetsUpWithoutWaiting() throws Exception {
        relay();
        try (Phone alice = new Phone(V6); Phone bob = new Phone(V4)) {
            RelayPorts[] ports = plane.group().next().submit(() -> {
                MediaCall call = established(alice, bob);
                return new RelayPorts[] {call.ports(Leg.CALLER, 0), call.ports(Leg.CALLEE, 0)};
            }).get(5, TimeUnit.SECONDS);
            alice.rtp.send(packet(RTP, V6, ports[0].rtp()));
            assertArrayEquals(RTP, bytes(bob.receive(bob.rtp)));
            plane.group().next().submit(() -> relay.end("c@example.test", "BYE")).get(5, TimeUnit.SECONDS);
            assertEquals(0, relay.pool(StandardProtocolFamily.INET6).inUse());
        }
    }

    @Test
    void repliesGoWhereTheMediaReallyComesFrom() throws Exception {
        relay();
        try (Phone alice = new Phone(V6); Phone bob = new Phone(V4);
                DatagramSocket bobBehindNat = new DatagramSocket(0, V4)) {
            bobBehindNat.setSoTimeout(3000);
            MediaCall call = established(alice, bob);
            RelayPorts toBob = call.ports(Leg.CALLEE, 0);
            RelayPorts toAlice = call.ports(Leg.CALLER, 0);
            // Bob's SDP names bob.rtp, but his media comes from another port (a NAT's mapping).
            bobBehindNat.send(packet(RTP, V4, toBob.rtp()));
            assertArrayEquals(RTP, bytes(alice.receive(alice.rtp)));
            alice.rtp.send(packet(RTP, V6, toAlice.rtp()));
            assertArrayEquals(RTP, bytes(receive(bobBehindNat)));
            assertEquals(new InetSocketAddress(V4, bobBehindNat.getLocalPort()),
                    relay.calls().getFirst().streams().getFirst().calleeLatched());
        }
    }

    @Test
    void aThirdPartyIsDroppedOnceLatchedButTheAnnouncedAddressIsNot() throws Exception {
        relay();
        try (Phone alice = new Phone(V6); Phone bob = new Phone(V4);
                DatagramSocket bobBehindNat = new DatagramSocket(0, V4);
                DatagramSocket mallory = new DatagramSocket(0, V4)) {
            bobBehindNat.setSoTimeout(3000);
            MediaCall call = established(alice, bob);
            RelayPorts toBob = call.ports(Leg.CALLEE, 0);
            bobBehindNat.send(packet(RTP, V4, toBob.rtp()));
            assertArrayEquals(RTP, bytes(alice.receive(alice.rtp)));

            mallory.send(packet(RTP, V4, toBob.rtp()));
            await(() -> relay.counters().dropped(MediaDrop.WRONG_SOURCE) == 1);
            // The address Bob's own SDP names is let through.
            bob.rtp.send(packet(RTP, V4, toBob.rtp()));
            assertArrayEquals(RTP, bytes(alice.receive(alice.rtp)));
            await(() -> relay.counters().packets() == 2);
            assertEquals(1, relay.calls().getFirst().streams().getFirst().dropped());
        }
    }

    /** RFC 5761 §5.1.1: both sides announced a=rtcp-mux, so RTCP goes to and comes from the RTP port. */
    @Test
    void rtcpMuxGoesOverTheRtpPorts() throws Exception {
        relay();
        try (Phone alice = new Phone(V6); Phone bob = new Phone(V4)) {
            MediaCall call = relay.call("mux", V6, V4);
            RelayPorts toBob = call.ports(Leg.CALLEE, 0);
            call.announced(Leg.CALLER, alice.sdp(true));
            RelayPorts toAlice = call.ports(Leg.CALLER, 0);
            call.announced(Leg.CALLEE, bob.sdp(true));

            alice.rtp.send(packet(RTCP, V6, toAlice.rtp()));
            DatagramPacket in = bob.receive(bob.rtp);
            assertArrayEquals(RTCP, bytes(in));
            assertEquals(new InetSocketAddress(V4, toBob.rtp()), in.getSocketAddress());
            bob.rtp.send(packet(RTCP, V4, toBob.rtp()));
            assertArrayEquals(RTCP, bytes(alice.receive(alice.rtp)));
            bob.rtp.send(packet(RTP, V4, toBob.rtp()));
            assertArrayEquals(RTP, bytes(alice.receive(alice.rtp)));
        }
    }

    /** RFC 3264 §8.4: c=IN IP4 0.0.0.0 in Bob's re-INVITE asks that nothing be sent to him. */
    @Test
    void holdSendsNothing() throws Exception {
        relay();
        try (Phone alice = new Phone(V6); Phone bob = new Phone(V4)) {
            MediaCall call = established(alice, bob);
            RelayPorts toAlice = call.ports(Leg.CALLER, 0);
            call.announced(Leg.CALLEE, stream("""
                    v=0
                    o=bob 2808844564 2808844565 IN IP4 127.0.0.1
                    s=-
                    c=IN IP4 0.0.0.0
                    t=0 0
                    m=audio %d RTP/AVP 0
                    a=sendonly
                    """.formatted(bob.rtp.getLocalPort())));
            alice.rtp.send(packet(RTP, V6, toAlice.rtp()));
            await(() -> relay.counters().dropped(MediaDrop.HOLD) == 1);
            assertSilent(bob.rtp);
            assertEquals(0, relay.counters().packets());
        }
    }

    /** RFC 3264 §6: a stream answered with port 0 is rejected; nothing is relayed either way. */
    @Test
    void aRejectedStreamRelaysNothing() throws Exception {
        relay();
        try (Phone alice = new Phone(V6); Phone bob = new Phone(V4)) {
            MediaCall call = relay.call("rejected", V6, V4);
            RelayPorts toBob = call.ports(Leg.CALLEE, 0);
            call.announced(Leg.CALLER, alice.sdp(false));
            call.announced(Leg.CALLEE, stream("""
                    v=0
                    o=bob 2808844564 2808844564 IN IP4 127.0.0.1
                    s=-
                    c=IN IP4 127.0.0.1
                    t=0 0
                    m=audio 0 RTP/AVP 0
                    """));
            bob.rtp.send(packet(RTP, V4, toBob.rtp()));
            await(() -> relay.counters().dropped(MediaDrop.REJECTED) == 1);
            assertSilent(alice.rtp);
        }
    }

    /**
     * A re-INVITE keeps the relay's ports (so the other side's SDP need not change), takes the new
     * address and starts latching over: the media follows Bob to his new port.
     */
    @Test
    void aReAnnouncementKeepsThePortsAndLatchesAgain() throws Exception {
        relay();
        try (Phone alice = new Phone(V6); Phone bob = new Phone(V4); Phone bobMoved = new Phone(V4)) {
            MediaCall call = established(alice, bob);
            RelayPorts toBob = call.ports(Leg.CALLEE, 0);
            RelayPorts toAlice = call.ports(Leg.CALLER, 0);
            bob.rtp.send(packet(RTP, V4, toBob.rtp()));
            assertArrayEquals(RTP, bytes(alice.receive(alice.rtp)));

            call.announced(Leg.CALLEE, bobMoved.sdp(false));
            assertEquals(toBob, call.ports(Leg.CALLEE, 0));
            assertEquals(toAlice, call.ports(Leg.CALLER, 0));
            assertSame(call, relay.call("c@example.test", V6, V4));
            assertNull(relay.calls().getFirst().streams().getFirst().calleeLatched());
            // Before Bob's first datagram from there, the announced address.
            alice.rtp.send(packet(RTP, V6, toAlice.rtp()));
            assertArrayEquals(RTP, bytes(bobMoved.receive(bobMoved.rtp)));
            bobMoved.rtp.send(packet(RTP, V4, toBob.rtp()));
            assertArrayEquals(RTP, bytes(alice.receive(alice.rtp)));
            // The old address is a stranger now.
            bob.rtp.send(packet(RTP, V4, toBob.rtp()));
            await(() -> relay.counters().dropped(MediaDrop.WRONG_SOURCE) == 1);
        }
    }

    @Test
    void endFreesEveryPortAndClosesTheSockets() throws Exception {
        relay();
        try (Phone alice = new Phone(V6); Phone bob = new Phone(V4)) {
            MediaCall call = established(alice, bob);
            RelayPorts toBob = call.ports(Leg.CALLEE, 0);
            RelayPorts toAlice = call.ports(Leg.CALLER, 0);
            assertEquals(2, relay.pool(StandardProtocolFamily.INET).inUse());
            assertEquals(2, relay.pool(StandardProtocolFamily.INET6).inUse());
            assertEquals(4, plane.descriptors().used());

            relay.end("c@example.test", "BYE");
            relay.end("c@example.test", "BYE");
            assertEquals(0, relay.pool(StandardProtocolFamily.INET).inUse());
            assertEquals(0, relay.pool(StandardProtocolFamily.INET6).inUse());
            await(() -> plane.descriptors().used() == 0);
            assertNull(relay.find("c@example.test"));
            assertEquals(1, relay.counters().ended());
            assertEquals(0, relay.counters().active());
            // The ports are free for anyone: the relay's sockets are closed.
            new DatagramSocket(toBob.rtp(), V4).close();
            new DatagramSocket(toBob.rtcp(), V4).close();
            new DatagramSocket(toAlice.rtp(), V6).close();
            MediaUnavailable e = assertThrows(MediaUnavailable.class, () -> call.ports(Leg.CALLER, 1));
            assertEquals(MediaUnavailable.Reason.ENDED, e.reason());
        }
    }

    @Test
    void theMediaTimeoutEndsAnIdleCallAndTellsTheListener() throws Exception {
        relay(V4, V6, 200, Duration.ofMillis(300), 10, 4);
        BlockingQueue<String> timedOut = new ArrayBlockingQueue<>(4);
        relay.onTimeout(timedOut::add);
        try (Phone alice = new Phone(V6); Phone bob = new Phone(V4)) {
            MediaCall call = established(alice, bob);
            RelayPorts toBob = call.ports(Leg.CALLEE, 0);
            // Media keeps it alive past the timeout.
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(600);
            while (System.nanoTime() < until) {
                bob.rtp.send(packet(RTP, V4, toBob.rtp()));
                Thread.sleep(50);
            }
            assertSame(call, relay.find("c@example.test"));
            assertEquals("c@example.test", timedOut.poll(3, TimeUnit.SECONDS));
            assertNull(relay.find("c@example.test"));
            assertEquals(1, relay.counters().timedOut());
            assertEquals(1, relay.counters().ended());
            assertEquals(0, relay.pool(StandardProtocolFamily.INET).inUse());
            assertEquals(0, relay.pool(StandardProtocolFamily.INET6).inUse());
        }
    }

    @Test
    void anAddressOfTheOtherFamilyIsRefusedAndTheLastOneKept() throws Exception {
        relay();
        try (Phone alice = new Phone(V6); Phone bob = new Phone(V4); Phone bobV6 = new Phone(V6)) {
            MediaCall call = established(alice, bob);
            call.announced(Leg.CALLEE, bobV6.sdp(false));
            assertEquals(1, relay.counters().refused(MediaUnavailable.Reason.FAMILY));
            assertEquals(bob.rtpAddress(), relay.calls().getFirst().streams().getFirst().calleeAnnounced());
        }
    }

    /**
     * Two legs each pointed at the other's relay port would relay one datagram between the
     * relay's own sockets forever: an SDP that names a relay port is refused.
     */
    @Test
    void theRelaysOwnPortIsRefused() throws Exception {
        relay();
        try (Phone alice = new Phone(V6)) {
            MediaCall call = relay.call("loop", V6, V4);
            RelayPorts toBob = call.ports(Leg.CALLEE, 0);
            call.announced(Leg.CALLER, alice.sdp(false));
            call.announced(Leg.CALLEE, stream("""
                    v=0
                    o=- 1 1 IN IP4 127.0.0.1
                    s=-
                    c=IN IP4 127.0.0.1
                    t=0 0
                    m=audio %d RTP/AVP 0
                    """.formatted(toBob.rtp())));
            assertEquals(1, relay.counters().refused(MediaUnavailable.Reason.LOOP));
            assertNull(relay.calls().getFirst().streams().getFirst().calleeAnnounced());
        }
    }

    @Test
    void maxCallsIsARefusalCounted() throws Exception {
        relay(V4, V6, 200, MediaSettings.DEFAULT_TIMEOUT, 1, 4);
        MediaCall first = relay.call("one", V6, V4);
        MediaUnavailable e = assertThrows(MediaUnavailable.class, () -> relay.call("two", V6, V4));
        assertEquals(MediaUnavailable.Reason.CALLS, e.reason());
        assertEquals(1, relay.counters().refused(MediaUnavailable.Reason.CALLS));
        assertSame(first, relay.call("one", V6, V4));
        relay.end("one", "BYE");
        relay.call("two", V6, V4);
    }

    @Test
    void maxStreamsIsARefusalCounted() throws Exception {
        relay(V4, V6, 200, MediaSettings.DEFAULT_TIMEOUT, 10, 2);
        MediaCall call = relay.call("streams", V6, V4);
        call.ports(Leg.CALLER, 1);
        MediaUnavailable e = assertThrows(MediaUnavailable.class, () -> call.ports(Leg.CALLER, 2));
        assertEquals(MediaUnavailable.Reason.STREAMS, e.reason());
        assertEquals(1, relay.counters().refused(MediaUnavailable.Reason.STREAMS));
    }

    @Test
    void portExhaustionIsARefusalCountedPerFamily() throws Exception {
        relay(V4, V6, 2, MediaSettings.DEFAULT_TIMEOUT, 10, 4);
        MediaCall call = relay.call("ports", V6, V4);
        assertEquals(new RelayPorts(firstPort), call.ports(Leg.CALLER, 0));
        assertEquals(new RelayPorts(firstPort), call.ports(Leg.CALLEE, 0));
        MediaUnavailable e = assertThrows(MediaUnavailable.class, () -> call.ports(Leg.CALLEE, 1));
        assertEquals(MediaUnavailable.Reason.PORTS, e.reason());
        assertEquals(1, relay.counters().refused(MediaUnavailable.Reason.PORTS));
    }

    @Test
    void aFamilyWithoutARelayAddressIsARefusal() throws Exception {
        relay(V4, null, 200, MediaSettings.DEFAULT_TIMEOUT, 10, 4);
        MediaCall call = relay.call("v4only", V6, V4);
        call.ports(Leg.CALLEE, 0);
        MediaUnavailable e = assertThrows(MediaUnavailable.class, () -> call.ports(Leg.CALLER, 0));
        assertEquals(MediaUnavailable.Reason.NO_ADDRESS, e.reason());
        assertNull(call.relayAddress(Leg.CALLER));
        assertEquals(0, relay.pool(StandardProtocolFamily.INET6).inUse());
    }

    @Test
    void aPortTakenByAnotherProcessIsSkipped() throws Exception {
        relay(V4, V6, 4, MediaSettings.DEFAULT_TIMEOUT, 10, 4);
        try (DatagramSocket _ = new DatagramSocket(firstPort + 1, V4)) {
            MediaCall call = relay.call("bind", V6, V4);
            assertEquals(new RelayPorts(firstPort + 2), call.ports(Leg.CALLEE, 0));
            assertEquals(2, relay.pool(StandardProtocolFamily.INET).inUse());
        }
    }

    @Test
    void everyPairTakenByOthersIsABindRefusal() throws Exception {
        int pairs = MediaCall.BIND_ATTEMPTS + 1;
        relay(V4, V6, 2 * pairs, MediaSettings.DEFAULT_TIMEOUT, 10, 4);
        DatagramSocket[] squatters = new DatagramSocket[pairs];
        try {
            for (int i = 0; i < pairs; i++) {
                squatters[i] = new DatagramSocket(firstPort + 2 * i, V4);
            }
            MediaCall call = relay.call("bind", V6, V4);
            MediaUnavailable e = assertThrows(MediaUnavailable.class, () -> call.ports(Leg.CALLEE, 0));
            assertEquals(MediaUnavailable.Reason.BIND, e.reason());
            assertEquals(1, relay.counters().refused(MediaUnavailable.Reason.BIND));
            assertEquals(0, relay.pool(StandardProtocolFamily.INET).inUse());
            assertEquals(0, plane.descriptors().used());
        } finally {
            for (DatagramSocket s : squatters) {
                if (s != null) {
                    s.close();
                }
            }
        }
    }

    @Test
    void theDescriptorBudgetIsARefusalThatLeavesNothingOpen() throws Exception {
        plane.close();
        plane = SocketPlane.start(1, new DescriptorBudget(3));
        relay();
        MediaCall call = relay.call("fds", V6, V4);
        call.ports(Leg.CALLER, 0);
        MediaUnavailable e = assertThrows(MediaUnavailable.class, () -> call.ports(Leg.CALLEE, 0));
        assertEquals(MediaUnavailable.Reason.DESCRIPTORS, e.reason());
        assertEquals(1, relay.counters().refused(MediaUnavailable.Reason.DESCRIPTORS));
        assertEquals(0, relay.pool(StandardProtocolFamily.INET).inUse());
        await(() -> plane.descriptors().used() == 2);
    }

    @Test
    void settingsRefuseWhatCannotWork() {
        assertThrows(IllegalArgumentException.class, () -> MediaSettings.of(null, null, 30000, 39999));
        assertThrows(IllegalArgumentException.class, () -> MediaSettings.of(V6, null, 30000, 39999));
        assertThrows(IllegalArgumentException.class, () -> MediaSettings.of(V4, V6, 30000, 30000));
        assertNotEquals(null, MediaSettings.of(V4, null, 30000, 30001));
    }

    // ------------------------------------------------------------------------------------------

    /** The call c@example.test with stream 0 set up both ways: ports for both sides, both SDPs announced. */
    MediaCall established(Phone alice, Phone bob) throws MediaUnavailable, IOException {
        MediaCall call = relay.call("c@example.test", V6, V4);
        call.ports(Leg.CALLEE, 0);
        call.announced(Leg.CALLER, alice.sdp(false));
        call.ports(Leg.CALLER, 0);
        call.announced(Leg.CALLEE, bob.sdp(false));
        return call;
    }

    /** A phone: an RTP and an RTCP socket on the loopback address of its family. */
    static final class Phone implements AutoCloseable {
        final InetAddress address;
        final DatagramSocket rtp;
        final DatagramSocket rtcp;

        Phone(InetAddress address) throws IOException {
            this.address = address;
            this.rtp = new DatagramSocket(0, address);
            this.rtcp = new DatagramSocket(0, address);
            rtp.setSoTimeout(3000);
            rtcp.setSoTimeout(3000);
        }

        InetSocketAddress rtpAddress() {
            return new InetSocketAddress(address, rtp.getLocalPort());
        }

        /** Its SDP's one audio stream; RTCP on a port of its own, named by a=rtcp (RFC 3605 §2.1). */
        SdpStream sdp(boolean mux) {
            String ip = address.getAddress().length == 4 ? "IP4" : "IP6";
            return stream("""
                    v=0
                    o=- 2890844526 2890844526 IN %1$s %2$s
                    s=-
                    c=IN %1$s %2$s
                    t=0 0
                    m=audio %3$d RTP/AVP 0
                    a=rtcp:%4$d
                    %5$sa=rtpmap:0 PCMU/8000
                    """.formatted(ip, address.getHostAddress(), rtp.getLocalPort(), rtcp.getLocalPort(),
                    mux ? "a=rtcp-mux\n" : ""));
        }

        DatagramPacket receive(DatagramSocket s) throws IOException {
            return MediaRelayTest.receive(s);
        }

        @Override
        public void close() {
            rtp.close();
            rtcp.close();
        }
    }

    static SdpStream stream(String sdp) {
        try {
            List<SdpStream> streams = Sdp.parse(sdp.getBytes(StandardCharsets.US_ASCII)).streams();
            return streams.getFirst();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static DatagramPacket receive(DatagramSocket s) throws IOException {
        DatagramPacket in = new DatagramPacket(new byte[2048], 2048);
        s.receive(in);
        return in;
    }

    static void assertSilent(DatagramSocket s) throws IOException {
        s.setSoTimeout(200);
        assertThrows(SocketTimeoutException.class, () -> s.receive(new DatagramPacket(new byte[2048], 2048)));
    }

    static DatagramPacket packet(byte[] b, InetAddress to, int port) {
        return new DatagramPacket(b, b.length, new InetSocketAddress(to, port));
    }

    static byte[] bytes(DatagramPacket p) {
        return Arrays.copyOfRange(p.getData(), p.getOffset(), p.getOffset() + p.getLength());
    }

    /** Waits up to 3 s for {@code condition}: a datagram dropped shows only in the counters. */
    static void await(BooleanSupplier condition) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < until, "condition not met within 3 s");
            Thread.sleep(10);
        }
    }

    static byte[] hex(String rows) {
        return HexFormat.of().parseHex(rows.replaceAll("\\s", ""));
    }

    static byte[] rtp(String header) {
        byte[] h = hex(header);
        byte[] p = Arrays.copyOf(h, h.length + 160);
        Arrays.fill(p, h.length, p.length, (byte) 0xff);
        return p;
    }

    static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
