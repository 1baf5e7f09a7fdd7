package dev.isthmus.nat;

import static dev.isthmus.nat.Fixture.SYN;
import static dev.isthmus.nat.Fixture.X_HI;
import static dev.isthmus.nat.Fixture.X_LO;
import static dev.isthmus.nat.Fixture.Z;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.addr.EamTable;
import dev.isthmus.addr.Ipv4Pool;
import dev.isthmus.addr.Rfc6052Prefix;
import dev.isthmus.wire.Ipv6Address;
import dev.isthmus.xlat.XlatSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The running service's session log: lines reach the file, every start has its end, appended across restarts. */
class Nat64ServiceTest {
    private static final XlatSettings XLAT = new XlatSettings(Rfc6052Prefix.parse("64:ff9b::/96"),
            new EamTable(List.of()), Ipv4Pool.empty(), null, -1, -1, true, 1280, null, 1500, 1500, Fixture.T,
            Ipv6Address.parse("64:ff9b::c000:202"), XlatSettings.HairpinMode.OFF, true, 0);

    @TempDir
    Path dir;

    @Test
    void sessionStartsAreAppendedToTheLogFileAcrossRestarts() throws IOException {
        Path file = dir.resolve("log").resolve("nat64.jsonl");
        var target = new Nat64Service.LogTarget(SessionLog.Mode.SESSIONS, file);
        for (int run = 0; run < 2; run++) {
            try (Nat64Service s = Nat64Service.start(Fixture.settings().build(), List.of(), XLAT, target)) {
                s.table().outbound(new NatResult(), NatProtocol.TCP, X_HI, X_LO, 40000 + run, Z, 80, SYN,
                        System.nanoTime());
            }
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertEquals(8, lines.size(), lines::toString);
        assertTrue(lines.get(0).contains("\"event\":\"run-start\""), lines::toString);
        assertTrue(lines.get(1).contains("\"event\":\"session-start\"") && lines.get(1).contains("\"port\":40000"),
                lines::toString);
        assertTrue(lines.get(2).contains("\"event\":\"session-end\"") && lines.get(2).contains("\"port\":40000")
                && lines.get(2).contains("\"end\":\"removed\""), "stopping ends the open session: " + lines);
        assertTrue(lines.get(3).contains("\"event\":\"run-end\"") && lines.get(3).contains("\"end\":\"stop\""),
                lines::toString);
        assertTrue(lines.get(5).contains("\"port\":40001"), "the second run appends: " + lines);
        assertEquals(List.of(), SessionLogFileTest.unpaired(lines));
    }

    /** Issue 19 item 9: what a killed run left (its marker, starts without ends) is ended at the next start. */
    @Test
    void aStartAfterAKilledRunEndsItsSessions() throws IOException {
        Path file = dir.resolve("nat64.jsonl");
        Files.writeString(file, """
                {"time":"2026-12-03T08:00:00Z","event":"run-start"}
                {"time":"2026-12-03T08:00:01Z","event":"session-start","protocol":"tcp","ipv6":"2001:db8::1",\
                "port":40000,"t4":"192.0.2.2","tport":40000,"z4":"198.51.100.7","zport":80}
                """);
        Files.writeString(dir.resolve("nat64.jsonl.running"), "2026-12-03T08:00:00Z\n");
        var target = new Nat64Service.LogTarget(SessionLog.Mode.SESSIONS, file, 0);
        try (Nat64Service s = Nat64Service.start(Fixture.settings().build(), List.of(), XLAT, target)) {
            assertTrue(Files.readAllLines(file).get(2).endsWith(",\"event\":\"run-end\",\"run\":\"2026-12-03T08:00:00Z\","
                    + "\"end\":\"restart\"}"), "written at start, before any line of the new run");
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertEquals(List.of(), SessionLogFileTest.unpaired(lines), lines::toString);
        assertTrue(Files.notExists(dir.resolve("nat64.jsonl.running")));
    }

    @Test
    void aLogThatCannotBeOpenedFailsTheStart() throws IOException {
        Path notADirectory = Files.writeString(dir.resolve("file"), "x");
        var target = new Nat64Service.LogTarget(SessionLog.Mode.BLOCKS, notADirectory.resolve("nat64.jsonl"));
        assertThrows(IOException.class,
                () -> Nat64Service.start(Fixture.settings().build(), List.of(), XLAT, target));
    }
}
