package dev.isthmus.cli;

import dev.isthmus.alg.smtp.Delivery;
import dev.isthmus.control.SmtpQueueStats;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code isthmus smtp flush|delete}: acts on the running SMTP relay's queue through the control
 * socket ({@code isthmus show smtp-queue} lists it). A message the relay no longer holds exits
 * with {@link ExitCodes#NO_INPUT}, so that a script can tell "already gone" from a failure.
 */
@Command(
        name = "smtp",
        mixinStandardHelpOptions = true,
        header = "Retry or remove messages in the SMTP relay's queue.",
        description = "Retry now, or remove, messages in the running isthmus's SMTP relay queue"
                + " (isthmus show smtp-queue lists them).",
        footerHeading = "%nExamples:%n",
        footer = {
            "  The destination is back: try everything now rather than at the next retry.",
            "    $ sudo isthmus smtp flush",
            "  Remove one message for good; its sender is not told.",
            "    $ sudo isthmus smtp delete 0193a4f2c81d00007e21b9"
        },
        subcommands = {SmtpQueueCommand.Flush.class, SmtpQueueCommand.Delete.class})
final class SmtpQueueCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "say what to do: flush or delete");
    }

    /** A refusal for a message not in the queue has its own exit code; other refusals are failures. */
    static int ask(CommandSpec spec, ShowCommand.Target target, String line) {
        return ShowCommand.ask(spec, target, line,
                refusal -> refusal.startsWith(SmtpQueueStats.NO_SUCH_MESSAGE) ? ExitCodes.NO_INPUT : ExitCodes.SOFTWARE);
    }

    /** A usage error (exit 2) for what cannot be an id, before anything is sent. */
    static String checked(CommandSpec spec, String id) {
        if (!Delivery.isQueueId(id)) {
            throw new ParameterException(spec.commandLine(),
                    "\"" + id + "\" is not a queue id (letters and digits, as isthmus show smtp-queue lists them)");
        }
        return id;
    }

    @Command(name = "flush", mixinStandardHelpOptions = true,
            header = "Try queued messages now, not at their next retry.",
            description = "Try the message ID now rather than at its next retry; without ID, every queued message."
                    + " A message being delivered at this moment goes on as it is.",
            footerHeading = "%nExamples:%n",
            footer = {"    $ sudo isthmus smtp flush", "    $ sudo isthmus smtp flush 0193a4f2c81d00007e21b9"})
    static final class Flush implements Callable<Integer> {
        @Mixin
        ShowCommand.Target target;

        @Parameters(index = "0", arity = "0..1", paramLabel = "ID", description = "a queue id (default: every message)")
        String id;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return ask(spec, target, id == null ? "smtp flush" : "smtp flush " + checked(spec, id));
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
            header = "Remove a queued message without a bounce.",
            description = "Remove the message ID from the queue and the spool; its sender gets no delivery status"
                    + " notification, and the log records the removal.",
            footerHeading = "%nExamples:%n",
            footer = {"    $ sudo isthmus smtp delete 0193a4f2c81d00007e21b9"})
    static final class Delete implements Callable<Integer> {
        @Mixin
        ShowCommand.Target target;

        @Parameters(index = "0", paramLabel = "ID", description = "a queue id, as isthmus show smtp-queue lists it")
        String id;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return ask(spec, target, "smtp delete " + checked(spec, id));
        }
    }
}
