package dev.isthmus.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.cli.lab.Lab;
import dev.isthmus.cli.lab.Launcher;
import dev.isthmus.cli.lab.Shell;
import dev.isthmus.cli.lab.Topology;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * NAT64 by name, end to end: the IPv6-only client resolves web.test, which has only an A record
 * (198.51.100.2, the IPv4-only server), through the isthmus DNS64 in the middle, and fetches a
 * page from it with curl by name; the synthesized address 2001:db8:64::c633:6402 is under the
 * pool6 of the lab's translator, which carries the connection to the server.
 *
 * <p>The recursive upstream (Unbound) runs on the IPv4-only server, as an operator's resolver
 * would sit on the IPv4 side. The DNS64 is a second {@code isthmus run}, with only
 * {@code [dns64]}, beside the lab's translator. The client's resolver is set with
 * {@code /etc/netns/CLIENT/resolv.conf}, which {@code ip netns exec} mounts over
 * {@code /etc/resolv.conf}.
 */
class Dns64LabE2E {
    private static Lab lab;
    private static Path netnsEtc;

    @BeforeAll
    static void start() throws IOException {
        Unbound.checkInstalled();
        lab = E2eLab.start(true);
        Topology t = lab.topology();
        Path work = lab.settings().workDir();
        Unbound.startUpstream(t, lab.server(), work, Topology.SERVER4, 53, "198.51.100.0/24");
        Path conf = work.resolve("dns64.toml");
        Unbound.write(conf, """
                [dns64]
                listen = ["[%s]:53"]
                upstream = ["%s"]
                prefix = "%s"
                allow = ["2001:db8:6::/64"]

                [control]
                socket = "%s"
                """.formatted(Topology.MID6, Topology.SERVER4, Topology.POOL6,
                lab.settings().controlSocket().toString().replace(".sock", "-dns64.sock")));
        Path log = work.resolve("dns64.log");
        Launcher launcher = lab.settings().launcher();
        t.start(lab.mid(), log, launcher.isthmus("run", "--config", conf.toString()));
        netnsEtc = Path.of("/etc/netns", lab.client());
        Files.createDirectories(netnsEtc);
        Files.writeString(netnsEtc.resolve("resolv.conf"), "nameserver " + Topology.MID6 + "\noptions timeout:2 attempts:2\n");
        Unbound.awaitAnswer(t, lab.mid(), Topology.MID6, 53, log);
    }

    @AfterAll
    static void stop() throws IOException {
        E2eLab.stop(lab);
        if (netnsEtc != null) {
            Files.deleteIfExists(netnsEtc.resolve("resolv.conf"));
            Files.deleteIfExists(netnsEtc);
        }
    }

    @Test
    void theIpv6OnlyClientFetchesAPageFromAnIpv4OnlyServerByName() {
        Dig.Answer aaaa = Dig.ask(lab.topology(), lab.client(), Topology.MID6, 53, "web.test.", "AAAA");
        assertEquals(List.of("web.test. AAAA " + Topology.SERVER_AS6), aaaa.records(), aaaa.text());
        Shell.Result curl = lab.inClient(Duration.ofSeconds(30), "curl", "-sS", "--max-time", "20",
                "-o", "/dev/null", "-w", "%{http_code} %{remote_ip}",
                "http://web.test:" + Lab.HTTP_PORT + "/data/1000");
        assertTrue(curl.ok(), curl.describe());
        assertEquals("200 " + Topology.SERVER_AS6, curl.out().strip(), curl.describe());
    }
}
