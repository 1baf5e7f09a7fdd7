package dev.isthmus.alg.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.relay.SocketPlane;
import io.netty.channel.Channel;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** RFC 8305: the order of attempts, and the first address that answers wins. */
@Timeout(20)
class HappyEyeballsTest {
    static InetAddress a(String s) throws Exception {
        return InetAddress.getByName(s);
    }

    @Test
    void interleavesTheFamiliesIpv6First() throws Exception {
        List<InetSocketAddress> order = HappyEyeballs.interleave(
                List.of(a("192.0.2.1"), a("192.0.2.2"), a("2001:db8::1"), a("192.0.2.3")), 80);
        assertEquals(List.of("[2001:db8::1]:80", "192.0.2.1:80", "192.0.2.2:80", "192.0.2.3:80"),
                order.stream().map(dev.isthmus.relay.Families::text).toList());
    }

    @Test
    void anAddressThatDoesNotAnswerCostsNoMoreThanTheAttemptDelay() throws Exception {
        try (SocketPlane plane = SocketPlane.start(1); ServerSocket server = new ServerSocket(0, 5, a("127.0.0.1"))) {
            // ::1 on a port nobody listens on refuses at once; the IPv4 listener answers.
            int port = server.getLocalPort();
            long start = System.nanoTime();
            Promise<Channel> p = HappyEyeballs.connect(plane.group().next(), List.of(a("::1"), a("127.0.0.1")), port,
                    Duration.ofSeconds(5));
            Channel ch = p.get(5, TimeUnit.SECONDS);
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertEquals(a("127.0.0.1"), ((InetSocketAddress) ch.remoteAddress()).getAddress());
            // A refused attempt starts the next one at once (§5), not after 250 ms.
            assertTrue(ms < HappyEyeballs.ATTEMPT_DELAY.toMillis(), "took " + ms + " ms");
            ch.close().syncUninterruptibly();
        }
    }

    @Test
    void failsWithTheLastAttemptsReasonWhenNothingAnswers() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 5, a("127.0.0.1"))) {
            port = s.getLocalPort();
        }
        try (SocketPlane plane = SocketPlane.start(1)) {
            Promise<Channel> p = HappyEyeballs.connect(plane.group().next(), List.of(a("::1"), a("127.0.0.1")), port,
                    Duration.ofSeconds(5));
            ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> p.get(5, TimeUnit.SECONDS));
            Refused r = assertInstanceOf(Refused.class, e.getCause());
            assertEquals(HttpRefusal.CONNECT_FAILED, r.refusal());
        }
    }
}
