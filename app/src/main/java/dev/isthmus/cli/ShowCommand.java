package dev.isthmus.cli;

import dev.isthmus.config.ConfigException;
import dev.isthmus.config.ConfigLoader;
import dev.isthmus.config.ControlConfig;
import dev.isthmus.control.ControlClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.function.ToIntFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code isthmus show stats|config|bindings|bib|sessions|smtp-queue|calls}: asks the running isthmus through its control socket
 * (docs/OPERATIONS.md).
 */
@Command(
        name = "show",
        mixinStandardHelpOptions = true,
        header = "Ask a running isthmus for its counters and tables.",
        description = "Ask the running isthmus (through its control socket) for its counters, tables or configuration.",
        footerHeading = "%nExamples:%n",
        footer = {
            "  The counters of the isthmus that runs /etc/isthmus.toml.",
            "    $ sudo isthmus show stats -c /etc/isthmus.toml",
            "  The NAT64 sessions of one subscriber, as JSON.",
            "    $ sudo isthmus show sessions --ipv6 2001:db8:6::/64 --json",
            "  The mail the SMTP relay still has to deliver.",
            "    $ sudo isthmus show smtp-queue",
            "  The SIP calls and how many RTP packets each stream relayed.",
            "    $ sudo isthmus show calls"
        },
        subcommands = {ShowCommand.Stats.class, ShowCommand.Config.class, ShowCommand.Bindings.class, ShowCommand.Bib.class,
                ShowCommand.Sessions.class, ShowCommand.SmtpQueue.class, ShowCommand.Calls.class})
final class ShowCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "say what to show: stats, config, bindings, bib, sessions, smtp-queue or calls");
    }

    /** Where the control socket is: --socket, else the [control] socket of --config, else the default. */
    static final class Target {
        @Option(names = "--socket", paramLabel = "PATH",
                description = "control socket (default: [control] socket of --config, else "
                        + "/run/isthmus/isthmus.sock)")
        Path socket;

        @Option(names = {"-c", "--config"}, paramLabel = "FILE",
                description = "the running isthmus's configuration, to find its control socket")
        Path config;

        Path socket() throws ConfigException {
            if (socket != null) {
                return socket;
            }
            if (config != null) {
                return ConfigLoader.load(config).control().socket();
            }
            return ControlConfig.DEFAULT_SOCKET;
        }
    }

    /** Sends {@code line}, prints the answer's body on stdout; every failure is one line on stderr. */
    static int ask(CommandSpec spec, Target target, String line) {
        return ask(spec, target, line, refusal -> ExitCodes.SOFTWARE);
    }

    /** As {@link #ask(CommandSpec, Target, String)}; {@code refused} gives the exit code of a refusal from its text. */
    static int ask(CommandSpec spec, Target target, String line, ToIntFunction<String> refused) {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        // "isthmus show" or "isthmus binding": the command the subcommand belongs to.
        String who = "isthmus " + (spec.parent() != null ? spec.parent().name() : spec.name());
        Path socket;
        try {
            socket = target.socket();
        } catch (ConfigException e) {
            e.errors().forEach(err::println);
            return ExitCodes.CONFIG_ERROR;
        }
        ControlClient.Reply reply;
        try {
            reply = ControlClient.request(socket, line);
        } catch (ControlClient.NotRunningException e) {
            err.println(who + ": " + e.getMessage());
            return ExitCodes.NOT_RUNNING;
        } catch (ControlClient.PermissionException e) {
            err.println(who + ": " + e.getMessage());
            return ExitCodes.NO_PERMISSION;
        } catch (IOException e) {
            err.println(who + ": " + e.getMessage());
            return ExitCodes.IO_ERROR;
        }
        if (!reply.ok()) {
            err.println(who + ": the server refused \"" + line + "\": " + reply.text());
            return refused.applyAsInt(reply.text());
        }
        out.print(reply.text());
        out.flush();
        return ExitCodes.OK;
    }

    @Command(
            name = "stats",
            mixinStandardHelpOptions = true,
            header = "Translation, drop and TUN counters.",
            description = "Translation, drop and TUN counters, per worker and in total (non-zero rows only;"
                    + " --json: every counter).",
            footerHeading = "%nExamples:%n",
            footer = {"    $ sudo isthmus show stats", "    $ sudo isthmus show stats --json --socket /run/isthmus/lab.sock"})
    static final class Stats implements Callable<Integer> {
        @Mixin
        Target target;

        @Option(names = "--json", description = "JSON with every counter, zeros included (stable field names)")
        boolean json;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return ask(spec, target, json ? "show stats json" : "show stats");
        }
    }

    @Command(
            name = "bindings",
            mixinStandardHelpOptions = true,
            header = "The dynamic address pool's bindings.",
            description = "The dynamic address pool's bindings: IPv4, IPv6, kind (dynamic, static, config), idle time.",
            footerHeading = "%nExamples:%n",
            footer = {"    $ sudo isthmus show bindings", "    $ sudo isthmus show bindings --json"})
    static final class Bindings implements Callable<Integer> {
        @Mixin
        Target target;

        @Option(names = "--json", description = "JSON (stable field names)")
        boolean json;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return ask(spec, target, json ? "show bindings json" : "show bindings");
        }
    }

    @Command(
            name = "bib",
            mixinStandardHelpOptions = true,
            header = "Stateful NAT64's BIB entries (RFC 6146 §3.1).",
            description = "Stateful NAT64's BIB entries (RFC 6146 §3.1): protocol, (X',x), (T,t), kind, sessions.",
            footerHeading = "%nExamples:%n",
            footer = {"    $ sudo isthmus show bib", "    $ sudo isthmus show bib --protocol tcp --json"})
    static final class Bib implements Callable<Integer> {
        @Mixin
        Target target;

        @Option(names = "--protocol", paramLabel = "P", description = "tcp, udp or icmp (default: all)")
        String protocol = "all";

        @Option(names = "--json", description = "JSON (stable field names)")
        boolean json;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return ask(spec, target, "show bib " + protocol + " " + (json ? "json" : "text"));
        }
    }

    @Command(
            name = "sessions",
            mixinStandardHelpOptions = true,
            header = "Stateful NAT64's sessions (RFC 6146 §3.2).",
            description = "Stateful NAT64's sessions: protocol, (X',x), (T,t), (Z,z), TCP state, time left.",
            footerHeading = "%nExamples:%n",
            footer = {"    $ sudo isthmus show sessions --protocol udp",
                "    $ sudo isthmus show sessions --ipv6 2001:db8:6::5 --json"})
    static final class Sessions implements Callable<Integer> {
        @Mixin
        Target target;

        @Option(names = "--protocol", paramLabel = "P", description = "tcp, udp or icmp (default: all)")
        String protocol = "all";

        @Option(names = "--ipv6", paramLabel = "ADDR", description = "only this IPv6 address or prefix (default: all)")
        String ipv6 = "all";

        @Option(names = "--json", description = "JSON (stable field names)")
        boolean json;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return ask(spec, target, "show sessions " + protocol + " " + ipv6 + " " + (json ? "json" : "text"));
        }
    }

    @Command(
            name = "smtp-queue",
            mixinStandardHelpOptions = true,
            header = "The SMTP relay's queue, oldest message first.",
            description = "The SMTP relay's queue, oldest first: id, age, size, attempts, time to the next try,"
                    + " sender, the recipients still pending and the last error (docs/SMTP.md).",
            footerHeading = "%nExamples:%n",
            footer = {"    $ sudo isthmus show smtp-queue",
                "    $ sudo isthmus show smtp-queue --json | jq -r '.smtp_queue[].last_error'"})
    static final class SmtpQueue implements Callable<Integer> {
        @Mixin
        Target target;

        @Option(names = "--json", description = "JSON (stable field names)")
        boolean json;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return ask(spec, target, json ? "show smtp-queue json" : "show smtp-queue");
        }
    }

    @Command(
            name = "calls",
            mixinStandardHelpOptions = true,
            header = "The SIP proxy's calls and their relayed media.",
            description = "The SIP proxy's calls: Call-ID, caller and callee with their address families, state,"
                    + " age, and per relayed stream the relay's ports, where each side's media comes from and"
                    + " the packets relayed each way (docs/SIP.md).",
            footerHeading = "%nExamples:%n",
            footer = {"    $ sudo isthmus show calls",
                "    $ sudo isthmus show calls --json | jq '.calls[].streams[].packets_to_callee'"})
    static final class Calls implements Callable<Integer> {
        @Mixin
        Target target;

        @Option(names = "--json", description = "JSON (stable field names)")
        boolean json;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return ask(spec, target, json ? "show calls json" : "show calls");
        }
    }

    @Command(
            name = "config",
            mixinStandardHelpOptions = true,
            header = "The running configuration, defaults filled in.",
            description = "The effective configuration of the running isthmus, defaults filled in (TOML).",
            footerHeading = "%nExamples:%n",
            footer = {"    $ sudo isthmus show config -c /etc/isthmus.toml"})
    static final class Config implements Callable<Integer> {
        @Mixin
        Target target;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return ask(spec, target, "show config");
        }
    }
}
