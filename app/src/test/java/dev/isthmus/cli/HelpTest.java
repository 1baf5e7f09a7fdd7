package dev.isthmus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * What {@code isthmus --help} and every command's {@code --help} show: one-line summaries that
 * stand alone in the command lists, a header that says what isthmus is, and examples.
 */
class HelpTest {

    private static String help(String... command) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        String[] args = new String[command.length + 1];
        System.arraycopy(command, 0, args, 0, command.length);
        args[command.length] = "--help";
        assertEquals(0, cl.execute(args));
        return out.toString();
    }

    /**
     * A line of prose ends a sentence or a clause (". : ;" or a closing bracket after one); the
     * synopsis and the example command lines ({@code $ ...}) are not prose. A summary cut at its
     * first line, or wrapped by the help's width, ends mid-sentence and fails here.
     */
    @Test
    void noLineOfTheTopLevelHelpEndsMidSentence() {
        String text = help();
        List<String> cut = new ArrayList<>();
        for (String line : text.split("\n")) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("Usage:") || l.startsWith("$ ")) {
                continue;
            }
            if (!(l.endsWith(".") || l.endsWith(":") || l.endsWith(";"))) {
                cut.add(line);
            }
        }
        assertTrue(cut.isEmpty(), "lines that end mid-sentence: " + cut + "\n" + text);
    }

    @Test
    void theHeaderNamesWhatIsthmusIs() {
        String text = help();
        assertTrue(text.startsWith("isthmus, an IPv6/IPv4 transition gateway for Linux."), text);
        for (String what : List.of("SIIT (RFC 7915)", "RFC 7757", "NAT64 (RFC 6146)", "DNS64 (RFC 6147)",
                "relays (RFC 3142)", "HTTP")) {
            assertTrue(text.contains(what), what + " missing from\n" + text);
        }
    }

    /** Every command in every list has its own summary: the first line of a description is not one. */
    @Test
    void everyCommandHasAOneLineSummaryAndExamples() {
        walk(Main.commandLine(), new ArrayList<>());
    }

    private static void walk(CommandLine cl, List<String> path) {
        for (Map.Entry<String, CommandLine> e : cl.getSubcommands().entrySet()) {
            if (e.getKey().equals("help")) {
                continue; // picocli's own
            }
            List<String> sub = new ArrayList<>(path);
            sub.add(e.getKey());
            CommandLine.Model.UsageMessageSpec usage = e.getValue().getCommandSpec().usageMessage();
            assertEquals(1, usage.header().length, sub + ": a one-line header");
            assertTrue(usage.header()[0].endsWith("."), sub + ": the header is a sentence");
            String text = help(sub.toArray(String[]::new));
            assertTrue(text.contains("Examples:"), sub + " has no examples:\n" + text);
            assertTrue(text.contains("$ "), sub + " has no example command line:\n" + text);
            String examples = text.substring(text.indexOf("Examples:\n") + "Examples:\n".length()).stripTrailing();
            for (String line : examples.split("\n")) {
                // An example wrapped by the help's width would leave a piece at the margin.
                assertTrue(line.startsWith("  ") || line.isBlank(), sub + ": wrapped example line '" + line + "'");
            }
            walk(e.getValue(), sub);
        }
    }

    /** The case: {@code isthmus translate --help} shows a full command line to copy. */
    @Test
    void translateHelpShowsAFullExample() {
        String text = help("translate");
        assertTrue(text.contains("$ isthmus translate --config examples/siit.toml --in examples/mixed.pcap \\"), text);
        assertTrue(text.contains("--out /tmp/out.pcap --explain"), text);
        assertFalse(text.contains("[siit] configuration and write the\n"), text);
    }
}
