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
        description = "Add or remove a static binding of the running isthmus's dynamic address pool.",
        subcommands = {BindingCommand.Add.class, BindingCommand.Del.class})
final class BindingCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "say what to do: add or del");
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Bind IPV6 to IPV4 (an address of [siit.dynamic-pool] ipv4) for good.")
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
            description = "Remove the static binding of IPV4 that was added at run time.")
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
