package dev.isthmus.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.control.ControlServer;
import dev.isthmus.control.DeferredSmtpQueue;
import dev.isthmus.control.SocketPlaneStats;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code isthmus show smtp-queue} and {@code isthmus smtp flush|delete} against a control server with a real queue. */
class SmtpQueueCommandTest {
    @TempDir
    Path dir;

    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();
    DeferredSmtpQueue q;
    ControlServer server;
    String socket;

    @BeforeEach
    void start() throws Exception {
        q = new DeferredSmtpQueue(dir.resolve("spool"), List.of(List.of("bob@dest.test"), List.of("carol@dest.test")));
        socket = dir.resolve("s.sock").toString();
        server = ControlServer.start(dir.resolve("s.sock"), new ShowCommandTest.IdleStats(), SocketPlaneStats.NONE, null,
                null, q.delivery, () -> "");
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
        q.close();
    }

    int run(String... args) {
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void showSmtpQueue() {
        assertEquals(0, run("show", "smtp-queue", "--socket", socket), err.toString());
        assertEquals(3, out.toString().lines().count(), out.toString());
        assertTrue(out.toString().contains(q.ids.get(1)), out.toString());
        assertTrue(out.toString().contains("<alice@src.test> -> <carol@dest.test>: "), out.toString());
    }

    @Test
    void showSmtpQueueJson() {
        assertEquals(0, run("show", "smtp-queue", "--json", "--socket", socket), err.toString());
        assertTrue(out.toString().startsWith("{\"smtp_queue\":[{\"id\":\"" + q.ids.get(0) + "\""), out.toString());
    }

    @Test
    void flushOneThenAll() throws Exception {
        assertEquals(0, run("smtp", "flush", q.ids.get(0), "--socket", socket), err.toString());
        assertEquals(q.ids.get(0) + ": next attempt now\n", out.toString());
        DeferredSmtpQueue.await("the second attempt", () -> q.delivery.message(q.ids.get(0)).orElseThrow().attempts() == 2
                && !q.delivery.delivering(q.ids.get(0)));
        assertEquals(0, run("smtp", "flush", "--socket", socket), err.toString());
        assertTrue(out.toString().endsWith("2 messages to be tried now\n"), out.toString());
        q.awaitAttempts(2);
    }

    @Test
    void deleteThenDeleteAgainNamesTheIdAndExits66() {
        String id = q.ids.get(0);
        assertEquals(0, run("smtp", "delete", id, "--socket", socket), err.toString());
        assertEquals(id + ": deleted\n", out.toString());
        assertEquals(1, q.delivery.queue().size());
        assertEquals(ExitCodes.NO_INPUT, run("smtp", "delete", id, "--socket", socket));
        assertEquals("isthmus smtp: the server refused \"smtp delete " + id + "\": no message " + id + " in the queue\n",
                err.toString());
    }

    @Test
    void whatCannotBeAnIdIsAUsageErrorAndNeverSent() {
        assertEquals(2, run("smtp", "delete", "../spool/x", "--socket", socket));
        assertTrue(err.toString().startsWith("\"../spool/x\" is not a queue id"), err.toString());
        assertEquals(2, q.delivery.queue().size());
    }

    @Test
    void withoutWhatToDoIsAUsageError() {
        assertEquals(2, run("smtp"));
        assertTrue(err.toString().contains("say what to do: flush or delete"), err.toString());
    }

    @Test
    void withoutARelayTheAnswerSaysSo() throws Exception {
        Path other = dir.resolve("other.sock");
        try (ControlServer s = ControlServer.start(other, new ShowCommandTest.IdleStats(), () -> "")) {
            assertEquals(ExitCodes.SOFTWARE, run("smtp", "flush", "--socket", other.toString()));
        }
        assertEquals("isthmus smtp: the server refused \"smtp flush\": the SMTP relay is not configured ([smtp])\n",
                err.toString());
    }
}
