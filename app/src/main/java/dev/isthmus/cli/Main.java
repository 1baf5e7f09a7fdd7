package dev.isthmus.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code isthmus} command. */
@Command(
        name = "isthmus",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        header = "isthmus, an IPv6/IPv4 transition gateway for Linux.",
        description = {
            "One process, one config file, for IPv6-only and IPv4-only hosts to talk:",
            "  - SIIT (RFC 7915): stateless translation with RFC 6052 prefixes;",
            "  - explicit address mappings (EAM, RFC 7757) and a dynamic address pool;",
            "  - stateful NAT64 (RFC 6146) with live BIB and session tables;",
            "  - DNS64 (RFC 6147), so IPv6-only clients reach IPv4-only names;",
            "  - transport relays (RFC 3142) and an HTTP forward and reverse proxy.",
            "Live on a TUN device (run), or offline over a capture (translate)."
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  Try it: IPv6-only client, isthmus and IPv4-only server in network namespaces.",
            "    $ sudo isthmus lab",
            "  Translate a capture offline and say what happened to each packet.",
            "    $ isthmus translate -c siit.toml -i in.pcap -o out.pcap --explain",
            "  Run live, then ask the running gateway for its counters.",
            "    $ sudo isthmus run -c /etc/isthmus.toml",
            "    $ sudo isthmus show stats",
            "Every command has its own --help, with examples."
        },
        subcommands = {TranslateCommand.class, RunCommand.class, LabCommand.class, ShowCommand.class, BindingCommand.class, BibCommand.class,
            SmtpQueueCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, shared by {@link #main} and tests. */
    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        // Operators get a one-line message, not a stack trace (the developers' guide).
        cl.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            cmd.getErr().println("isthmus: " + ex.getMessage());
            return ExitCodes.SOFTWARE;
        });
        headings(cl);
        return cl;
    }

    /** The same section headings, set apart by a blank line, in every command's help. */
    private static void headings(CommandLine cl) {
        cl.getCommandSpec().usageMessage().optionListHeading("%nOptions:%n").commandListHeading("%nCommands:%n");
        cl.getSubcommands().values().forEach(Main::headings);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
