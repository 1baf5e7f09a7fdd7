package dev.isthmus.alg.smtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RFC 5321 §6.1 across kill -9: a relay JVM ({@link SpoolCrashChild}) commits, updates and removes
 * messages and is killed with SIGKILL at a random moment, several rounds on one spool; after each,
 * recovery finds every message whose commit had returned, whole, with its last finished update,
 * none that was wholly removed, and no half-written file anywhere.
 */
class SpoolCrashTest {
    private static final int ROUNDS = 6;
    private static final int MESSAGES = 2_000; // bound: the kill comes long before

    @TempDir
    Path dir;

    @Test
    void nothingCommittedIsLostAndNothingHalfWrittenAppears() throws Exception {
        Path spoolDir = dir.resolve("spool");
        long seed = System.nanoTime();
        Random random = new Random(seed);
        Set<String> committed = new HashSet<>();
        Set<String> updated = new HashSet<>();
        Set<String> removing = new HashSet<>();
        Set<String> removed = new HashSet<>();
        int seen = 0;
        for (int round = 0; round < ROUNDS; round++) {
            int delay = random.nextInt(400);
            Process child = start(spoolDir, round);
            CountDownLatch ready = new CountDownLatch(1);
            Thread killer = Thread.ofPlatform().start(() -> {
                try {
                    ready.await(20, TimeUnit.SECONDS); // a child that never gets ready is killed too
                    Thread.sleep(delay);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                // SIGKILL through the handle: Process.destroyForcibly also closes our end of the
                // child's stdout, losing lines it printed just before
                child.toHandle().destroyForcibly();
            });
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.US_ASCII))) {
                for (String line; (line = out.readLine()) != null; ) {
                    String[] word = line.split(" ");
                    switch (word[0]) {
                        case "ready" -> ready.countDown();
                        case "committed" -> committed.add(word[1]);
                        case "updated" -> updated.add(word[1]);
                        case "removing" -> removing.add(word[1]);
                        case "removed" -> removed.add(word[1]);
                        case "done" -> fail("the child ended before the kill: raise MESSAGES");
                        default -> fail("child said " + line);
                    }
                }
            }
            killer.join();
            assertTrue(child.waitFor(10, TimeUnit.SECONDS));
            String context = "round " + round + ", kill " + delay + " ms after ready, seed " + seed + ", child's stderr "
                    + dir.resolve("child-" + round + ".err");

            List<QueuedMessage> recovered;
            try (Spool spool = new Spool(spoolDir)) { // closed again: the next round's child takes the lock
                recovered = spool.recover();
                for (QueuedMessage m : recovered) {
                    assertWhole(spool, m, context);
                }
            }
            Map<String, QueuedMessage> byId = new HashMap<>();
            for (QueuedMessage m : recovered) {
                byId.put(m.id(), m);
            }
            for (String id : committed) {
                if (!removing.contains(id)) {
                    assertTrue(byId.containsKey(id), () -> "lost " + id + ", " + context);
                    if (updated.contains(id)) {
                        assertEquals(1, byId.get(id).attempts(), () -> "update of " + id + " lost, " + context);
                    }
                }
            }
            for (String id : removed) {
                assertTrue(!byId.containsKey(id), () -> "removed " + id + " came back, " + context);
            }
            assertEquals(List.of(), names(spoolDir.resolve("tmp")), context);
            assertEquals(List.of(), names(spoolDir.resolve("corrupt")), context);
            for (String name : names(spoolDir)) {
                String id = name.replaceFirst("[.].*", "");
                assertTrue(name.equals("tmp") || name.equals("corrupt") || name.equals("lock") || byId.containsKey(id),
                        () -> "a file no message owns: " + name + ", " + context);
            }
            seen += recovered.size();
        }
        assertTrue(committed.size() > ROUNDS, "the kills came too early to test anything: " + committed.size());
        assertTrue(seen > 0);
    }

    /** A recovered message is one the child wrote, all of it: content and envelope match. */
    private static void assertWhole(Spool spool, QueuedMessage m, String context) throws IOException {
        String own = m.envelope().recipients().get(0);
        int round = Integer.parseInt(own.substring(1, own.indexOf('m')));
        int k = Integer.parseInt(own.substring(own.indexOf('m') + 1, own.indexOf('@')));
        Envelope e = SpoolCrashChild.envelope(round, k);
        assertEquals(e.recipients(), m.envelope().recipients(), context);
        assertEquals(e.client(), m.envelope().client(), context);
        QueuedMessage fresh = new QueuedMessage(m.id(), m.envelope(), e.recipients(), 0, m.envelope().received(),
                null, m.size());
        assertTrue(m.equals(fresh) || m.equals(SpoolCrashChild.attempted(fresh)), () -> "state " + m + ", " + context);
        try (InputStream in = spool.content(m)) {
            assertArrayEquals(SpoolCrashChild.content(round, k), in.readAllBytes(), () -> m.id() + ", " + context);
        }
    }

    private Process start(Path spoolDir, int round) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        return new ProcessBuilder(java, "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"), SpoolCrashChild.class.getName(), spoolDir.toString(),
                Integer.toString(round), Integer.toString(MESSAGES))
                .redirectError(dir.resolve("child-" + round + ".err").toFile())
                .start();
    }

    private static List<String> names(Path directory) throws IOException {
        try (Stream<Path> s = Files.list(directory)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
