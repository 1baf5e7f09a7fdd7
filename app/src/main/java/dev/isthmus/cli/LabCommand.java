package dev.isthmus.cli;

import dev.isthmus.cli.lab.Lab;
import dev.isthmus.cli.lab.LabChecks;
import dev.isthmus.cli.lab.LabChecks.Check;
import dev.isthmus.cli.lab.LabException;
import dev.isthmus.cli.lab.Launcher;
import dev.isthmus.cli.lab.Topology;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code isthmus lab}: the demo. Builds an IPv6-only client, an IPv4-only server and isthmus
 * between them in three network namespaces, sends real traffic both ways, prints what happened,
 * and removes everything again (also on Ctrl-C or failure) unless {@code --keep}.
 */
@Command(
        name = "lab",
        mixinStandardHelpOptions = true,
        header = "Demo: a client, isthmus and a server in namespaces.",
        description = "Build a lab in network namespaces: an IPv6-only client (isthmus-client), isthmus run"
                + " in isthmus-mid and an IPv4-only server (isthmus-server); send ping, HTTP and UDP through the"
                + " translator both ways, print a report, and remove the lab again (unless --keep). Needs root.",
        footerHeading = "%nExamples:%n",
        footer = {
            "  Run the checks and remove the lab.",
            "    $ sudo isthmus lab",
            "  Leave the lab up to explore (it prints how), then remove it.",
            "    $ sudo isthmus lab --keep",
            "    $ sudo ip netns exec isthmus-client ping 2001:db8:64::c633:6402",
            "    $ sudo isthmus lab --down"
        })
final class LabCommand implements Callable<Integer> {
    /** Some check failed (the report says which). */
    static final int CHECK_FAILED = 1;

    private static final Path WORK_DIR = Path.of("/run/isthmus/lab");
    private static final Path SOCKET = Path.of("/run/isthmus/lab.sock");
    private static final String DEVICE = "isthmus0";
    private static final long HTTP_BYTES = 10_000_000;

    @Option(names = "--keep", description = "leave the lab up after the checks and print how to explore it")
    boolean keep;

    @Option(names = "--down", description = "remove a lab left up by --keep (its processes and namespaces), then exit")
    boolean down;

    @Option(names = "--no-offload", description = "run isthmus with dataplane.offload = false")
    boolean noOffload;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!isRoot()) {
            err.println("isthmus lab: needs root (it creates network namespaces and a TUN device): run it with sudo");
            return ExitCodes.NO_PERMISSION;
        }
        if (down) {
            List<String> removed = Topology.remove(Topology.LAB);
            out.println(removed.isEmpty() ? "isthmus lab: no lab was up" : "isthmus lab: removed " + String.join(", ", removed));
            return ExitCodes.OK;
        }
        Lab.Settings settings = new Lab.Settings(Topology.LAB, Launcher.current(), WORK_DIR, DEVICE, SOCKET,
                !noOffload, 0);
        out.println("isthmus lab: building " + String.join(", ", Topology.LAB.all()) + " and starting isthmus run ...");
        out.flush();
        Lab lab;
        try {
            lab = Lab.start(settings);
        } catch (LabException e) {
            err.println("isthmus lab: " + e.getMessage());
            return ExitCodes.SOFTWARE;
        }
        boolean allOk;
        try {
            printTopology(out);
            List<Check> checks = runChecks(lab, out);
            allOk = checks.stream().allMatch(Check::ok);
            out.println();
            printCounters(out);
            out.printf("%n%d of %d checks passed.%n", checks.stream().filter(Check::ok).count(), checks.size());
            if (keep) {
                lab.keep();
                printExplore(out, lab);
                return allOk ? ExitCodes.OK : CHECK_FAILED;
            }
        } catch (RuntimeException e) {
            err.println("isthmus lab: " + e.getMessage() + " (isthmus log: " + lab.translatorLog() + ")");
            lab.close();
            return ExitCodes.SOFTWARE;
        } finally {
            out.flush();
        }
        // Stop the translator first and on its own: its exit code says whether it stopped cleanly.
        int code = lab.stopTranslator(Duration.ofSeconds(10));
        lab.close();
        out.println(code == 0 ? "isthmus run stopped cleanly (exit 0); the lab is removed."
                : "✗ isthmus run did not stop cleanly (exit " + code + "); the lab is removed.");
        if (!allOk || code != 0) {
            out.println("isthmus log: " + lab.translatorLog() + "   configuration: " + lab.config());
        }
        return allOk && code == 0 ? ExitCodes.OK : CHECK_FAILED;
    }

    private static void printTopology(PrintWriter out) {
        String[][] cols = {
            {Topology.LAB.client(), Topology.CLIENT6, "IPv6 only"},
            {Topology.LAB.mid(), Topology.MID6 + " | " + DEVICE + " | " + Topology.MID4, "isthmus run"},
            {Topology.LAB.server(), Topology.SERVER4, "IPv4 only"},
        };
        out.println();
        for (int row = 0; row < 3; row++) {
            StringBuilder line = new StringBuilder("  ");
            for (int c = 0; c < cols.length; c++) {
                int width = 0;
                for (String cell : cols[c]) {
                    width = Math.max(width, cell.length());
                }
                line.append(String.format(Locale.ROOT, "%-" + width + "s", cols[c][row]));
                if (c < cols.length - 1) {
                    line.append(row == 1 ? " ──── " : "      ");
                }
            }
            out.println(line.toString().stripTrailing());
        }
        out.printf("  The client reaches the server as %s (pool6 %s); the server reaches the client as %s (EAM).%n%n",
                Topology.SERVER_AS6, Topology.POOL6, Topology.CLIENT_AS4);
    }

    private static List<Check> runChecks(Lab lab, PrintWriter out) {
        List<Check> checks = new ArrayList<>();
        Path dl = WORK_DIR.resolve("download.bin");
        Path ul = WORK_DIR.resolve("upload.bin");
        Duration http = Duration.ofSeconds(30);
        List<java.util.function.Supplier<Check>> all = List.of(
                () -> LabChecks.ping(lab, "ping 6→4", lab.client(), Topology.SERVER_AS6, 5),
                () -> LabChecks.ping(lab, "ping 4→6", lab.server(), Topology.CLIENT_AS4, 5),
                () -> LabChecks.ping(lab, "ping from the translator's host", lab.mid(), Topology.SERVER_AS6, 3),
                () -> LabChecks.httpGet(lab, "HTTP GET 10 MB", HTTP_BYTES, dl, http),
                () -> LabChecks.httpPost(lab, "HTTP POST 10 MB", HTTP_BYTES, ul, http),
                () -> LabChecks.udpEcho(lab, "UDP echo from the client", lab.client(), Topology.SERVER_AS6, 3, 64, 1400, 4000),
                () -> LabChecks.udpEcho(lab, "UDP echo from the server", lab.server(), Topology.CLIENT_AS4, 3, 64, 1400, 4000),
                () -> LabChecks.timeExceeded(lab, "Time Exceeded by the translator", lab.client(), Topology.SERVER_AS6, 2,
                        Lab.TRANSLATOR6),
                () -> LabChecks.timeExceeded(lab, "Time Exceeded from IPv4, translated", lab.client(), Topology.SERVER_AS6,
                        3, Topology.MID4_AS6));
        for (var c : all) {
            Check check = c.get();
            if (lab.topology().isClosed()) {
                // Ctrl-C: the shutdown hook is removing the lab under the check that just ran.
                out.println("  interrupted: removing the lab");
                checks.add(new Check("interrupted", false, "", Double.NaN));
                break;
            }
            checks.add(check);
            out.println("  " + check);
            out.flush();
        }
        try {
            Files.deleteIfExists(dl);
            Files.deleteIfExists(ul);
        } catch (IOException e) {
            // the work directory goes with the lab's tmpfs (/run) anyway
        }
        return checks;
    }

    /**
     * The translator's counters through {@code isthmus show stats}, when this build has that
     * command; otherwise the report says so rather than leaving the section out silently.
     */
    private static void printCounters(PrintWriter out) {
        CommandLine cl = Main.commandLine();
        if (!cl.getSubcommands().containsKey("show")) {
            out.println("Translator counters: not available — this build has no `isthmus show stats` yet.");
            return;
        }
        StringWriter text = new StringWriter();
        StringWriter errText = new StringWriter();
        cl.setOut(new PrintWriter(text, true));
        cl.setErr(new PrintWriter(errText, true));
        int code = cl.execute("show", "stats", "--socket", SOCKET.toString());
        if (code != 0) {
            out.println("Translator counters: `isthmus show stats --socket " + SOCKET + "` failed (exit " + code + "): "
                    + errText.toString().strip());
            return;
        }
        out.println("Translator counters (isthmus show stats --socket " + SOCKET + "):");
        text.toString().lines().forEach(l -> out.println("  " + l));
    }

    private static void printExplore(PrintWriter out, Lab lab) {
        String c = lab.client(), m = lab.mid(), s = lab.server();
        String[][] lines = {
            {"ip netns exec " + c + " ping " + Topology.SERVER_AS6, "IPv6 client → IPv4 server"},
            {"ip netns exec " + s + " ping " + Topology.CLIENT_AS4, "IPv4 server → IPv6 client"},
            {"ip netns exec " + c + " curl -o /dev/null http://[" + Topology.SERVER_AS6 + "]:" + Lab.HTTP_PORT
                    + "/data/1000000", "1 MB over HTTP"},
            {"ip netns exec " + c + " traceroute -n " + Topology.SERVER_AS6, "hops through the translator"},
            {"ip netns exec " + m + " tcpdump -ni " + DEVICE, "packets on the translator's TUN"},
            {"ip netns exec " + m + " bash", "a shell in the middle namespace"},
        };
        int width = 0;
        for (String[] l : lines) {
            width = Math.max(width, l[0].length());
        }
        out.println();
        out.println("The lab is up. Explore it:");
        for (String[] l : lines) {
            out.printf(Locale.ROOT, "  %-" + width + "s   # %s%n", l[0], l[1]);
        }
        out.println("  configuration: " + lab.config() + "   log: " + lab.translatorLog());
        out.println("Tear it down with: isthmus lab --down");
    }

    private static boolean isRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
