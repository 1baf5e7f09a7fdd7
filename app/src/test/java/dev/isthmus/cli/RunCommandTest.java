package dev.isthmus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code isthmus run} refusals that happen before any device is touched. */
class RunCommandTest {

    static int run(StringWriter err, String... args) {
        CommandLine cl = Main.commandLine();
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void configWithoutSiitIsAConfigError(@TempDir Path dir) throws Exception {
        Path cfg = dir.resolve("x.toml");
        Files.writeString(cfg, "[dataplane]\ndevice = \"dp0\"\n");
        StringWriter err = new StringWriter();
        assertEquals(ExitCodes.CONFIG_ERROR, run(err, "run", "--config", cfg.toString()));
        assertTrue(err.toString().contains("no [siit] or [nat64] section"), err.toString());
    }

    @Test
    void configErrorsAreListed(@TempDir Path dir) throws Exception {
        Path cfg = dir.resolve("x.toml");
        Files.writeString(cfg, "[siit]\npool6 = \"2001:db8:64::/96\"\n[dataplane]\nmtu = 5\n");
        StringWriter err = new StringWriter();
        assertEquals(ExitCodes.CONFIG_ERROR, run(err, "run", "--config", cfg.toString()));
        assertTrue(err.toString().contains("x.toml:4: dataplane.mtu: 5 is out of range 1280..65535"), err.toString());
    }

    @Test
    void invalidDeviceOptionIsAConfigError(@TempDir Path dir) throws Exception {
        Path cfg = dir.resolve("x.toml");
        Files.writeString(cfg, "[siit]\npool6 = \"2001:db8:64::/96\"\n");
        StringWriter err = new StringWriter();
        assertEquals(ExitCodes.CONFIG_ERROR, run(err, "run", "--config", cfg.toString(), "--device", "no/slashes"));
        assertTrue(err.toString().contains("not a valid interface name"), err.toString());
    }
}
