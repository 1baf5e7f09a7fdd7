package dev.isthmus.alg.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.relay.DescriptorBudget;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The gateway's connection limits (issue 19 item 1): a connection over {@code max-per-client},
 * {@code max-connections} or the socket plane's descriptors is closed at accept, before anything is
 * read or answered, and counted; closing a connection gives its slot back.
 */
class AdmissionTest {
    static final InetSocketAddress A = new InetSocketAddress("2001:db8:6::2", 40000);
    static final InetSocketAddress A2 = new InetSocketAddress("2001:db8:6::2", 40001);
    static final InetSocketAddress B = new InetSocketAddress("2001:db8:6::3", 40000);
    /** The IPv4 form of A's neighbour, as an IPv4-mapped address: counted as the IPv4 client. */
    static final InetSocketAddress C = new InetSocketAddress("::ffff:192.0.2.7", 40000);
    static final InetSocketAddress C4 = new InetSocketAddress("192.0.2.7", 40001);

    final HttpCounters counters = new HttpCounters();

    static HttpSettings limits(int total, int perClient) {
        HttpSettings s = GatewayChannels.SETTINGS;
        return new HttpSettings(s.forward(), s.reverse(), s.maxHeaderBytes(), s.idleTimeout(), s.connectTimeout(),
                total, perClient, Duration.ofSeconds(10));
    }

    EmbeddedChannel connect(InetSocketAddress from, HttpSettings s, Admission admission) {
        return GatewayChannels.client(from, s, admission, counters, GatewayChannels.ROUTES, GatewayChannels.REFUSES);
    }

    @Test
    void aClientOverMaxPerClientIsClosedAtAcceptOthersAreNot() {
        HttpSettings s = limits(10, 2);
        Admission admission = GatewayChannels.admission(s, DescriptorBudget.unlimited(), counters);
        EmbeddedChannel first = connect(A, s, admission);
        EmbeddedChannel second = connect(A2, s, admission);
        EmbeddedChannel third = connect(A, s, admission);
        assertTrue(first.isActive() && second.isActive());
        assertFalse(third.isOpen(), "the third connection of one address is closed at once");
        assertNull(third.readOutbound(), "and not answered");
        assertEquals(1, counters.refused(HttpRefusal.CLIENT_LIMIT));
        assertEquals(2, counters.connections(), "a refused connection is not a connection served");
        assertTrue(connect(B, s, admission).isActive(), "another address is served");
        first.close();
        assertTrue(connect(A, s, admission).isActive(), "a closed connection gives its slot back");
        assertEquals(1, counters.refused(HttpRefusal.CLIENT_LIMIT));
    }

    @Test
    void anIpv4MappedClientIsTheSameClientAsItsIpv4Address() {
        HttpSettings s = limits(10, 1);
        Admission admission = GatewayChannels.admission(s, DescriptorBudget.unlimited(), counters);
        assertTrue(connect(C, s, admission).isActive());
        assertFalse(connect(C4, s, admission).isOpen());
        assertEquals(1, counters.refused(HttpRefusal.CLIENT_LIMIT));
    }

    @Test
    void overMaxConnectionsEveryClientIsClosedAtAccept() {
        HttpSettings s = limits(2, 2);
        Admission admission = GatewayChannels.admission(s, DescriptorBudget.unlimited(), counters);
        EmbeddedChannel a = connect(A, s, admission);
        connect(B, s, admission);
        assertFalse(connect(C, s, admission).isOpen());
        assertEquals(1, counters.refused(HttpRefusal.TOTAL_LIMIT));
        assertEquals(2, counters.active());
        a.close();
        assertEquals(1, counters.active());
        assertTrue(connect(C, s, admission).isActive());
    }

    @Test
    void withoutDescriptorsLeftAConnectionIsClosedAtAcceptAndItsClientSlotFreed() {
        HttpSettings s = limits(10, 1);
        DescriptorBudget descriptors = new DescriptorBudget(1);
        Admission admission = GatewayChannels.admission(s, descriptors, counters);
        EmbeddedChannel a = connect(A, s, admission);
        assertEquals(1, descriptors.used());
        assertFalse(connect(B, s, admission).isOpen());
        assertEquals(1, counters.refused(HttpRefusal.DESCRIPTOR_LIMIT));
        a.close();
        assertEquals(0, descriptors.used());
        // B's refusal did not keep B's per-client slot (max-per-client is 1).
        assertTrue(connect(B, s, admission).isActive());
    }

    @Test
    void theAcceptRefusalsHaveNoStatusCode() {
        for (HttpRefusal r : List.of(HttpRefusal.TOTAL_LIMIT, HttpRefusal.CLIENT_LIMIT, HttpRefusal.DESCRIPTOR_LIMIT)) {
            assertEquals("none", r.statusText(), r.key());
        }
        assertEquals("408", HttpRefusal.REQUEST_HEAD_TIMEOUT.statusText());
    }
}
