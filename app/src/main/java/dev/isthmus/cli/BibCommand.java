package dev.isthmus.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code isthmus bib add|del}: changes the static BIB entries of the running stateful NAT64
 * through its control socket; the other entries and every session stay as they are.
 */
@Command(
        name = "bib",
        mixinStandardHelpOptions = true,
        header = "Add or remove a static BIB entry of the NAT64.",
        description = "Add or remove a static BIB entry of the running isthmus's stateful NAT64.",
        footerHeading = "%nExamples:%n",
        footer = {
            "  Let IPv4 hosts reach an IPv6-only web server at 192.0.2.1:8080.",
            "    $ sudo isthmus bib add tcp [2001:db8:6::80]:80 192.0.2.1:8080",
            "    $ sudo isthmus bib del tcp 192.0.2.1:8080"
        },
        subcommands = {BibCommand.Add.class, BibCommand.Del.class})
final class BibCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "say what to do: add or del");
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            header = "Map [IPV6]:PORT to a pool4 IPV4:PORT.",
            description = "Map [IPV6]:PORT to IPV4:PORT (an address of pool4) for PROTOCOL, so IPv4 hosts can reach it.",
            footerHeading = "%nExamples:%n",
            footer = {"    $ sudo isthmus bib add udp [2001:db8:6::53]:53 192.0.2.1:53"})
    static final class Add implements Callable<Integer> {
        @Mixin
        ShowCommand.Target target;

        @Parameters(index = "0", paramLabel = "PROTOCOL", description = "tcp, udp or icmp")
        String protocol;

        @Parameters(index = "1", paramLabel = "[IPV6]:PORT")
        String ipv6;

        @Parameters(index = "2", paramLabel = "IPV4:PORT")
        String ipv4;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return ShowCommand.ask(spec, target, "bib add " + protocol + " " + ipv6 + " " + ipv4);
        }
    }

    @Command(name = "del", mixinStandardHelpOptions = true,
            header = "Remove the static BIB entry of IPV4:PORT.",
            description = "Remove the static BIB entry of IPV4:PORT and its sessions.",
            footerHeading = "%nExamples:%n",
            footer = {"    $ sudo isthmus bib del udp 192.0.2.1:53"})
    static final class Del implements Callable<Integer> {
        @Mixin
        ShowCommand.Target target;

        @Parameters(index = "0", paramLabel = "PROTOCOL", description = "tcp, udp or icmp")
        String protocol;

        @Parameters(index = "1", paramLabel = "IPV4:PORT")
        String ipv4;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return ShowCommand.ask(spec, target, "bib del " + protocol + " " + ipv4);
        }
    }
}
