package dev.isthmus.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The SMTP queue requests of the control socket, against a real delivery side on a spool. */
class SmtpQueueControlTest {
    @TempDir
    Path dir;

    private DeferredSmtpQueue q;
    private ControlServer.Responder responder;

    @BeforeEach
    void start() throws Exception {
        q = new DeferredSmtpQueue(dir, List.of(List.of("bob@dest.test"), List.of("carol@dest.test", "dave@dest.test")));
        responder = ControlServer.standardResponder(ControlServices.NO_DATAPLANE, SocketPlaneStats.NONE, null, null,
                q.delivery, () -> "");
    }

    @AfterEach
    void stop() throws IOException {
        q.close();
    }

    private String ask(String line) {
        return responder.answer(Request.parse(line));
    }

    @Test
    void theQueueAsATableOneLinePerMessageOldestFirst() {
        String text = ask("show smtp-queue");
        List<String> lines = text.lines().toList();
        assertEquals(4, lines.size(), text);
        assertEquals("ok", lines.get(0));
        assertTrue(lines.get(1).startsWith("id ") && lines.get(1).contains("attempts next-try"), text);
        String first = lines.get(2).replaceAll(" +", " ");
        assertTrue(first.startsWith(q.ids.get(0) + " 0s 27 1 "), first);
        // The retry is FIRST_RETRY (5 minutes) away: 4m once a second or more has passed.
        assertTrue(first.matches(".* [45]m <alice@src.test> -> <bob@dest.test>: .+"), first);
        assertTrue(lines.get(3).contains("<alice@src.test> -> <carol@dest.test>, <dave@dest.test>: "), text);
    }

    @Test
    void theQueueAsJson() {
        String json = ask("show smtp-queue json");
        assertTrue(json.startsWith("ok\n{\"smtp_queue\":[{\"id\":\"" + q.ids.get(0) + "\",\"sender\":\"alice@src.test\","
                + "\"recipients\":[\"bob@dest.test\"],\"attempts\":1,\"next_attempt\":\""), json);
        assertTrue(json.contains("\"recipients\":[\"carol@dest.test\",\"dave@dest.test\"]"), json);
        assertTrue(json.contains("\"delivering\":false,\"last_error\":\""), json);
        assertTrue(json.contains(",\"size\":27}"), json);
        assertTrue(json.endsWith("}]}\n"), json);
    }

    @Test
    void flushOneTriesItNowAndOnlyIt() throws Exception {
        String id = q.ids.get(0);
        assertEquals("ok\n" + id + ": next attempt now\n", ask("smtp flush " + id));
        DeferredSmtpQueue.await("the second attempt", () -> q.delivery.message(id).orElseThrow().attempts() == 2
                && !q.delivery.delivering(id));
        assertEquals(1, q.delivery.message(q.ids.get(1)).orElseThrow().attempts());
    }

    @Test
    void flushAllTriesEveryMessageNow() throws Exception {
        assertEquals("ok\n2 messages to be tried now\n", ask("smtp flush"));
        q.awaitAttempts(2);
    }

    @Test
    void deleteRemovesFromTheQueueAndTheSpool() throws Exception {
        String id = q.ids.get(0);
        assertEquals("ok\n" + id + ": deleted\n", ask("smtp delete " + id));
        assertEquals(List.of(q.ids.get(1)), q.delivery.queue().stream().map(m -> m.id()).toList());
        assertEquals(List.of(q.ids.get(1)), q.spool.list().stream().map(m -> m.id()).toList());
        assertEquals("error: no message " + id + " in the queue\n", ask("smtp delete " + id));
        assertEquals("error: no message " + id + " in the queue\n", ask("smtp flush " + id));
    }

    @ParameterizedTest(name = "\"{0}\" is refused before the queue sees it")
    @CsvSource(delimiter = '|', value = {
        "smtp delete ../../etc/passwd|\"../../etc/passwd\" is not a queue id",
        "smtp flush tmp/x|\"tmp/x\" is not a queue id",
        "smtp delete abc-def|\"abc-def\" is not a queue id",
    })
    void idsThatCannotBeOnesAreRefused(String line, String message) {
        String answer = ask(line);
        assertTrue(answer.startsWith("error: " + message), answer);
        assertEquals(2, q.delivery.queue().size());
    }

    @Test
    void aLongBadIdIsQuotedShort() {
        String answer = ask("smtp delete " + "x/".repeat(500));
        assertTrue(answer.length() < 200 && answer.contains("...\" is not a queue id"), answer);
    }

    @Test
    void withoutARelayEveryRequestSaysSo() {
        ControlServer.Responder none = ControlServer.standardResponder(ControlServices.NO_DATAPLANE,
                SocketPlaneStats.NONE, null, null, null, () -> "");
        for (String line : List.of("show smtp-queue", "show smtp-queue json", "smtp flush", "smtp flush abc",
                "smtp delete abc")) {
            assertEquals("error: the SMTP relay is not configured ([smtp])\n", none.answer(Request.parse(line)), line);
        }
    }
}
