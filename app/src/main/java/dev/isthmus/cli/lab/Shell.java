package dev.isthmus.cli.lab;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs one external command to completion within a time limit and returns what it printed.
 * Every wait in the lab is bounded: a command that does not finish in time is killed (with its
 * descendants) and reported as timed out, never waited on forever.
 */
public final class Shell {
    /** Pipe readers block in read(2): a virtual thread each, not a slot of the common pool. */
    private static final Executor READERS = Executors.newVirtualThreadPerTaskExecutor();

    private Shell() {}

    /**
     * What a command did.
     *
     * @param command the command line, for messages
     * @param exitCode its exit code, or -1 when it was killed on timeout
     * @param out standard output
     * @param err standard error
     * @param timedOut true when the time limit ran out
     */
    public record Result(List<String> command, int exitCode, String out, String err, boolean timedOut) {
        public boolean ok() {
            return exitCode == 0 && !timedOut;
        }

        /** One line for an error message: the command, how it ended, and its standard error. */
        public String describe() {
            String how = timedOut ? "timed out" : "exit " + exitCode;
            String e = err.strip();
            return String.join(" ", command) + ": " + how + (e.isEmpty() ? "" : ": " + e);
        }

        /** Throws with {@link #describe()} unless the command succeeded; returns this for chaining. */
        public Result orThrow() {
            if (!ok()) {
                throw new LabException(describe());
            }
            return this;
        }
    }

    /** Runs {@code command}, waiting at most {@code limit}; standard input is empty. */
    public static Result run(Duration limit, List<String> command) {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
        } catch (IOException e) {
            return new Result(command, 127, "", "cannot run " + command.getFirst() + ": " + e.getMessage(), false);
        }
        // Both streams are drained concurrently so that a chatty command cannot fill a pipe and stall.
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> drain(p.getInputStream()), READERS);
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()), READERS);
        boolean finished;
        try {
            finished = p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            finished = false;
        }
        if (!finished) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            try {
                p.waitFor(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return new Result(command, finished ? p.exitValue() : -1, get(out), get(err), !finished);
    }

    /** Same as {@link #run(Duration, List)} with the command as arguments. */
    public static Result run(Duration limit, String... command) {
        return run(limit, List.of(command));
    }

    private static String drain(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String get(CompletableFuture<String> f) {
        try {
            return f.get(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        } catch (ExecutionException | TimeoutException e) {
            // A descendant that kept the pipe open after a kill: what was read so far is lost, which
            // only matters for a command that already failed.
            return "";
        }
    }
}
