package dev.isthmus.alg.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.relay.DescriptorBudget;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code request-head-timeout} (issue 19 item 1): a deadline for the request head, not an idle
 * timer. A client that trickles its head a byte a second gets 408 Request Timeout (RFC 9110
 * §15.5.9) when the time from accept is up; a kept-alive connection waits for its next request
 * under the idle timeout, and that request's head has the deadline again from its first byte.
 * The client's clock is frozen and moved by hand.
 */
class RequestHeadDeadlineTest {
    static final InetSocketAddress CLIENT = new InetSocketAddress("2001:db8:99::2", 40000);
    static final String HEAD = "GET /page HTTP/1.1\r\nHost: www.example.test\r\n\r\n";

    final HttpCounters counters = new HttpCounters();

    EmbeddedChannel connect(Connector connector) {
        return GatewayChannels.client(CLIENT, GatewayChannels.SETTINGS,
                GatewayChannels.admission(GatewayChannels.SETTINGS, DescriptorBudget.unlimited(), counters), counters,
                GatewayChannels.SITE_ONLY, connector);
    }

    static void advance(EmbeddedChannel ch, long millis) {
        ch.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        ch.runPendingTasks();
        ch.checkException();
    }

    @Test
    void aHeadTrickledAByteASecondIsCutAtTheDeadlineFromAccept() {
        EmbeddedChannel ch = connect(GatewayChannels.REFUSES);
        long timeout = GatewayChannels.SETTINGS.requestHeadTimeout().toMillis();
        for (int i = 0; i < timeout / 1000 - 1; i++) {
            GatewayChannels.send(ch, HEAD.substring(i, i + 1));
            advance(ch, 1000);
        }
        assertTrue(ch.isActive(), "1 s before the deadline, the connection is still open");
        assertEquals("", GatewayChannels.written(ch));
        GatewayChannels.send(ch, HEAD.substring(9, 10)); // a byte now does not move the deadline
        advance(ch, 1000);
        String response = GatewayChannels.written(ch);
        assertTrue(response.startsWith("HTTP/1.1 408 Request Timeout\r\n"), response);
        assertTrue(response.contains("Connection: close\r\n"), response);
        assertTrue(response.endsWith("\r\n\r\n408 Request Timeout: request-head-timeout\n"), response);
        assertFalse(ch.isActive());
        assertEquals(1, counters.refused(HttpRefusal.REQUEST_HEAD_TIMEOUT));
        ch.finishAndReleaseAll();
    }

    @Test
    void aConnectionThatSendsNothingIsClosedAtTheDeadline() {
        EmbeddedChannel ch = connect(GatewayChannels.REFUSES);
        advance(ch, GatewayChannels.SETTINGS.requestHeadTimeout().toMillis() - 1);
        assertTrue(ch.isActive());
        advance(ch, 1);
        assertFalse(ch.isActive());
        assertEquals(1, counters.refused(HttpRefusal.REQUEST_HEAD_TIMEOUT));
        ch.finishAndReleaseAll();
    }

    @Test
    void theNextHeadOnAKeptAliveConnectionIsTimedFromItsFirstByte() {
        EmbeddedChannel server = new EmbeddedChannel();
        EmbeddedChannel ch = connect(GatewayChannels.connectsTo(server));
        long timeout = GatewayChannels.SETTINGS.requestHeadTimeout().toMillis();
        advance(ch, timeout - 1000);
        GatewayChannels.send(ch, HEAD);
        assertTrue(GatewayChannels.written(server).startsWith("GET /page HTTP/1.1\r\n"));
        advance(ch, 5000); // the head is whole: the server may take its time
        GatewayChannels.send(server, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        ch.runPendingTasks();
        assertTrue(GatewayChannels.written(ch).startsWith("HTTP/1.1 200 OK\r\n"));
        // Waiting for the next request is the idle timeout's business (60 s here), not the deadline's.
        advance(ch, 3 * timeout);
        assertTrue(ch.isActive(), "a kept-alive connection waits for its next request");
        GatewayChannels.send(ch, HEAD.substring(0, 5));
        advance(ch, timeout - 1);
        assertTrue(ch.isActive());
        advance(ch, 1);
        assertTrue(GatewayChannels.written(ch).startsWith("HTTP/1.1 408 "));
        assertFalse(ch.isActive());
        assertEquals(1, counters.refused(HttpRefusal.REQUEST_HEAD_TIMEOUT));
        ch.finishAndReleaseAll();
        server.finishAndReleaseAll();
    }
}
