package dev.isthmus.alg.sip.proxy;

import static dev.isthmus.alg.sip.proxy.SipLab.sip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An OPTIONS and an INVITE toward silent next hops, for the whole 64*T1 = 32 s of Timers F and B
 * (one wait for both): each retransmitted by its timer, the INVITE answered 408 (§16.8), the
 * OPTIONS never (RFC 4320 §4.2).
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
    void silentNextHopsRetransmissionsAndTimeouts() throws Exception {
        Phone alice = lab.phone6();
        Phone bob = lab.phone4();
        Phone carol = lab.phone4();
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
        alice.send(SipProxyRoutingTest.invite("sip:carol@" + carol.hostPort(),
                "SIP/2.0/UDP " + alice.hostPort() + ";branch=z9hG4bKsilentinv", 70, "silent-invite@pc33", alice),
                lab.listen6);
        CompletableFuture<List<Long>> toCarol = CompletableFuture.supplyAsync(() -> arrivals(carol));
        List<Long> toBob = arrivals(bob);
        // §17.1.2.2: Timer E from T1 doubling to T2 (500, 1000, 2000, 4000, 4000 ... ms) until Timer F at 32 s.
        assertNear(new long[] {0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500}, toBob);
        // §17.1.1.2: Timer A doubles without a cap until Timer B at 32 s.
        assertNear(new long[] {0, 500, 1500, 3500, 7500, 15500, 31500}, toCarol.get());

        // §16.8 / §16.7 step 6: the INVITE's timeout is a 408 upstream; RFC 4320 §4.2: the
        // OPTIONS's ends silently.
        assertEquals("314159 INVITE", alice.receiveResponse(100).first("cseq").value());
        assertEquals("314159 INVITE", alice.receiveResponse(408).first("cseq").value());
        alice.assertSilent(500);
        assertEquals(2, lab.proxy.counters().refused(SipRefusal.TIMEOUT));
        // A retransmission of the OPTIONS is still absorbed for a while (§17.2.2), with nothing to answer.
        alice.send(options, lab.listen6);
        alice.assertSilent(500);
        bob.assertSilent(100);
        assertEquals(List.of(), lab.proxy.calls());
    }

    /** When the datagrams arrive at {@code p} in the next 35 s, in ms since the first. */
    private static List<Long> arrivals(Phone p) {
        List<Long> at = new ArrayList<>();
        long end = System.nanoTime() + 35_000_000_000L;
        long first = 0;
        while (System.nanoTime() < end) {
            byte[] b = p.receiveBytes((int) Math.max(1, (end - System.nanoTime()) / 1_000_000));
            if (b != null) {
                long now = System.nanoTime();
                if (at.isEmpty()) {
                    first = now; // a cold JVM takes a while over the first request: the timers count from there
                }
                at.add((now - first) / 1_000_000);
            }
        }
        return at;
    }

    private static void assertNear(long[] expected, List<Long> actual) {
        assertEquals(expected.length, actual.size(), actual::toString);
        for (int i = 0; i < expected.length; i++) {
            assertTrue(Math.abs(actual.get(i) - expected[i]) < 400, "transmission " + i + ": " + actual);
        }
    }
}
