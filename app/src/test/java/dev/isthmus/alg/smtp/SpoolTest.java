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
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
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

    /** The spool under test; {@link #afterRestart} replaces it. */
    private Spool spool;

    @AfterEach
    void closeSpool() throws IOException {
        if (spool != null) {
            spool.close();
        }
    }

    /** What a restarted relay finds: the spool closed (its lock released), opened again and recovered. */
    private List<QueuedMessage> afterRestart() throws IOException {
        spool.close();
        spool = new Spool(dir);
        return spool.recover();
    }

    @Test
    void committedMessageIsOneFileRecoveredWholeByANewSpool() throws IOException {
        spool = new Spool(dir);
        Instant before = Instant.now();
        QueuedMessage m = commit(spool, "Subject: hi\r\n\r\nbody\r\n", envelope("alice@example.org",
                "bob@example.net", "carol@example.net"));
        assertEquals(List.of("bob@example.net", "carol@example.net"), m.pending());
        assertEquals(0, m.attempts());
        assertNull(m.lastError());
        assertEquals(21, m.size());
        assertFalse(m.envelope().received().isBefore(before));
        assertEquals(m.envelope().received(), m.nextAttempt());
        assertEquals(List.of(m.id() + ".msg", "corrupt", "lock", "tmp"), files(""));
        assertEquals(List.of(), files("tmp"));
        String file = Files.readString(dir.resolve(m.id() + ".msg"));
        assertTrue(file.startsWith("Subject: hi\r\n\r\nbody\r\n" + EnvelopeFile.MAGIC + "\nid: " + m.id() + "\n"), file);
        int envelope = file.length() - 21 - MessageFile.FOOTER_BYTES;
        assertTrue(file.endsWith("end\nisthmus-msg 1 " + String.format("%010d", envelope) + "\n"), file);

        List<QueuedMessage> recovered = afterRestart();
        assertEquals(List.of(m), recovered);
        assertEquals("Subject: hi\r\n\r\nbody\r\n", content(spool, recovered.get(0)), "the content, not the trailer");
        assertEquals(List.of(m), spool.list());
    }

    @Test
    void aSecondSpoolOnTheSameDirectoryIsRefusedUntilTheFirstIsClosed() throws IOException {
        Spool first = new Spool(dir);
        IOException e = assertThrows(IOException.class, () -> new Spool(dir));
        assertTrue(e.getMessage().contains("spool " + dir + " is in use by another relay"), e.getMessage());
        first.close();
        new Spool(dir).close();
    }

    @Test
    void updateIsDurableAndRemoveLeavesNothing() throws IOException {
        spool = new Spool(dir);
        QueuedMessage m = commit(spool, "x\r\n", envelope("", "bob@example.net", "carol@example.net"));
        QueuedMessage later = new QueuedMessage(m.id(), m.envelope(), List.of("carol@example.net"), 2,
                m.nextAttempt().plusSeconds(300), "451 4.3.0 mailbox busy", m.size());
        spool.update(later);
        assertEquals(List.of(m.id() + ".env", m.id() + ".msg", "corrupt", "lock", "tmp"), files(""));
        assertEquals(List.of(later), spool.list(), "the state file supersedes the envelope in the message file");
        assertEquals(List.of(later), afterRestart());
        assertEquals("x\r\n", content(spool, later));
        assertEquals(List.of(), files("tmp"));

        spool.remove(later);
        assertEquals(List.of("corrupt", "lock", "tmp"), files(""));
        assertEquals(List.of(), afterRestart());
        assertThrows(NoSuchFileException.class, () -> spool.update(later), "no state without its message");
        assertEquals(List.of("corrupt", "lock", "tmp"), files(""));
        spool.remove(later); // twice: nothing to do
    }

    @Test
    void closeWithoutCommitLeavesNothing() throws IOException {
        spool = new Spool(dir);
        Spool.Writer w = spool.begin();
        w.write(new byte[100], 0, 100);
        assertEquals(100, w.size());
        assertEquals(1, files("tmp").size());
        assertEquals(List.of(), spool.recover(), "uncommitted: invisible, and recovery leaves its file alone");
        assertEquals(1, files("tmp").size());
        w.close();
        w.close();
        assertEquals(List.of(), files("tmp"));
        assertEquals(List.of("corrupt", "lock", "tmp"), files(""));
        assertThrows(IOException.class, () -> w.write(new byte[1], 0, 1));
    }

    @Test
    void writerIsDoneAfterCommit() throws IOException {
        spool = new Spool(dir);
        Spool.Writer w = spool.begin();
        w.write("a".getBytes(StandardCharsets.US_ASCII), 0, 1);
        QueuedMessage m = w.commit(envelope("a@example.org", "b@example.org"));
        assertEquals(w.id(), m.id());
        assertThrows(IOException.class, () -> w.write(new byte[1], 0, 1));
        assertThrows(IOException.class, () -> w.commit(envelope("a@example.org", "b@example.org")));
        w.close();
        assertEquals(1, spool.list().size(), "close after commit keeps the message");
    }

    @Test
    void leftoversOfACrashAreRemovedByRecoverOnly() throws IOException {
        spool = new Spool(dir);
        QueuedMessage kept = commit(spool, "kept\r\n", envelope("a@example.org", "b@example.org"));
        // a writer that died before commit, an update that died, a removal that died between its two deletions
        Files.writeString(dir.resolve("tmp/0000000000010000000001.msg"), "half");
        Files.writeString(dir.resolve("tmp/" + kept.id() + ".0000000000020000000002.upd"), "isthmus");
        Files.writeString(dir.resolve("0000000000030000000003.env"), "isthmus-spool 1\n");
        spool.close();

        try (Spool restarted = new Spool(dir)) {
            assertEquals(List.of(kept), restarted.list());
            assertEquals(2, files("tmp").size(), "list changes nothing");
            assertEquals(List.of(kept), restarted.recover());
        }
        assertEquals(List.of(), files("tmp"));
        assertEquals(List.of(kept.id() + ".msg", "corrupt", "lock", "tmp"), files(""));
        assertEquals(List.of(), files("corrupt"));
    }

    @Test
    void corruptTrailerOrStateIsSetAsideAndTheOthersRecovered() throws IOException {
        spool = new Spool(dir);
        QueuedMessage a = commit(spool, "a\r\n", envelope("a@example.org", "x@example.org"));
        QueuedMessage bad = commit(spool, "bad\r\n", envelope("b@example.org", "x@example.org"));
        QueuedMessage badState = commit(spool, "bad state\r\n", envelope("b@example.org", "x@example.org"));
        QueuedMessage c = commit(spool, "c\r\n", envelope("c@example.org", "x@example.org"));
        Path badFile = dir.resolve(bad.id() + ".msg");
        Files.writeString(badFile, Files.readString(badFile).replace("attempts: 0", "attempts: x"));
        spool.update(badState);
        Path stateFile = dir.resolve(badState.id() + ".env");
        Files.writeString(stateFile, Files.readString(stateFile).replace("attempts: 0", "attempts: many"));

        assertEquals(List.of(a, c), spool.list());
        assertEquals(List.of(a, c), afterRestart());
        assertEquals(List.of(bad.id() + ".msg", badState.id() + ".env", badState.id() + ".msg"), files("corrupt"));
        assertTrue(Files.readString(dir.resolve("corrupt/" + bad.id() + ".msg")).startsWith("bad\r\n"), "nothing deleted");
    }

    @Test
    void aMessageFileOfTheWrongLengthIsSetAside() throws IOException {
        spool = new Spool(dir);
        QueuedMessage cut = commit(spool, "bcdef\r\n", envelope("b@example.org", "x@example.org"));
        QueuedMessage padded = commit(spool, "ghi\r\n", envelope("b@example.org", "x@example.org"));
        QueuedMessage shortForItsState = commit(spool, "jklmn\r\n", envelope("b@example.org", "x@example.org"));
        Path cutFile = dir.resolve(cut.id() + ".msg");
        Files.write(cutFile, Arrays.copyOf(Files.readAllBytes(cutFile), 40));
        Path paddedFile = dir.resolve(padded.id() + ".msg");
        byte[] p = Files.readAllBytes(paddedFile);
        byte[] longer = new byte[p.length + 1];
        System.arraycopy(p, 0, longer, 1, p.length);
        longer[0] = 'X';
        Files.write(paddedFile, longer);
        spool.update(shortForItsState);
        Files.writeString(dir.resolve(shortForItsState.id() + ".msg"), "jk");

        assertEquals(List.of(), afterRestart());
        assertEquals(List.of(cut.id() + ".msg", padded.id() + ".msg", shortForItsState.id() + ".env",
                shortForItsState.id() + ".msg"), files("corrupt"));
    }

    /** Messages the previous layout spooled (content in .msg, envelope in .env) are still delivered. */
    @Test
    void theEarlierTwoFileLayoutIsStillRead() throws IOException {
        spool = new Spool(dir);
        QueuedMessage m = commit(spool, "old\r\n", envelope("a@example.org", "x@example.org"));
        Files.writeString(dir.resolve(m.id() + ".msg"), "old\r\n");
        Files.write(dir.resolve(m.id() + ".env"), EnvelopeFile.encode(m));
        assertEquals(List.of(m), afterRestart());
        assertEquals("old\r\n", content(spool, m));
    }

    @Test
    void setAsideNeverOverwritesAnEarlierOne() throws IOException {
        spool = new Spool(dir);
        QueuedMessage m = commit(spool, "a\r\n", envelope("a@example.org", "x@example.org"));
        Files.writeString(dir.resolve("corrupt/" + m.id() + ".msg"), "earlier");
        Files.writeString(dir.resolve(m.id() + ".msg"), "garbage\n");
        assertEquals(List.of(), spool.recover());
        assertEquals(List.of(m.id() + ".msg", m.id() + ".msg.1"), files("corrupt"));
        assertEquals("earlier", Files.readString(dir.resolve("corrupt/" + m.id() + ".msg")));
    }

    @Test
    void utf8AddressesRoundTrip() throws IOException {
        spool = new Spool(dir);
        Envelope e = new Envelope("θσεύς@παράδειγμα.ελ", List.of("用户@例子.广告", "\"odd local%part\"@example.org"),
                new InetSocketAddress(InetAddress.ofLiteral("192.0.2.7"), 25), "ὄνομα", null, true, true, "ENV%ID 1");
        QueuedMessage m = commit(spool, "Subject: ünïcode\r\n", e);
        QueuedMessage recovered = afterRestart().get(0);
        assertEquals(m, recovered);
        assertEquals(e.recipients(), recovered.envelope().recipients());
        assertTrue(Files.readString(dir.resolve(m.id() + ".msg")).contains("rcpt: 用户@例子.广告\n"),
                "UTF-8 written as is, readable");
        assertEquals("Subject: ünïcode\r\n", content(spool, recovered));
    }

    @Test
    void idsAreUniqueAndSortByArrival() throws Exception {
        spool = new Spool(dir);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ids.add(commit(spool, "m" + i, envelope("a@example.org", "x@example.org")).id());
        }
        assertEquals(ids.stream().sorted().distinct().toList(), ids);
        assertEquals(ids, afterRestart().stream().map(QueuedMessage::id).toList());
        assertThrows(IllegalArgumentException.class, () -> spool.content(new QueuedMessage("../x", envelope("", "a@b"),
                List.of(), 0, Instant.EPOCH, null, 0)));
    }

    @Test
    void concurrentSessionsAndUpdates() throws Exception {
        spool = new Spool(dir);
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
            assertEquals(expected, afterRestart());
            assertEquals(List.of(), files("corrupt"));
        } finally {
            pool.shutdownNow();
        }
    }
}
