package dev.isthmus.nat;

import static dev.isthmus.nat.Fixture.SYN;
import static dev.isthmus.nat.Fixture.T0;
import static dev.isthmus.nat.Fixture.X_HI;
import static dev.isthmus.nat.Fixture.X_LO;
import static dev.isthmus.nat.Fixture.Z;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 19 item 9: the session log's file across a kill. A run that is killed leaves its marker
 * and no run-end; the next start writes one run-end ("restart") for it, so that an auditor pairs
 * every session-start with an end (RFC 6888 §4 logging, RFC 7422 §1: the log may be a legal duty).
 */
class SessionLogFileTest {
    private static final Clock RUN1 = Clock.fixed(Instant.parse("2026-12-03T08:00:00Z"), ZoneOffset.UTC);
    private static final Clock RUN2 = Clock.fixed(Instant.parse("2026-12-03T09:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("log").resolve("nat64.jsonl");
    }

    private Path marker() {
        return dir.resolve("log").resolve("nat64.jsonl" + SessionLogFile.MARKER_SUFFIX);
    }

    /** Two sessions start and reach the file; the process then dies: no close, no end lines. */
    private void killedRun() throws IOException {
        SessionLog log = new SessionLog(SessionLog.Mode.SESSIONS, RUN1, 16, null);
        SessionLogFile f = SessionLogFile.open(log, file(), 1000, 16, RUN1);
        Nat64Table t = new Nat64Table(Fixture.settings().shards(1).build(), log);
        t.outbound(new NatResult(), NatProtocol.TCP, X_HI, X_LO, 40000, Z, 80, SYN, T0);
        t.outbound(new NatResult(), NatProtocol.UDP, X_HI, X_LO, 40001, Z, 53, 0, T0);
        f.writeQueued();
        // kill -9: the writer thread dies with the process and nothing else runs; here it is
        // stopped so that it does not outlive the test, and the file is left as it is.
        f.stopWriter();
        f.close();
    }

    @Test
    void aStartAfterAKillEndsTheKilledRunsSessions() throws IOException {
        killedRun();
        assertTrue(Files.exists(marker()), "a killed run leaves its marker");
        List<String> before = Files.readAllLines(file(), StandardCharsets.UTF_8);
        assertEquals(3, before.size(), before::toString);
        assertEquals("{\"time\":\"2026-12-03T08:00:00Z\",\"event\":\"run-start\"}", before.get(0));

        SessionLog log = new SessionLog(SessionLog.Mode.SESSIONS, RUN2, 16, null);
        SessionLogFile f = SessionLogFile.open(log, file(), 1000, 16, RUN2);
        f.stopWriter();
        f.finish();
        List<String> lines = Files.readAllLines(file(), StandardCharsets.UTF_8);
        assertEquals(List.of(
                "{\"time\":\"2026-12-03T09:00:00Z\",\"event\":\"run-end\",\"run\":\"2026-12-03T08:00:00Z\",\"end\":\"restart\"}",
                "{\"time\":\"2026-12-03T09:00:00Z\",\"event\":\"run-start\"}",
                "{\"time\":\"2026-12-03T09:00:00Z\",\"event\":\"run-end\",\"run\":\"2026-12-03T09:00:00Z\",\"end\":\"stop\"}"),
                lines.subList(3, 6));
        assertFalse(Files.exists(marker()), "a clean stop removes the marker");
        assertEquals(List.of(), unpaired(lines), "every start has its end");
    }

    @Test
    void aCleanStopNeedsNoRestartRecord() throws IOException {
        SessionLog log = new SessionLog(SessionLog.Mode.SESSIONS, RUN1, 16, null);
        SessionLogFile f = SessionLogFile.open(log, file(), 1000, 16, RUN1);
        Nat64Table t = new Nat64Table(Fixture.settings().shards(1).build(), log);
        t.outbound(new NatResult(), NatProtocol.TCP, X_HI, X_LO, 40000, Z, 80, SYN, T0);
        f.stopWriter();
        t.endAll(f::writeQueued);
        f.finish();
        f = SessionLogFile.open(new SessionLog(SessionLog.Mode.SESSIONS, RUN2, 16, null), file(), 1000, 16, RUN2);
        f.stopWriter();
        f.finish();
        List<String> lines = Files.readAllLines(file(), StandardCharsets.UTF_8);
        assertEquals(6, lines.size(), lines::toString);
        assertTrue(lines.stream().noneMatch(l -> l.contains("restart")), lines::toString);
        assertEquals(List.of(), unpaired(lines));
    }

    @Test
    void withAWindowOfZeroEachLineIsWrittenAtOnce() throws Exception {
        SessionLog log = new SessionLog(SessionLog.Mode.SESSIONS, RUN1, 16, null);
        SessionLogFile f = SessionLogFile.open(log, file(), 0, 16, RUN1);
        try {
            Nat64Table t = new Nat64Table(Fixture.settings().shards(1).build(), log);
            t.outbound(new NatResult(), NatProtocol.TCP, X_HI, X_LO, 40000, Z, 80, SYN, T0);
            // No one drains: the writer thread itself writes the line as it is queued.
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (!Files.readString(file()).contains("session-start")) {
                assertTrue(System.nanoTime() < deadline, "the line never reached the file");
                Thread.sleep(10);
            }
        } finally {
            f.stopWriter();
            f.finish();
        }
    }

    @Test
    void anUnreadableMarkerStillEndsARun() throws IOException {
        Files.createDirectories(marker().getParent());
        Files.writeString(marker(), "garbage\"}\n");
        SessionLogFile f = SessionLogFile.open(new SessionLog(SessionLog.Mode.BLOCKS, RUN2, 16, null), file(), 1000,
                16, RUN2);
        f.stopWriter();
        f.finish();
        assertTrue(Files.readAllLines(file()).getFirst().endsWith(",\"run\":\"unknown\",\"end\":\"restart\"}"));
    }

    private static final Pattern EVENT = Pattern.compile("\"event\":\"([a-z-]+)\"");
    private static final Pattern TIME = Pattern.compile("^\\{\"time\":\"([^\"]+)\"");
    private static final Pattern RUN = Pattern.compile("\"run\":\"([^\"]+)\"");

    /**
     * What an auditor does: a session-start is paired with the session-end of the same tuple, or
     * else with the run-end of its run (the run-start before it). Returns the unpaired starts.
     */
    static List<String> unpaired(List<String> lines) {
        List<String> open = new ArrayList<>();
        Set<String> endedRuns = new HashSet<>();
        List<String[]> starts = new ArrayList<>();
        String run = null;
        for (String l : lines) {
            Matcher e = EVENT.matcher(l);
            assertTrue(e.find(), l);
            switch (e.group(1)) {
                case "run-start" -> {
                    Matcher m = TIME.matcher(l);
                    assertTrue(m.find(), l);
                    run = m.group(1);
                }
                case "run-end" -> {
                    Matcher m = RUN.matcher(l);
                    assertTrue(m.find(), l);
                    endedRuns.add(m.group(1));
                }
                case "session-start" -> starts.add(new String[] {run, tuple(l)});
                case "session-end" -> open.add(tuple(l));
                default -> { }
            }
        }
        List<String> out = new ArrayList<>();
        for (String[] s : starts) {
            if (!open.remove(s[1]) && !endedRuns.contains(s[0])) {
                out.add(s[1]);
            }
        }
        return out;
    }

    private static String tuple(String line) {
        return line.replaceFirst("^\\{\"time\":\"[^\"]+\",\"event\":\"[a-z-]+\"", "").replaceFirst(",\"end\":.*$", "");
    }
}
