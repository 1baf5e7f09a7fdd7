package dev.isthmus.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.isthmus.addr.AddressSet;
import dev.isthmus.addr.PortSet;
import dev.isthmus.relay.RelaySettings.Protocol;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The UDP relay on loopback, [::1] → 127.0.0.1, against an echo server of JDK datagram sockets. */
@Timeout(30)
class UdpRelayTest {
    SocketPlane plane;
    DatagramSocket echo;
    Thread echoer;
    Relay relay;

    @BeforeEach
    void start() throws IOException {
        plane = SocketPlane.start(1);
        echo = new DatagramSocket(0, InetAddress.getByName("127.0.0.1"));
        echoer = Thread.ofVirtual().start(() -> {
            byte[] buf = new byte[2048];
            while (!echo.isClosed()) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    echo.receive(p);
                    echo.send(new DatagramPacket(p.getData(), p.getLength(), p.getSocketAddress()));
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    @AfterEach
    void stop() {
        if (relay != null) {
            relay.close();
        }
        echo.close();
        plane.close();
    }

    void startRelay(String allow, int perClient, Duration idle) throws IOException {
        relay = Relay.start(plane, new RelaySettings("udp", Protocol.UDP, new InetSocketAddress("::1", 0),
                new InetSocketAddress("127.0.0.1", echo.getLocalPort()), null, AddressSet.parse(List.of(allow)),
                AddressSet.NONE, PortSet.ALL_BUT_SMTP, 100, perClient, idle, Duration.ofSeconds(1), false));
    }

    static String roundTrip(DatagramSocket c, InetSocketAddress to, String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.US_ASCII);
        c.send(new DatagramPacket(b, b.length, to));
        DatagramPacket in = new DatagramPacket(new byte[2048], 2048);
        c.receive(in);
        return new String(in.getData(), 0, in.getLength(), StandardCharsets.US_ASCII);
    }

    @Test
    void eachClientGetsItsOwnFlowBothWays() throws Exception {
        startRelay("::1", 10, Duration.ofMinutes(1));
        try (DatagramSocket a = new DatagramSocket(0, InetAddress.getByName("::1"));
                DatagramSocket b = new DatagramSocket(0, InetAddress.getByName("::1"))) {
            a.setSoTimeout(3000);
            b.setSoTimeout(3000);
            assertEquals("one", roundTrip(a, relay.address(), "one"));
            assertEquals("two", roundTrip(b, relay.address(), "two"));
            assertEquals("three", roundTrip(a, relay.address(), "three"));
        }
        assertEquals(2, relay.counters().accepted());
        assertEquals(2, relay.counters().active());
        assertEquals(11, relay.counters().bytesToServer());
        assertEquals(11, relay.counters().bytesToClient());
    }

    @Test
    void idleFlowsExpire() throws Exception {
        startRelay("::1", 10, Duration.ofMillis(300));
        try (DatagramSocket a = new DatagramSocket(0, InetAddress.getByName("::1"))) {
            a.setSoTimeout(3000);
            assertEquals("x", roundTrip(a, relay.address(), "x"));
        }
        for (int i = 0; i < 100 && relay.counters().active() != 0; i++) {
            Thread.sleep(20);
        }
        assertEquals(0, relay.counters().active());
        assertEquals(1, relay.counters().idleClosed());
    }

    @Test
    void refusesClientsNotInAllowAndOverTheLimit() throws Exception {
        startRelay("2001:db8::/32", 10, Duration.ofMinutes(1));
        try (DatagramSocket a = new DatagramSocket(0, InetAddress.getByName("::1"))) {
            a.setSoTimeout(300);
            assertThrows(SocketTimeoutException.class, () -> roundTrip(a, relay.address(), "no"));
        }
        assertEquals(1, relay.counters().refused(Refusal.CLIENT_NOT_ALLOWED));
        relay.close();
        startRelay("::1", 1, Duration.ofMinutes(1));
        try (DatagramSocket a = new DatagramSocket(0, InetAddress.getByName("::1"));
                DatagramSocket b = new DatagramSocket(0, InetAddress.getByName("::1"))) {
            a.setSoTimeout(3000);
            b.setSoTimeout(300);
            assertEquals("ok", roundTrip(a, relay.address(), "ok"));
            assertThrows(SocketTimeoutException.class, () -> roundTrip(b, relay.address(), "full"));
        }
        assertEquals(1, relay.counters().refused(Refusal.CLIENT_LIMIT));
    }
}
