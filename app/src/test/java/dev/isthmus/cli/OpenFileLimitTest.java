package dev.isthmus.cli;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * RLIMIT_NOFILE through getrlimit/setrlimit, checked against what the kernel reports in
 * /proc/self/limits; and the rest of what {@code isthmus run} initialises at start ({@link EarlyInit}).
 */
class OpenFileLimitTest {

    /** "Max open files            20000                20000                files". */
    static OpenFileLimit.Limits fromProc() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
            if (line.startsWith("Max open files")) {
                String[] f = line.substring("Max open files".length()).trim().split("\\s+");
                return new OpenFileLimit.Limits(number(f[0]), number(f[1]));
            }
        }
        throw new AssertionError("no \"Max open files\" in /proc/self/limits");
    }

    private static long number(String s) {
        return s.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(s);
    }

    @Test
    void readsWhatTheKernelReports() throws IOException {
        OpenFileLimit.Limits l = OpenFileLimit.get();
        assertEquals(fromProc(), l);
        assertTrue(l.soft() > 0 && l.soft() <= l.hard(), l.toString());
    }

    @Test
    void raisesTheSoftLimitToTheHardOne() throws IOException {
        OpenFileLimit.Limits after = OpenFileLimit.raiseSoftToHard();
        assertEquals(after.hard(), after.soft());
        assertEquals(fromProc(), after);
    }

    @Test
    void startsTheVirtualThreadPollerAndOpensTheClassPath() {
        assertDoesNotThrow(EarlyInit::startVirtualThreadPoller);
        assertDoesNotThrow(EarlyInit::openClassPath);
    }
}
