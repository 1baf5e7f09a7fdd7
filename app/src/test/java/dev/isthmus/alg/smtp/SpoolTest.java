package dev.isthmus.alg.smtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spool's files and their lifecycle (RFC 5321 §6.1: nothing accepted is lost). */
class SpoolTest {
    @TempDir
    Path dir;

    static Envelope envelope(String from, String... recipients) {
        return new Envelope(from, List.of(recipients),
                new InetSocketAddress(InetAddress.ofLiteral("2001:db8:6::2"), 40123), "client.example.org",
                null, false, true, null);
    }

    static QueuedMessage commit(Spool spool, String content, Envelope envelope) throws IOException {
        try (Spool.Writer w = spool.begin()) {
            byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
            w.write(bytes, 0, bytes.length);
            return w.commit(envelope);
        }
    }

    static String content(Spool spool, QueuedMessage m) throws IOException {
        try (InputStream in = spool.content(m)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private List<String> files(String sub) throws IOException {
        try (Stream<Path> s = Files.list(dir.resolve(sub))) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void committedMessageIsRecoveredWholeByANewSpool() throws IOException {
        Spool spool = new Spool(dir);
        Instant before = Instant.now();
        QueuedMessage m = commit(spool, "Subject: hi\r\n\r\nbody\r\n", envelope("alice@example.org",
                "bob@example.net", "carol@example.net"));
        assertEquals(List.of("bob@example.net", "carol@example.net"), m.pending());
        assertEquals(0, m.attempts());
        assertNull(m.lastError());
        assertEquals(21, m.size());
        assertFalse(m.envelope().received().isBefore(before));
        assertEquals(m.envelope().received(), m.nextAttempt());
        assertEquals(List.of(m.id() + ".env", m.id() + ".msg", "corrupt", "tmp"), files(""));
        assertEquals(List.of(), files("tmp"));

        List<QueuedMessage> recovered = new Spool(dir).recover();
        assertEquals(List.of(m), recovered);
        assertEquals("Subject: hi\r\n\r\nbody\r\n", content(spool, recovered.get(0)));
        assertEquals(List.of(m), spool.list());
    }

    @Test
    void updateIsDurableAndRemoveLeavesNothing() throws IOException {
        Spool spool = new Spool(dir);
        QueuedMessage m = commit(spool, "x\r\n", envelope("", "bob@example.net", "carol@example.net"));
        QueuedMessage later = new QueuedMessage(m.id(), m.envelope(), List.of("carol@example.net"), 2,
                m.nextAttempt().plusSeconds(300), "451 4.3.0 mailbox busy", m.size());
        spool.update(later);
        assertEquals(List.of(later), new Spool(dir).recover());
        assertEquals(List.of(), files("tmp"));

        spool.remove(later);
        assertEquals(List.of("corrupt", "tmp"), files(""));
        assertEquals(List.of(), new Spool(dir).recover());
        assertThrows(NoSuchFileException.class, () -> spool.update(later), "no envelope without content");
        spool.remove(later); // twice: nothing to do
    }

    @Test
    void closeWithoutCommitLeavesNothing() throws IOException {
        Spool spool = new Spool(dir);
        Spool.Writer w = spool.begin();
        w.write(new byte[100], 0, 100);
        assertEquals(100, w.size());
        assertEquals(1, files("tmp").size());
        assertEquals(List.of(), spool.recover(), "uncommitted: invisible, and recovery leaves its file alone");
        assertEquals(1, files("tmp").size());
        w.close();
        w.close();
        assertEquals(List.of(), files("tmp"));
        assertEquals(List.of("corrupt", "tmp"), files(""));
        assertThrows(IOException.class, () -> w.write(new byte[1], 0, 1));
    }

    @Test
    void writerIsDoneAfterCommit() throws IOException {
        Spool spool = new Spool(dir);
        Spool.Writer w = spool.begin();
        w.write("a".getBytes(StandardCharsets.US_ASCII), 0, 1);
        w.commit(envelope("a@example.org", "b@example.org"));
        assertThrows(IOException.class, () -> w.write(new byte[1], 0, 1));
        assertThrows(IOException.class, () -> w.commit(envelope("a@example.org", "b@example.org")));
        w.close();
        assertEquals(1, spool.list().size(), "close after commit keeps the message");
    }

    @Test
    void leftoversOfACrashAreRemovedByRecoverOnly() throws IOException {
        Spool spool = new Spool(dir);
        QueuedMessage kept = commit(spool, "kept\r\n", envelope("a@example.org", "b@example.org"));
        // a writer that died before commit, one that died between the two renames, an update that died
        Files.writeString(dir.resolve("tmp/0000000000010000000001.msg"), "half");
        Files.writeString(dir.resolve("tmp/0000000000010000000001.env"), "isthmus-spool 1\n");
        Files.writeString(dir.resolve("tmp/" + kept.id() + ".0000000000020000000002.upd"), "isthmus");
        Files.writeString(dir.resolve("0000000000030000000003.msg"), "orphan");

        Spool restarted = new Spool(dir);
        assertEquals(List.of(kept), restarted.list());
        assertEquals(3, files("tmp").size(), "list changes nothing");
        assertEquals(List.of(kept), restarted.recover());
        assertEquals(List.of(), files("tmp"));
        assertEquals(List.of(kept.id() + ".env", kept.id() + ".msg", "corrupt", "tmp"), files(""));
        assertEquals(List.of(), files("corrupt"));
    }

    @Test
    void corruptEnvelopeIsSetAsideAndTheOthersRecovered() throws IOException {
        Spool spool = new Spool(dir);
        QueuedMessage a = commit(spool, "a\r\n", envelope("a@example.org", "x@example.org"));
        QueuedMessage bad = commit(spool, "bad\r\n", envelope("b@example.org", "x@example.org"));
        QueuedMessage c = commit(spool, "c\r\n", envelope("c@example.org", "x@example.org"));
        Path badEnvelope = dir.resolve(bad.id() + ".env");
        Files.writeString(badEnvelope, Files.readString(badEnvelope).replace("attempts: 0", "attempts: many"));

        assertEquals(List.of(a, c), spool.list());
        assertEquals(List.of(a, c), new Spool(dir).recover());
        assertEquals(List.of(bad.id() + ".env", bad.id() + ".msg"), files("corrupt"));
        assertEquals("bad\r\n", Files.readString(dir.resolve("corrupt/" + bad.id() + ".msg")), "nothing deleted");
    }

    @Test
    void envelopeWhoseContentIsMissingOrOfAnotherSizeIsSetAside() throws IOException {
        Spool spool = new Spool(dir);
        QueuedMessage missing = commit(spool, "a\r\n", envelope("a@example.org", "x@example.org"));
        QueuedMessage cut = commit(spool, "bcdef\r\n", envelope("b@example.org", "x@example.org"));
        Files.delete(dir.resolve(missing.id() + ".msg"));
        Files.writeString(dir.resolve(cut.id() + ".msg"), "bc");
        assertEquals(List.of(), new Spool(dir).recover());
        assertEquals(List.of(missing.id() + ".env", cut.id() + ".env", cut.id() + ".msg"), files("corrupt"));
    }

    @Test
    void setAsideNeverOverwritesAnEarlierOne() throws IOException {
        Spool spool = new Spool(dir);
        QueuedMessage m = commit(spool, "a\r\n", envelope("a@example.org", "x@example.org"));
        Files.writeString(dir.resolve("corrupt/" + m.id() + ".env"), "earlier");
        Files.writeString(dir.resolve(m.id() + ".env"), "garbage\n");
        assertEquals(List.of(), spool.recover());
        assertEquals(List.of(m.id() + ".env", m.id() + ".env.1", m.id() + ".msg"), files("corrupt"));
        assertEquals("earlier", Files.readString(dir.resolve("corrupt/" + m.id() + ".env")));
    }

    @Test
    void utf8AddressesRoundTrip() throws IOException {
        Spool spool = new Spool(dir);
        Envelope e = new Envelope("θσεύς@παράδειγμα.ελ", List.of("用户@例子.广告", "\"odd local%part\"@example.org"),
                new InetSocketAddress(InetAddress.ofLiteral("192.0.2.7"), 25), "ὄνομα", null, true, true, "ENV%ID 1");
        QueuedMessage m = commit(spool, "Subject: ünïcode\r\n", e);
        QueuedMessage recovered = new Spool(dir).recover().get(0);
        assertEquals(m, recovered);
        assertEquals(e.recipients(), recovered.envelope().recipients());
        assertTrue(Files.readString(dir.resolve(m.id() + ".env")).contains("rcpt: 用户@例子.广告\n"),
                "UTF-8 written as is, readable");
        assertEquals("Subject: ünïcode\r\n", content(spool, recovered));
    }

    @Test
    void idsAreUniqueAndSortByArrival() throws Exception {
        Spool spool = new Spool(dir);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ids.add(commit(spool, "m" + i, envelope("a@example.org", "x@example.org")).id());
        }
        assertEquals(ids.stream().sorted().distinct().toList(), ids);
        assertEquals(ids, new Spool(dir).recover().stream().map(QueuedMessage::id).toList());
        assertThrows(IllegalArgumentException.class, () -> spool.content(new QueuedMessage("../x", envelope("", "a@b"),
                List.of(), 0, Instant.EPOCH, null, 0)));
    }

    @Test
    void concurrentSessionsAndUpdates() throws Exception {
        Spool spool = new Spool(dir);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<QueuedMessage>> futures = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                String body = "message " + i + "\r\n";
                futures.add(pool.submit(() -> {
                    QueuedMessage m = commit(spool, body, envelope("a@example.org", "x@example.org", "y@example.org"));
                    QueuedMessage next = new QueuedMessage(m.id(), m.envelope(), List.of("y@example.org"), 1,
                            m.nextAttempt(), "421 later", m.size());
                    spool.update(next);
                    spool.recover(); // a concurrent recovery must leave writers and updates alone
                    return next;
                }));
            }
            List<QueuedMessage> expected = new ArrayList<>();
            for (Future<QueuedMessage> f : futures) {
                expected.add(f.get());
            }
            expected.sort((x, y) -> x.id().compareTo(y.id()));
            assertEquals(expected, new Spool(dir).recover());
            assertEquals(List.of(), files("corrupt"));
        } finally {
            pool.shutdownNow();
        }
    }
}
