package dev.isthmus.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.cli.lab.Lab;
import dev.isthmus.cli.lab.LabChecks;
import dev.isthmus.cli.lab.LabChecks.Check;
import dev.isthmus.cli.lab.Topology;
import dev.isthmus.control.ControlClient;
import java.io.IOException;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Live translation through {@code isthmus run} between an IPv6-only client and an IPv4-only
 * server, with the data plane's offload on ({@code dataplane.offload = true}: TCP arrives as
 * super-packets). {@link TranslationNoOffloadE2E} runs the same tests without offload.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class TranslationE2E {
    private static final long TEN_MB = 10_000_000;

    Lab lab;

    boolean offload() {
        return true;
    }

    @BeforeAll
    @Timeout(90)
    void startLab() {
        lab = E2eLab.start(offload());
    }

    @AfterAll
    @Timeout(60)
    void stopLab() {
        E2eLab.stop(lab);
    }

    private void pass(Check c) {
        assertTrue(c.ok(), () -> c + "\nisthmus log (" + lab.translatorLog() + "):\n" + lab.translatorLogTail(15));
    }

    /** RFC 7915 §5 (IPv6 → IPv4) and §4 back: the server through pool6, ICMP Echo ↔ ICMPv6 Echo. */
    @Test
    void ping6to4ThroughPool6() {
        pass(LabChecks.ping(lab, "ping 6→4", lab.client(), Topology.SERVER_AS6, 3));
    }

    /** RFC 7757: the server reaches the IPv6-only client through its explicit address mapping. */
    @Test
    void ping4to6ThroughEam() {
        pass(LabChecks.ping(lab, "ping 4→6", lab.server(), Topology.CLIENT_AS4, 3));
    }

    /** The translator's own host reaches pool6 from the IPv6 form of siit.ipv4-address. */
    @Test
    void pingFromTheTranslatorsOwnHost() {
        pass(LabChecks.ping(lab, "ping from the middle", lab.mid(), Topology.SERVER_AS6, 3));
    }

    /** TCP 4→6 bulk data (server to client), content checked by SHA-256. */
    @Test
    void tcpDownloadOf10MbArrivesIntact() {
        pass(LabChecks.httpGet(lab, "HTTP GET", TEN_MB, lab.settings().workDir().resolve("download.bin"),
                Duration.ofSeconds(30)));
    }

    /** TCP 6→4 bulk data (client to server), content checked by SHA-256 on the server. */
    @Test
    void tcpUploadOf10MbArrivesIntact() {
        pass(LabChecks.httpPost(lab, "HTTP POST", TEN_MB, lab.settings().workDir().resolve("upload.bin"),
                Duration.ofSeconds(30)));
    }

    /**
     * Bursts of one UDP flow both ways (the client's burst 6→4, the server's echoes 4→6). With
     * offload the translator coalesces them into UDP super-packets (the kernel segments them
     * again); every datagram must still arrive once and unchanged.
     */
    @Test
    void udpBurstsOfOneFlowArriveIntact() throws IOException {
        for (int i = 0; i < 5; i++) {
            pass(LabChecks.udpBurst(lab, "UDP burst", lab.client(), Topology.SERVER_AS6, 64, 1000));
        }
        if (offload()) {
            ControlClient.Reply r = ControlClient.request(lab.settings().controlSocket(), "show stats json");
            Matcher m = Pattern.compile("\"total\":\\{\"tun\":\\{[^}]*\"super-packets-out\":(\\d+)").matcher(r.text());
            assertTrue(r.ok() && m.find(), r.text());
            assertTrue(Long.parseLong(m.group(1)) > 0, () -> "no burst left as a super-packet: " + r.text());
        }
    }

    /** UDP both ways (6→4 and the echo 4→6), every datagram compared byte for byte. */
    @Test
    void udpDatagramsComeBackUnchanged() {
        pass(LabChecks.udpEcho(lab, "UDP from the client", lab.client(), Topology.SERVER_AS6, 20, 1, 100, 1000, 1400));
    }

    /**
     * 4000-byte datagrams from the IPv6 side: the client's kernel fragments them (IPv6 Fragment
     * header), the translator translates each fragment (RFC 7915 §5.1.1), the server reassembles;
     * the echo comes back as IPv4 fragments with DF clear, which the translator turns into IPv6
     * fragments (RFC 7915 §4.1, fragmenting again to lowest-ipv6-mtu where needed).
     */
    @Test
    void largeUdpFromTheIpv6SideIsFragmentedAndReassembled() {
        pass(LabChecks.udpEcho(lab, "UDP 4000 B from the client", lab.client(), Topology.SERVER_AS6, 5, 4000, 9000));
    }

    /** The same the other way round: IPv4 fragments first, from the server to the client's EAM address. */
    @Test
    void largeUdpFromTheIpv4SideIsFragmentedAndReassembled() {
        pass(LabChecks.udpEcho(lab, "UDP 4000 B from the server", lab.server(), Topology.CLIENT_AS4, 5, 4000, 9000));
    }

    /**
     * Hop limit 2: the middle's kernel forwards it with 1, and the translator may not send it on
     * with TTL 0: it answers ICMPv6 Time Exceeded itself (RFC 7915 §5.1, Time to Live), from its
     * own address.
     */
    @Test
    void translatorAnswersTimeExceededWhenTheHopLimitRunsOut() {
        pass(LabChecks.timeExceeded(lab, "Time Exceeded by the translator", lab.client(), Topology.SERVER_AS6, 2,
                Lab.TRANSLATOR6));
    }

    /**
     * Hop limit 3: the packet leaves the translator with TTL 1 and the middle's IPv4 forwarding
     * answers ICMPv4 Time Exceeded from 198.51.100.1; the translator turns it into ICMPv6 Time
     * Exceeded (RFC 7915 §4.2) from 198.51.100.1's pool6 form, with the packet inside translated
     * (§4.3) so that the client's ping matches it to its echo. This is what traceroute sees.
     */
    @Test
    void timeExceededFromTheIpv4SideIsTranslatedBack() {
        pass(LabChecks.timeExceeded(lab, "Time Exceeded translated", lab.client(), Topology.SERVER_AS6, 3,
                Topology.MID4_AS6));
    }
}
