package dev.isthmus.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.cli.lab.Lab;
import dev.isthmus.cli.lab.LabChecks;
import dev.isthmus.cli.lab.LabChecks.Check;
import dev.isthmus.cli.lab.Shell;
import dev.isthmus.cli.lab.Topology;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Path MTU discovery across the translator. The IPv4 path beyond it is narrower than the
 * client's link: the middle's route to the server has MTU 1300 (as if a 1300-byte link lay
 * further along the IPv4 path; the server's own link stays at 1500, so it still advertises a
 * 1460-byte MSS and the client sends full-size segments).
 *
 * <p>A 1440-byte segment from the client becomes a 1480-byte IPv4 packet with DF set (RFC 7915
 * §5.1: DF is set when the translated packet exceeds 1260 bytes), the middle's IPv4 forwarding
 * answers Fragmentation Needed with MTU 1300, and the translator must turn that into an ICMPv6
 * Packet Too Big with MTU 1300 + 20 = 1320 (RFC 7915 §4.2, the IPv6 header is 20 bytes longer),
 * quoting the client's packet translated back (§4.3), so the client's TCP shrinks its segments.
 * Without that the upload stalls: every full-size segment is lost.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(60)
class PathMtuE2E {
    static final int IPV4_PATH_MTU = 1300;
    private static final Pattern MTU = Pattern.compile("\\bmtu (\\d+)");

    Lab lab;

    @BeforeAll
    @Timeout(90)
    void startLab() {
        lab = E2eLab.start(true);
        lab.inMid(Duration.ofSeconds(5), "ip", "-4", "route", "replace", Topology.SERVER4 + "/32", "dev",
                Topology.MID4_IF, "mtu", Integer.toString(IPV4_PATH_MTU)).orThrow();
    }

    @AfterAll
    @Timeout(60)
    void stopLab() {
        E2eLab.stop(lab);
    }

    private void pass(Check c) {
        assertTrue(c.ok(), () -> c + "\nisthmus log (" + lab.translatorLog() + "):\n" + lab.translatorLogTail(15));
    }

    @Test
    @Order(1)
    void tcpUploadCompletesThroughTheNarrowIpv4Path() {
        pass(LabChecks.httpPost(lab, "HTTP POST over a 1300-byte IPv4 path", 10_000_000,
                lab.settings().workDir().resolve("upload.bin"), Duration.ofSeconds(30)));
    }

    /** After the upload, the client has learned the path MTU from the translated Packet Too Big. */
    @Test
    @Order(2)
    void clientLearnedTheTranslatedPathMtu() {
        Shell.Result r = lab.inClient(Duration.ofSeconds(5), "ip", "-6", "route", "get", Topology.SERVER_AS6).orThrow();
        Matcher m = MTU.matcher(r.out());
        assertTrue(m.find(), "the client has no path MTU for " + Topology.SERVER_AS6
                + ": no Packet Too Big reached it; route: " + r.out().strip());
        int mtu = Integer.parseInt(m.group(1));
        assertTrue(mtu == IPV4_PATH_MTU + 20, "client's path MTU is " + mtu + ", expected " + (IPV4_PATH_MTU + 20)
                + " (the ICMPv4 MTU plus 20, RFC 7915 §4.2)");
    }

    /** Downloads are unaffected (the server's segments fit its own 1500-byte link and the client's). */
    @Test
    @Order(3)
    void tcpDownloadStillWorks() {
        pass(LabChecks.httpGet(lab, "HTTP GET", 1_000_000, lab.settings().workDir().resolve("download.bin"),
                Duration.ofSeconds(30)));
    }

    /**
     * Large UDP from the client: its IPv6 fragments (up to 1500 bytes) become IPv4 fragments with
     * DF clear, which the middle fragments again to fit the 1300-byte path.
     */
    @Test
    @Order(4)
    void largeUdpCrossesTheNarrowPath() {
        pass(LabChecks.udpEcho(lab, "UDP over a 1300-byte IPv4 path", lab.client(), Topology.SERVER_AS6, 3, 1400, 4000));
    }
}
