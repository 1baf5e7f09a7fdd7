package dev.isthmus.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code isthmus binding add IPV6 IPV4 | del IPV4}: static bindings of the running isthmus's
 * dynamic address pool, through its control socket; every other binding stays as it is. A binding
 * added this way is persisted with the others (docs/OPERATIONS.md).
 */
@Command(
        name = "binding",
        mixinStandardHelpOptions = true,
        header = "Add or remove a static binding of the address pool.",
        description = "Add or remove a static binding of the running isthmus's dynamic address pool.",
        footerHeading = "%nExamples:%n",
        footer = {
            "    $ sudo isthmus binding add 2001:db8:6::99 192.0.2.200",
            "    $ sudo isthmus binding del 192.0.2.200"
        },
        subcommands = {BindingCommand.Add.class, BindingCommand.Del.class})
final class BindingCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "say what to do: add or del");
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            header = "Bind IPV6 to IPV4 for good.",
            description = "Bind IPV6 to IPV4 (an address of [siit.dynamic-pool] ipv4) for good.",
            footerHeading = "%nExamples:%n",
            footer = {"    $ sudo isthmus binding add 2001:db8:6::99 192.0.2.200"})
    static final class Add implements Callable<Integer> {
        @Mixin
        ShowCommand.Target target;

        @Parameters(index = "0", paramLabel = "IPV6")
        String ipv6;

        @Parameters(index = "1", paramLabel = "IPV4")
        String ipv4;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return ShowCommand.ask(spec, target, "binding add " + ipv6 + " " + ipv4);
        }
    }

    @Command(name = "del", mixinStandardHelpOptions = true,
            header = "Remove a binding added at run time.",
            description = "Remove the static binding of IPV4 that was added at run time.",
            footerHeading = "%nExamples:%n",
            footer = {"    $ sudo isthmus binding del 192.0.2.200"})
    static final class Del implements Callable<Integer> {
        @Mixin
        ShowCommand.Target target;

        @Parameters(index = "0", paramLabel = "IPV4")
        String ipv4;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return ShowCommand.ask(spec, target, "binding del " + ipv4);
        }
    }
}
