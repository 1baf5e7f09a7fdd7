package dev.isthmus.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.cli.lab.Lab;
import dev.isthmus.cli.lab.Shell;
import dev.isthmus.cli.lab.Topology;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * {@code isthmus run}'s life as an operator sees it: it routes pool6 and the EAM prefixes into
 * its device, refuses a second instance on the same device, and on SIGTERM removes its routes and
 * device and exits 0.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(60)
class LifecycleE2E {
    Lab lab;

    @BeforeAll
    @Timeout(90)
    void startLab() {
        lab = E2eLab.start(true);
    }

    @AfterAll
    @Timeout(60)
    void stopLab() {
        E2eLab.stop(lab);
    }

    private String device() {
        return lab.settings().device();
    }

    private String routes(String family) {
        return lab.inMid(Duration.ofSeconds(5), "ip", family, "route", "show", "dev", device()).out();
    }

    @Test
    @Order(1)
    void routesPool6AndTheEamPrefixIntoTheDevice() {
        String v6 = routes("-6"), v4 = routes("-4");
        assertTrue(v6.contains("2001:db8:64::/96"), "no pool6 route into " + device() + ":\n" + v6);
        assertTrue(v4.contains(Topology.CLIENT_AS4), "no route for the EAM prefix " + Topology.CLIENT_AS4 + ":\n" + v4);
        Shell.Result link = lab.inMid(Duration.ofSeconds(5), "ip", "link", "show", device());
        assertTrue(link.ok() && link.out().contains("UP"), "device " + device() + " is not up: " + link.out() + link.err());
    }

    @Test
    @Order(2)
    void secondInstanceOnTheSameDeviceIsRefused() throws Exception {
        Path log = lab.settings().workDir().resolve("second.log");
        List<String> cmd = lab.settings().launcher().isthmus("run", "--config", lab.config().toString());
        Process second = lab.topology().start(lab.mid(), log, cmd);
        boolean exited = second.waitFor(30, TimeUnit.SECONDS);
        if (!exited) {
            Topology.stop(second, Duration.ofSeconds(5));
        }
        assertTrue(exited, "a second isthmus run on " + device() + " did not exit within 30 s");
        assertTrue(second.exitValue() != 0, "a second isthmus run on " + device() + " exited 0");
        assertTrue(lab.translator().isAlive(), "the first isthmus run died when a second one started");
        Shell.Result ping = lab.inClient(Duration.ofSeconds(10), "ping", "-n", "-c", "1", "-W", "3", Topology.SERVER_AS6);
        assertTrue(ping.ok(), "the first isthmus stopped translating after a second one was refused: " + ping.out());
    }

    @Test
    @Order(3)
    void sigtermStopsCleanlyAndRemovesRoutesAndDevice() {
        int code = lab.stopTranslator(Duration.ofSeconds(15));
        assertEquals(0, code, "isthmus run's exit code on SIGTERM; log:\n" + lab.translatorLogTail(15));
        assertFalse(routes("-6").contains("2001:db8:64::/96"), "pool6 route left behind after exit");
        Shell.Result v4 = lab.inMid(Duration.ofSeconds(5), "ip", "-4", "route", "show", Topology.CLIENT_AS4 + "/32");
        assertTrue(v4.out().isBlank(), "EAM route left behind after exit: " + v4.out());
        Shell.Result link = lab.inMid(Duration.ofSeconds(5), "ip", "link", "show", device());
        assertFalse(link.ok(), "device " + device() + " left behind after exit: " + link.out());
    }
}
