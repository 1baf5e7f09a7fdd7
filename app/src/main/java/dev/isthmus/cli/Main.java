package dev.isthmus.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code isthmus} command. */
@Command(
        name = "isthmus",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "IPv6/IPv4 transition gateway: SIIT (RFC 7915), EAM (RFC 7757), RFC 6052 prefixes.",
        subcommands = {TranslateCommand.class, RunCommand.class, LabCommand.class, ShowCommand.class, BindingCommand.class, BibCommand.class,
            CommandLine.HelpCommand.class})
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
        return cl;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
