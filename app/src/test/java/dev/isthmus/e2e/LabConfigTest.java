package dev.isthmus.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.cli.lab.Lab;
import dev.isthmus.cli.lab.LabPeer;
import dev.isthmus.cli.lab.Launcher;
import dev.isthmus.cli.lab.Topology;
import dev.isthmus.config.ConfigLoader;
import dev.isthmus.config.IsthmusConfig;
import dev.isthmus.wire.Ipv4Address;
import dev.isthmus.xlat.XlatSettings;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lab's fixed parts, checked without root in the ordinary unit-test run, so that a change to
 * the configuration format or the address plan breaks here and not only in the end-to-end run.
 */
class LabConfigTest {

    private static Lab.Settings settings(Path dir, boolean offload) {
        return new Lab.Settings(Topology.uniqueNames("t-"), new Launcher(Path.of("java"), null, "classes"), dir,
                "lab0", Path.of("/run/isthmus/t.sock"), offload, 3);
    }

    @Test
    void labConfigurationLoadsWithTheSettingsAsked(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("lab.toml");
        Files.writeString(file, Lab.config(settings(dir, false)));
        IsthmusConfig c = ConfigLoader.load(file);
        assertEquals("lab0", c.dataplane().device());
        assertFalse(c.dataplane().offload());
        assertTrue(c.dataplane().manageRoutes());
        assertEquals(3, c.dataplane().workers());
        assertEquals(Path.of("/run/isthmus/t.sock"), c.control().socket());
        assertEquals(1, c.siit().eam().size());
    }

    /** The addresses the checks expect are the RFC 6052 §2.2 /96 embeddings under the lab's pool6. */
    @Test
    void expectedAddressesAreThePool6FormsOfTheirIpv4Addresses(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("lab.toml");
        Files.writeString(file, Lab.config(settings(dir, true)));
        XlatSettings x = ConfigLoader.load(file).siit().toXlatSettings();
        assertEquals(Topology.SERVER_AS6, x.pool6().embed(Ipv4Address.parse(Topology.SERVER4)).toString());
        assertEquals(Topology.MID4_AS6, x.pool6().embed(Ipv4Address.parse(Topology.MID4)).toString());
        assertEquals(Lab.TRANSLATOR6, x.pool6().embed(Ipv4Address.parse(Lab.TRANSLATOR4)).toString());
        assertEquals(Topology.POOL6, x.pool6().prefix().toString());
    }

    @Test
    void uniqueNamesFitInterfaceAndNamespaceLimits() {
        Topology.Names n = Topology.uniqueNames("e2e-");
        assertTrue(n.mid().matches("e2e-[0-9a-f]{4}-mid"), n.mid());
        // The e2e fixture names the TUN device after the tag: at most 15 characters (IFNAMSIZ - 1).
        assertTrue(n.mid().length() - "-mid".length() <= 15);
    }

    /** Both ends compute the test content independently: it must be the same bytes every time. */
    @Test
    void contentIsDeterministicAndItsDigestMatches() throws Exception {
        ByteArrayOutputStream a = new ByteArrayOutputStream();
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        LabPeer.content(100_000, a);
        LabPeer.content(100_000, b);
        assertEquals(100_000, a.size());
        assertTrue(java.util.Arrays.equals(a.toByteArray(), b.toByteArray()));
        Path f = Files.createTempFile("lab-content", ".bin");
        try {
            Files.write(f, a.toByteArray());
            assertEquals(LabPeer.contentSha256(100_000), dev.isthmus.cli.lab.LabChecks.sha256(f));
        } finally {
            Files.delete(f);
        }
    }
}
