package dev.isthmus.alg.sip.proxy;

import static dev.isthmus.alg.sip.proxy.SipLab.sip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A non-INVITE toward a silent next hop, for Timer F's whole 64*T1 = 32 s: retransmitted by
 * Timer E, and never answered 408 (RFC 4320 §4.2).
 */
class SipProxyTimerTest {
    private SipLab lab;

    @BeforeEach
    void start() throws Exception {
        lab = SipLab.start();
    }

    @AfterEach
    void stop() throws Exception {
        lab.close();
    }

    @Test
    void aNonInviteIsRetransmittedUpToT2AndNeverAnswered408() throws Exception {
        Phone alice = lab.phone6();
        Phone bob = lab.phone4();
        String options = sip("""
                OPTIONS sip:bob@%s SIP/2.0
                Via: SIP/2.0/UDP %s;branch=z9hG4bKsilent
                Max-Forwards: 70
                To: <sip:bob@%s>
                From: <sip:alice@example.test>;tag=4u7x
                Call-ID: silent@pc33
                CSeq: 1 OPTIONS
                Content-Length: *

                """.formatted(bob.hostPort(), alice.hostPort(), bob.hostPort()));
        alice.send(options, lab.listen6);
        List<Long> arrivals = new ArrayList<>();
        long start = System.nanoTime();
        long end = start + 35_000_000_000L;
        while (System.nanoTime() < end) {
            byte[] b = bob.receiveBytes((int) Math.max(1, (end - System.nanoTime()) / 1_000_000));
            if (b != null) {
                arrivals.add((System.nanoTime() - start) / 1_000_000);
            }
        }
        // §17.1.2.2: Timer E from T1 doubling to T2 (500, 1000, 2000, 4000, 4000 ... ms) until Timer F at 32 s.
        long[] expected = {0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500};
        assertEquals(expected.length, arrivals.size(), arrivals::toString);
        // Measured from the first transmission: a cold JVM takes a while over the first request.
        for (int i = 0; i < expected.length; i++) {
            long at = arrivals.get(i) - arrivals.getFirst();
            assertTrue(Math.abs(at - expected[i]) < 400, "transmission " + i + " at " + at + " ms: " + arrivals);
        }
        // RFC 4320 §4.2: a proxy's non-INVITE transaction that times out ends silently: no 408 upstream.
        alice.assertSilent(500);
        assertEquals(1, lab.proxy.counters().refused(SipRefusal.TIMEOUT));
        // Its retransmission is still absorbed for a while (§17.2.2), with nothing to answer.
        alice.send(options, lab.listen6);
        alice.assertSilent(500);
        bob.assertSilent(100);
    }
}
