package dev.isthmus.nat.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.addr.Ipv4Prefix;
import dev.isthmus.addr.Ipv6Prefix;
import dev.isthmus.wire.Ipv4Address;
import dev.isthmus.wire.Ipv6Address;
import dev.isthmus.xlat.DynamicBindings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Persistence: what one run binds, the next one finds; a corrupt line is skipped with its number. */
class DynamicPoolServiceTest {
    private static final Ipv6Address A = Ipv6Address.parse("2001:db8:1::a");
    private static final Ipv6Address B = Ipv6Address.parse("2001:db8:1::b");
    private static final Ipv6Address S = Ipv6Address.parse("2001:db8:1::5");

    @TempDir
    Path dir;

    private final AtomicLong clock = new AtomicLong(1_764_000_000_000L);

    private DynamicPoolSettings settings(List<DynamicPoolSettings.Static> statics) {
        return new DynamicPoolSettings(Ipv4Prefix.parse("192.0.2.128/29"), Duration.ofHours(2), dir, statics);
    }

    private DynamicPoolService start(List<DynamicPoolSettings.Static> statics) throws IOException {
        return DynamicPoolService.start(settings(statics), clock::get, false);
    }

    @Test
    void bindingsSurviveARestart() throws IOException {
        long a;
        long b;
        try (DynamicPoolService s = start(List.of())) {
            a = s.pool().bind64(A.hi(), A.lo());
            b = s.pool().bind64(B.hi(), B.lo());
            assertEquals(null, s.pool().addStatic(S, Ipv4Address.parse("192.0.2.135"), false));
            s.housekeepOnce();
            assertEquals(1, s.writes());
        }
        assertTrue(Files.exists(dir.resolve(BindingFile.NAME)));
        assertTrue(Files.notExists(dir.resolve(BindingFile.NAME + ".tmp")));
        try (DynamicPoolService s = start(List.of())) {
            assertEquals(List.of(), s.loadProblems());
            assertEquals(a, s.pool().find64(A.hi(), A.lo()));
            assertEquals(b, s.pool().find64(B.hi(), B.lo()));
            assertEquals(Integer.toUnsignedLong(Ipv4Address.parse("192.0.2.135")), s.pool().find64(S.hi(), S.lo()));
            assertEquals(2, s.pool().dynamicBindings());
            assertEquals(1, s.pool().staticBindings());
        }
    }

    @Test
    void theIdleTimeCountsAcrossARestart() throws IOException {
        try (DynamicPoolService s = start(List.of())) {
            s.pool().bind64(A.hi(), A.lo());
        }
        clock.addAndGet(Duration.ofHours(2).toMillis());
        try (DynamicPoolService s = start(List.of())) {
            s.housekeepOnce();
            assertEquals(DynamicBindings.NONE, s.pool().find64(A.hi(), A.lo()));
        }
    }

    @Test
    void aCorruptLineIsReportedAndTheRestLoads() throws IOException {
        Files.writeString(dir.resolve(BindingFile.NAME), """
                dynamic 2001:db8:1::a 192.0.2.128 1764000000000
                dynamic 2001:db8:1::b 192.0.2.1x9 1764000000000
                dynamic 2001:db8:1::c 192.0.2.130 1764000000000
                dynamic 2001:db8:1::d 198.51.100.1 1764000000000
                dynamic 2001:db8:1::e 192.0.2.130 1764000000000
                """);
        try (DynamicPoolService s = start(List.of())) {
            assertEquals(List.of(2, 4, 5), s.loadProblems().stream().map(BindingFile.Problem::line).toList());
            assertEquals(2, s.pool().dynamicBindings());
            assertEquals(Integer.toUnsignedLong(Ipv4Address.parse("192.0.2.130")),
                    s.pool().find64(0x2001_0db8_0001_0000L, 0xc));
            assertTrue(Files.exists(dir.resolve(BindingFile.NAME + ".corrupt")), "the file as read is kept");
        }
    }

    /** Issue 19 item 8: the file meets the rules of the config's static bindings, line by line. */
    @Test
    void aLineBreakingABindingRuleIsSetAsideWithItsReason() throws IOException {
        Files.writeString(dir.resolve(BindingFile.NAME), """
                static 2001:db8:6::9 192.0.2.129 1764000000000
                static 2001:db8:64::c000:201 192.0.2.130 1764000000000
                static ::1 192.0.2.131 1764000000000
                dynamic ff02::1 192.0.2.132 1764000000000
                dynamic fe80::1 192.0.2.133 1764000000000
                static 2001:db8:1::a 192.0.2.134 1764000000000
                """);
        DynamicPoolSettings ruled = new DynamicPoolSettings(Ipv4Prefix.parse("192.0.2.128/29"), Duration.ofHours(2), dir,
                List.of(), Ipv6Prefix.parse("2001:db8:64::/96"), List.of(Ipv6Prefix.parse("2001:db8:6::/120")));
        try (DynamicPoolService s = DynamicPoolService.start(ruled, clock::get, false)) {
            List<String> problems = s.loadProblems().stream().map(BindingFile.Problem::toString).toList();
            assertEquals(5, problems.size(), problems::toString);
            assertTrue(problems.get(0).startsWith("line 1: 2001:db8:6::9 is covered by siit.eam[0].ipv6"), problems::toString);
            assertTrue(problems.get(1).startsWith("line 2: 2001:db8:64::c000:201 is inside pool6"), problems::toString);
            assertTrue(problems.get(2).startsWith("line 3: ::1 is the loopback address"), problems::toString);
            assertTrue(problems.get(3).startsWith("line 4: ff02::1 is a multicast address"), problems::toString);
            assertTrue(problems.get(4).startsWith("line 5: fe80::1 is link-local"), problems::toString);
            assertEquals(List.of("2001:db8:1::a"), s.pool().bindings().stream().map(b -> b.ipv6().toString()).toList());
            assertTrue(Files.exists(dir.resolve(BindingFile.NAME + ".corrupt")), "the file as read is kept");
        }
        assertTrue(!Files.readString(dir.resolve(BindingFile.NAME)).contains("ff02::1"), "the next write leaves it out");
    }

    @Test
    void aConfigStaticBindingBreakingARuleFailsTheStart() {
        DynamicPoolSettings ruled = new DynamicPoolSettings(Ipv4Prefix.parse("192.0.2.128/29"), Duration.ofHours(2), dir,
                List.of(new DynamicPoolSettings.Static(Ipv6Address.parse("ff02::1"), Ipv4Address.parse("192.0.2.130"))),
                null, List.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DynamicPoolService.start(ruled, clock::get, false));
        assertTrue(e.getMessage().contains("ff02::1 is a multicast address"), e.getMessage());
    }

    @Test
    void configStaticBindingsTakePrecedenceOverTheFile() throws IOException {
        Files.writeString(dir.resolve(BindingFile.NAME), "dynamic 2001:db8:1::a 192.0.2.128 1764000000000\n");
        var statics = List.of(new DynamicPoolSettings.Static(S, Ipv4Address.parse("192.0.2.128")));
        try (DynamicPoolService s = start(statics)) {
            assertEquals(1, s.loadProblems().size());
            assertEquals(Integer.toUnsignedLong(Ipv4Address.parse("192.0.2.128")), s.pool().find64(S.hi(), S.lo()));
            assertEquals(DynamicBindings.NONE, s.pool().find64(A.hi(), A.lo()));
        }
        // The config's own bindings are not written to the file.
        assertTrue(!Files.readString(dir.resolve(BindingFile.NAME)).contains("2001:db8:1::5"));
    }

    @Test
    void aMissingDataDirectoryIsAClearError() {
        Path missing = dir.resolve("nope");
        IOException e = assertThrows(IOException.class, () -> DynamicPoolService.start(
                new DynamicPoolSettings(Ipv4Prefix.parse("192.0.2.128/29"), Duration.ofHours(2), missing, List.of()),
                clock::get, false));
        assertTrue(e.getMessage().contains(missing + " does not exist"), e.getMessage());
    }

    @Test
    void anUnwritableDataDirectoryIsAClearError() throws IOException {
        Path file = dir.resolve("plain-file");
        Files.writeString(file, "");
        IOException e = assertThrows(IOException.class, () -> DynamicPoolService.start(
                new DynamicPoolSettings(Ipv4Prefix.parse("192.0.2.128/29"), Duration.ofHours(2), file, List.of()),
                clock::get, false));
        assertTrue(e.getMessage().contains("is not a directory"), e.getMessage());
    }
}
