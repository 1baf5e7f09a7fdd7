package dev.isthmus.dataplane;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 19 item 10: the device's lock file is removed on a clean exit, without two runs ever holding it. */
class LockFileTest {
    @TempDir
    Path dir;

    @Test
    void heldOnceAndRemovedOnClose() throws IOException {
        Path path = dir.resolve("isthmus0.4026531840.lock");
        LockFile first = LockFile.acquire(path);
        assertNotNull(first);
        assertNull(LockFile.acquire(path), "a second run does not get it");
        first.close();
        assertFalse(Files.exists(path), "a clean exit removes the lock file");
        LockFile again = LockFile.acquire(path);
        assertNotNull(again, "and the next run gets it");
        again.close();
    }

    @Test
    void aFileLeftByACrashIsTakenOver() throws IOException {
        Path path = dir.resolve("isthmus0.1.lock");
        Files.writeString(path, "4194304 0123456789abcdef\n"); // a dead run's file: nobody holds its lock
        // What a second run reports (it reads the file from another process: reading it here, while
        // holding the lock, would drop the lock).
        assertEquals("pid 4194304", LockFile.holder(path));
        try (LockFile l = LockFile.acquire(path)) {
            assertNotNull(l);
        }
        assertFalse(Files.exists(path));
    }

    /**
     * The race removal opens: a run opened the file just before the holder removed it, and locks
     * the removed file once the holder is gone, while a third run has locked a new file under the
     * name. The late one must see that its file is not the named one.
     */
    @Test
    void aRemovedFileLockedLateIsNotTakenForTheNamedOne() throws IOException {
        Path path = dir.resolve("isthmus0.2.lock");
        LockFile holder = LockFile.acquire(path);
        try (FileChannel late = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            holder.close();
            try (LockFile third = LockFile.acquire(path)) {
                assertNotNull(third);
                assertTrue(Files.exists(path));
                FileLock lock = late.tryLock();
                assertNotNull(lock, "the removed file's lock is free");
                assertNull(LockFile.readBack(path, late, "99 late\n"), "but the name leads to the third run's file");
                lock.release();
            }
        }
    }
}
