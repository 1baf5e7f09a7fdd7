package dev.isthmus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.control.ControlServer;
import dev.isthmus.dataplane.DataplaneStats;
import dev.isthmus.xlat.XlatCounters;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code isthmus show} against a control server on a temporary socket. */
class ShowCommandTest {

    @TempDir
    Path dir;

    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    int run(String... args) {
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    /** One idle worker: every counter zero. */
    static final class IdleStats implements DataplaneStats {
        final XlatCounters counters = new XlatCounters();

        @Override
        public int workers() {
            return 1;
        }

        @Override
        public XlatCounters counters(int worker) {
            return counters;
        }

        @Override
        public long packetsIn(int worker) {
            return 7;
        }

        @Override
        public long packetsOut(int worker) {
            return 5;
        }

        @Override
        public long ioErrors(int worker) {
            return 0;
        }

        @Override
        public long superPacketsIn(int worker) {
            return 0;
        }

        @Override
        public long offloadRefused(int worker) {
            return 0;
        }

        @Override
        public long superPacketsOut(int worker) {
            return 0;
        }
    }

    ControlServer server(Path socket) throws Exception {
        return ControlServer.start(socket, new IdleStats(), () -> "# effective configuration\n");
    }

    @Test
    void statsTable() throws Exception {
        Path socket = dir.resolve("s.sock");
        try (ControlServer s = server(socket)) {
            assertEquals(0, run("show", "stats", "--socket", socket.toString()), err.toString());
        }
        assertTrue(out.toString().startsWith("isthmus statistics, 1 worker\n"), out.toString());
        assertTrue(out.toString().replaceAll(" +", " ").contains(" packets-in 7 7\n"), out.toString());
        assertEquals("", err.toString());
    }

    @Test
    void statsJson() throws Exception {
        Path socket = dir.resolve("s.sock");
        try (ControlServer s = server(socket)) {
            assertEquals(0, run("show", "stats", "--json", "--socket", socket.toString()), err.toString());
        }
        assertTrue(out.toString().startsWith("{\"workers\":1,\"total\":{\"tun\":{\"packets-in\":7,"), out.toString());
        assertTrue(out.toString().endsWith("}\n"), out.toString());
    }

    @Test
    void config() throws Exception {
        Path socket = dir.resolve("s.sock");
        try (ControlServer s = server(socket)) {
            assertEquals(0, run("show", "config", "--socket", socket.toString()), err.toString());
        }
        assertEquals("# effective configuration\n", out.toString());
    }

    @Test
    void socketFromTheConfigFile() throws Exception {
        Path socket = dir.resolve("from-config.sock");
        Path cfg = dir.resolve("isthmus.toml");
        Files.writeString(cfg, "[control]\nsocket = \"" + socket + "\"\n");
        try (ControlServer s = server(socket)) {
            assertEquals(0, run("show", "config", "--config", cfg.toString()), err.toString());
        }
        assertEquals("# effective configuration\n", out.toString());
    }

    @Test
    void badConfigFileIsAConfigError() throws Exception {
        Path cfg = dir.resolve("isthmus.toml");
        Files.writeString(cfg, "[control]\nsocket = \"relative.sock\"\n");
        assertEquals(ExitCodes.CONFIG_ERROR, run("show", "stats", "-c", cfg.toString()));
        assertTrue(err.toString().contains("is not an absolute path"), err.toString());
    }

    @Test
    void notRunning() {
        Path socket = dir.resolve("absent.sock");
        assertEquals(ExitCodes.NOT_RUNNING, run("show", "stats", "--socket", socket.toString()));
        assertEquals("isthmus show: isthmus is not running (no control socket at " + socket + ")\n", err.toString());
        assertEquals("", out.toString());
    }

    @Test
    void withoutWhatToShowIsAUsageError() {
        assertEquals(2, run("show"));
        assertTrue(err.toString().contains("say what to show: stats, config, bindings, bib, sessions, smtp-queue or calls"), err.toString());
    }
}
