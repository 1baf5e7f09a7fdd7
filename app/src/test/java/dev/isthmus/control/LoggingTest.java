package dev.isthmus.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class LoggingTest {

    static LogRecord record(Level level, String logger, String message) {
        LogRecord r = new LogRecord(level, message);
        r.setLoggerName(logger);
        r.setInstant(Instant.parse("2026-11-25T10:00:00.123Z"));
        return r;
    }

    @Test
    void oneLinePerRecord() {
        Logging.LineFormatter f = new Logging.LineFormatter();
        assertEquals("2026-11-25T10:00:00.123Z INFO  dataplane: device nat64 opened\n",
                f.format(record(Level.INFO, "dev.isthmus.dataplane", "device nat64 opened")));
        assertEquals("2026-11-25T10:00:00.123Z WARN  control: refused\n",
                f.format(record(Level.WARNING, "dev.isthmus.control", "refused")));
        assertEquals("2026-11-25T10:00:00.123Z ERROR cli: x\n", f.format(record(Level.SEVERE, "dev.isthmus.cli", "x")));
        assertEquals("2026-11-25T10:00:00.123Z DEBUG isthmus: y\n", f.format(record(Level.FINE, null, "y")));
        assertEquals("2026-11-25T10:00:00.123Z TRACE z: z\n", f.format(record(Level.FINEST, "z", "z")));
    }

    @Test
    void wholeSecondsKeepTheirMilliseconds() {
        LogRecord r = record(Level.INFO, "a.b", "m");
        r.setInstant(Instant.parse("2026-01-02T03:04:05Z"));
        assertTrue(new Logging.LineFormatter().format(r).startsWith("2026-01-02T03:04:05.000Z INFO  b: m"));
    }

    @Test
    void parametersAreFilledIn() {
        LogRecord r = record(Level.INFO, "dev.isthmus.control", "listening on {0}");
        r.setParameters(new Object[] {"/run/isthmus/isthmus.sock"});
        assertEquals("2026-11-25T10:00:00.123Z INFO  control: listening on /run/isthmus/isthmus.sock\n",
                new Logging.LineFormatter().format(r));
    }

    @Test
    void throwableFollowsOnTheNextLines() {
        LogRecord r = record(Level.WARNING, "dev.isthmus.control", "control connection failed");
        r.setThrown(new IllegalStateException("boom"));
        String[] lines = new Logging.LineFormatter().format(r).split("\n");
        assertEquals("2026-11-25T10:00:00.123Z WARN  control: control connection failed", lines[0]);
        assertEquals("java.lang.IllegalStateException: boom", lines[1]);
        assertTrue(lines[2].startsWith("\tat dev.isthmus.control.LoggingTest."), lines[2]);
    }

    @Test
    void levelNames() {
        assertEquals(Level.SEVERE, Logging.level("error"));
        assertEquals(Level.WARNING, Logging.level("WARN"));
        assertEquals(Level.INFO, Logging.level("info"));
        assertEquals(Level.FINE, Logging.level("debug"));
        assertEquals(Level.FINEST, Logging.level("trace"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Logging.level("loud"));
        assertEquals("\"loud\" is not a log level (error, warn, info, debug, trace)", e.getMessage());
    }

    @Test
    void configureSendsSystemLoggerLinesToStandardErrorAtTheLevel() throws Exception {
        PrintStream saved = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            Logging.configure(Level.INFO); // the ConsoleHandler takes System.err as it is now
            System.Logger log = System.getLogger("dev.isthmus.dataplane");
            log.log(System.Logger.Level.DEBUG, "not shown");
            log.log(System.Logger.Level.INFO, "shown");
        } finally {
            System.setErr(saved);
            LogManager.getLogManager().readConfiguration(); // the JDK defaults, for the other tests
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        // Other lines may reach standard error meanwhile (Jazzer's agent logs classes it instruments).
        assertTrue(out.lines().anyMatch(l -> l.matches(
                "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z INFO  dataplane: shown")), out);
        assertFalse(out.contains("not shown"), out);
    }
}
