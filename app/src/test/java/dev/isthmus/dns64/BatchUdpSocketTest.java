package dev.isthmus.dns64;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The recvmmsg/sendmmsg socket of the UDP loop, on loopback. */
class BatchUdpSocketTest {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(Dns64Fixture.address("127.0.0.1"), 0);

    @Test
    void datagramsFromSeveralClientsAreAnsweredEachToItsSender() throws Exception {
        try (BatchUdpSocket s = BatchUdpSocket.bind(LOOPBACK, 1000);
                BatchUdpSocket.Batch b = new BatchUdpSocket.Batch();
                DatagramSocket c1 = client();
                DatagramSocket c2 = client()) {
            assertNotEquals(0, s.localAddress().getPort());
            send(c1, s, "one");
            send(c2, s, "two");
            send(c1, s, "three");
            List<String> got = new ArrayList<>();
            while (got.size() < 3) {
                int n = s.receive(b);
                assertTrue(n > 0, "received " + n);
                for (int i = 0; i < n; i++) {
                    String d = new String(b.datagram(i));
                    got.add(d + " from " + b.sender(i).getPort());
                    b.answer(i, ("re " + d).getBytes());
                }
                assertEquals(0, s.send(b));
            }
            assertEquals(List.of("one from " + c1.getLocalPort(), "two from " + c2.getLocalPort(),
                    "three from " + c1.getLocalPort()), got);
            assertEquals("re one", receive(c1));
            assertEquals("re three", receive(c1));
            assertEquals("re two", receive(c2));
        }
    }

    @Test
    void anEmptyDatagramAndTheLargestOneComeThroughWhole() throws Exception {
        try (BatchUdpSocket s = BatchUdpSocket.bind(LOOPBACK, 1000);
                BatchUdpSocket.Batch b = new BatchUdpSocket.Batch();
                DatagramSocket c = client()) {
            byte[] large = new byte[65_507]; // the most an IPv4 UDP datagram carries
            for (int i = 0; i < large.length; i++) {
                large[i] = (byte) i;
            }
            c.send(new DatagramPacket(new byte[0], 0, s.localAddress()));
            c.send(new DatagramPacket(large, large.length, s.localAddress()));
            List<byte[]> got = new ArrayList<>();
            while (got.size() < 2) {
                int n = s.receive(b);
                for (int i = 0; i < n; i++) {
                    got.add(b.datagram(i));
                }
            }
            assertEquals(0, got.get(0).length);
            assertArrayEquals(large, got.get(1));
        }
    }

    @Test
    void aDualStackSocketGivesAnIpv4ClientAsIpv4AndAnswersIt() throws Exception {
        try (BatchUdpSocket s = BatchUdpSocket.bind(new InetSocketAddress(Dns64Fixture.address("::"), 0), 1000);
                BatchUdpSocket.Batch b = new BatchUdpSocket.Batch();
                DatagramSocket c = client()) {
            InetSocketAddress to = new InetSocketAddress(Dns64Fixture.address("127.0.0.1"), s.localAddress().getPort());
            c.send(new DatagramPacket("v4".getBytes(), 2, to));
            assertEquals(1, s.receive(b));
            InetSocketAddress sender = b.sender(0);
            assertInstanceOf(Inet4Address.class, sender.getAddress());
            assertEquals(c.getLocalPort(), sender.getPort());
            b.answer(0, "ok".getBytes());
            assertEquals(0, s.send(b));
            assertEquals("ok", receive(c));
        }
    }

    @Test
    void anotherThreadSendsToARawSenderAddress() throws Exception {
        try (BatchUdpSocket s = BatchUdpSocket.bind(LOOPBACK, 1000);
                BatchUdpSocket.Batch b = new BatchUdpSocket.Batch();
                DatagramSocket c = client()) {
            send(c, s, "later");
            assertEquals(1, s.receive(b));
            byte[] to = b.sockaddr(0);
            AtomicInteger result = new AtomicInteger(-1);
            Thread t = Thread.startVirtualThread(() -> result.set(s.sendTo("answer".getBytes(), to)));
            t.join(5000);
            assertEquals(0, result.get());
            assertEquals("answer", receive(c));
        }
    }

    @Test
    void aReceiveWithNothingToReceiveTimesOut() throws Exception {
        try (BatchUdpSocket s = BatchUdpSocket.bind(LOOPBACK, 50); BatchUdpSocket.Batch b = new BatchUdpSocket.Batch()) {
            assertEquals(-BatchUdpSocket.EAGAIN, s.receive(b));
        }
    }

    @Test
    void shutdownWakesAWaitingReceiver() throws Exception {
        try (BatchUdpSocket s = BatchUdpSocket.bind(LOOPBACK, 60_000)) {
            AtomicInteger result = new AtomicInteger(Integer.MIN_VALUE);
            Thread t = Thread.ofPlatform().start(() -> {
                try (BatchUdpSocket.Batch b = new BatchUdpSocket.Batch()) {
                    result.set(s.receive(b));
                }
            });
            Thread.sleep(100);
            long start = System.nanoTime();
            s.shutdown();
            t.join(5000);
            assertTrue(System.nanoTime() - start < 5_000_000_000L, "woken well before the receive timeout");
            assertTrue(result.get() != Integer.MIN_VALUE, "the receive returned");
        }
    }

    @Test
    void anAddressInUseIsAnIoExceptionThatSaysSo() throws Exception {
        try (BatchUdpSocket s = BatchUdpSocket.bind(LOOPBACK, 1000)) {
            IOException e = assertThrows(IOException.class, () -> BatchUdpSocket.bind(s.localAddress(), 1000));
            assertTrue(e.getMessage().contains("EADDRINUSE"), e.getMessage());
        }
    }

    @Test
    void aClosedSocketSendsNothing() throws Exception {
        BatchUdpSocket s = BatchUdpSocket.bind(LOOPBACK, 1000);
        s.close();
        assertEquals(BatchUdpSocket.EBADF, s.sendTo(new byte[1], new byte[16]));
    }

    private static DatagramSocket client() throws IOException {
        DatagramSocket c = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        c.setSoTimeout(5000);
        return c;
    }

    private static void send(DatagramSocket c, BatchUdpSocket s, String text) throws IOException {
        byte[] d = text.getBytes();
        c.send(new DatagramPacket(d, d.length, s.localAddress()));
    }

    private static String receive(DatagramSocket c) throws IOException {
        DatagramPacket p = new DatagramPacket(new byte[100], 100);
        c.receive(p);
        return new String(p.getData(), 0, p.getLength());
    }
}
