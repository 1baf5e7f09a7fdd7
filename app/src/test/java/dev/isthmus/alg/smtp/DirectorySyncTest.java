package dev.isthmus.alg.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Group commit of the spool directory's fsync: every caller returns, and a failure reaches every caller. */
class DirectorySyncTest {
    @TempDir
    Path dir;

    @Test
    void concurrentCallersAllReturn() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try (DirectorySync sync = new DirectorySync(dir)) {
            List<Future<Integer>> calls = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                calls.add(pool.submit(() -> {
                    for (int i = 0; i < 50; i++) {
                        sync.sync();
                    }
                    return 50;
                }));
            }
            int done = 0;
            for (Future<Integer> f : calls) {
                done += f.get(30, TimeUnit.SECONDS);
            }
            assertEquals(400, done);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aFailedFsyncSatisfiesNobody() throws IOException {
        DirectorySync sync = new DirectorySync(dir);
        sync.sync();
        sync.close();
        assertThrows(IOException.class, sync::sync);
        assertThrows(IOException.class, sync::sync, "the next caller tries again and fails on its own");
    }
}
