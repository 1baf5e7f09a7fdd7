package dev.isthmus.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.cli.lab.Shell;
import dev.isthmus.cli.lab.Topology;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The TURN server ({@code [turn]}, docs/SIP.md) against coturn's own tools: {@code turnutils_uclient}
 * in the IPv6-only client namespace talks TURN over IPv6 to isthmus in the middle, asks for an
 * IPv4 relayed address (REQUESTED-ADDRESS-FAMILY, RFC 8656 §7.2), and exchanges datagrams with
 * {@code turnutils_peer}, an echo in the IPv4-only server namespace: the seed's media path, an
 * IPv6-only client reaching an IPv4-only peer. Over UDP and over TCP, with a configured user and
 * with the REST-style shared secret; then the refusals: a wrong password (401, then 401 with a
 * new nonce, seen in the counters) and a loopback peer (403).
 *
 * <p>The data goes in Send and Data indications ({@code -s}): uclient picks its channel numbers in
 * RFC 5766's 0x4000-0x7FFF, and RFC 8656 §12 narrowed the range to 0x4000-0x4FFF, so three binds
 * in four get 400 from this server. ChannelData is tested by TurnServerTest.
 *
 * <pre>
 *  client 2001:db8:6::2 ── [2001:db8:6::1]:3478 isthmus, relaying from 198.51.100.1 ── 198.51.100.2:3480 turnutils_peer
 * </pre>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(90)
class TurnE2E {
    static final String CONFIG = """
            [turn]
            listen = "[2001:db8:6::1]:3478"
            realm = "isthmus.test"
            relay-ipv4 = "198.51.100.1"
            ports = "49152-49999"
            allow = ["2001:db8:6::/64"]
            static-auth-secret = "rest-secret"

            [[turn.users]]
            name = "alice"
            password = "wonderland"
            """;
    static final int MESSAGES = 50;

    SocketLab lab;

    @BeforeAll
    @Timeout(90)
    void start() {
        lab = SocketLab.start(CONFIG, "", new String[] {"turnutils_uclient", "coturn"},
                new String[] {"turnutils_peer", "coturn"}, new String[] {"tshark", "tshark"});
        lab.peer(lab.server(), "turn-peer", "turnutils_peer", "-L", "198.51.100.2", "-p", "3480");
        lab.awaitLog("turn: listening");
        SocketLab.sleep(300); // turnutils_peer binds at once; leave it the moment to do so
    }

    @AfterAll
    @Timeout(60)
    void stop() {
        if (lab != null) {
            lab.close();
        }
    }

    /**
     * turnutils_uclient's run: {@code -c} (no RTCP allocation, which would ask for EVEN-PORT
     * reservations), {@code -X} an IPv4 relay, {@code -s} Send indications.
     */
    Shell.Result uclient(String password, String peer, String... flags) {
        String[] base = {"turnutils_uclient", "-c", "-X", "-s", "-u", "alice", "-w", password, "-e", peer, "-r", "3480",
            "-n", Integer.toString(MESSAGES), "-l", "120", "-p", "3478"};
        String[] cmd = new String[base.length + flags.length + 1];
        System.arraycopy(base, 0, cmd, 0, base.length);
        System.arraycopy(flags, 0, cmd, base.length, flags.length);
        cmd[cmd.length - 1] = "2001:db8:6::1";
        return lab.exec(lab.client(), cmd);
    }

    /** Messages sent and received, from uclient's final "start_mclient: tot_send_msgs=N, tot_recv_msgs=M". */
    void assertAllEchoed(Shell.Result r) {
        String out = r.describe() + "\n" + r.out() + r.err();
        Matcher m = Pattern.compile("start_mclient: tot_send_msgs=(\\d+), tot_recv_msgs=(\\d+)").matcher(out);
        assertTrue(m.find(), "no summary from turnutils_uclient:\n" + out + "\nisthmus:\n" + lab.log());
        assertEquals(MESSAGES, Integer.parseInt(m.group(1)), out);
        assertEquals(MESSAGES, Integer.parseInt(m.group(2)), out);
    }

    long turn(String counter) {
        String json = lab.statsJson();
        String turn = json.substring(json.indexOf("\"turn\":"));
        Matcher m = Pattern.compile("\"" + counter + "\":(\\d+)").matcher(turn);
        assertTrue(m.find(), counter + " not in " + json);
        return Long.parseLong(m.group(1));
    }

    @Test
    void ipv6ClientRelaysToIpv4Peer() {
        long toPeer = turn("packets-to-peer");
        long toClient = turn("packets-to-client");
        assertAllEchoed(uclient("wonderland", "198.51.100.2"));
        assertTrue(turn("packets-to-peer") - toPeer >= MESSAGES);
        assertTrue(turn("packets-to-client") - toClient >= MESSAGES);
        assertTrue(lab.log().contains("relayed 198.51.100.1:"), lab.log());
    }

    @Test
    void overTcp() {
        assertAllEchoed(uclient("wonderland", "198.51.100.2", "-t"));
    }

    @Test
    void restStyleSharedSecret() {
        Shell.Result r = lab.exec(lab.client(), "turnutils_uclient", "-c", "-X", "-s", "-u", "alice", "-W", "rest-secret",
                "-e", "198.51.100.2", "-r", "3480", "-n", Integer.toString(MESSAGES), "-p", "3478", "2001:db8:6::1");
        assertAllEchoed(r);
    }

    /**
     * RFC 8489 §9.2.4: the first request gets 401 with a nonce, the one with a wrong password 401
     * with a new nonce: in the counters, and on the wire (tshark on the middle's IPv6 side).
     */
    @Test
    void wrongPasswordIsRefused() {
        long unauthenticated = turn("unauthenticated");
        long wrong = turn("wrong-credentials");
        long allocations = turn("allocations");
        // tshark prints the NONCE of each 401 (ERROR-CODE class 4, number 1) as it passes, line-buffered.
        Process capture = lab.peer(lab.mid(), "tshark", "tshark", "-n", "-l", "-i", "x6", "-f", "udp port 3478",
                "-Y", "stun.att.error.class == 4 && stun.att.error == 1", "-T", "fields", "-e", "stun.att.nonce");
        awaitPeerLog("tshark", () -> lab.peerLog("tshark").contains("Capture started"));
        Shell.Result r = uclient("looking-glass", "198.51.100.2");
        awaitPeerLog("tshark", () -> nonces().size() >= 2);
        Topology.stop(capture, Duration.ofSeconds(5));
        assertTrue(!(r.out() + r.err()).contains("tot_recv_msgs=" + MESSAGES), r.out());
        assertTrue(turn("unauthenticated") > unauthenticated);
        assertTrue(turn("wrong-credentials") > wrong);
        assertEquals(allocations, turn("allocations"));
        List<String> nonces = nonces();
        assertNotEquals(nonces.get(0), nonces.get(1), lab.peerLog("tshark"));
    }

    /** The nonces tshark printed: this server's are the expiry in hex, a dash and an HMAC in base64url. */
    List<String> nonces() {
        return lab.peerLog("tshark").lines().filter(l -> l.matches("[0-9a-f]{1,16}-[A-Za-z0-9_-]+")).toList();
    }

    void awaitPeerLog(String name, java.util.function.BooleanSupplier done) {
        long end = System.nanoTime() + SocketLab.LIMIT.toNanos();
        while (!done.getAsBoolean() && System.nanoTime() < end) {
            SocketLab.sleep(100);
        }
        assertTrue(done.getAsBoolean(), name + ":\n" + lab.peerLog(name));
    }

    /** A peer on the server's own loopback is refused: 403 to CreatePermission. */
    @Test
    void loopbackPeerIsRefused() {
        long forbidden = turn("peer-forbidden");
        long toPeer = turn("packets-to-peer");
        uclient("wonderland", "127.0.0.1");
        assertTrue(turn("peer-forbidden") > forbidden);
        assertEquals(toPeer, turn("packets-to-peer"));
        assertTrue(lab.log().contains("refused (peer-forbidden)"), lab.log());
    }
}
