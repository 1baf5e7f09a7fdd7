package dev.isthmus.e2e;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.cli.lab.Launcher;
import dev.isthmus.cli.lab.Shell;
import dev.isthmus.cli.lab.Topology;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The DNS64 server ({@code isthmus run} with only a {@code [dns64]} section) against real
 * servers, asked with {@code dig}: Unbound as the recursive upstream serving the test zones
 * ({@link Unbound#TEST_ZONE}), and Unbound's own dns64 module on the same upstream for the
 * differential test. Everything runs on loopback in the middle namespace of a topology of its
 * own ({@code d64-XXXX-…}); the IPv6-only client namespace is the stranger of the access tests.
 */
class Dns64E2E {
    private static final int UPSTREAM = 5301;
    private static final int UNBOUND_DNS64 = 5302;
    private static final int ISTHMUS = 5353;
    private static final String PREFIX = "2001:db8:64::/96";
    private static final String LOOPBACK = "127.0.0.1";
    /** Fewer TCP slots than the attack of the TCP test has connections. */
    private static final int TCP_CONNECTIONS = 20;
    private static final int TCP_MAX_PER_CLIENT = 4;
    private static final int TCP_MESSAGE_TIMEOUT_MS = 1000;

    private static Topology topology;
    private static Path work;
    private static Path socket;
    private static Launcher launcher;

    @BeforeAll
    static void start() {
        E2eLab.checkPreconditions();
        Unbound.checkInstalled();
        Topology.Names names = Topology.uniqueNames("d64-");
        String tag = names.mid().substring(0, names.mid().length() - "-mid".length());
        Path jar = Path.of(System.getProperty("isthmus.jar"));
        work = jar.toAbsolutePath().getParent().resolve("e2e").resolve(tag);
        socket = Path.of("/run/isthmus/" + tag + ".sock");
        launcher = Launcher.ofJar(javaBinary(), jar);
        topology = Topology.create(names);
        String mid = names.mid();
        Unbound.startUpstream(topology, mid, work, LOOPBACK, UPSTREAM, "127.0.0.0/8");
        Unbound.startDns64(topology, mid, work, UNBOUND_DNS64, PREFIX, UPSTREAM);
        Path conf = work.resolve("isthmus.toml");
        Unbound.write(conf, """
                [dns64]
                listen = ["[::]:%d"]
                upstream = ["127.0.0.1:%d"]
                prefix = "%s"
                tcp-connections = %d
                tcp-max-per-client = %d
                tcp-message-timeout-ms = %d

                [control]
                socket = "%s"
                """.formatted(ISTHMUS, UPSTREAM, PREFIX, TCP_CONNECTIONS, TCP_MAX_PER_CLIENT, TCP_MESSAGE_TIMEOUT_MS,
                socket));
        Path log = work.resolve("isthmus.log");
        topology.start(mid, log, launcher.isthmus("run", "--config", conf.toString()));
        Unbound.awaitAnswer(topology, mid, LOOPBACK, ISTHMUS, log);
    }

    @AfterAll
    static void stop() {
        if (topology != null) {
            topology.close();
        }
    }

    static Path javaBinary() {
        return ProcessHandle.current().info().command().map(Path::of)
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java"));
    }

    private static Dig.Answer isthmus(String name, String type, String... options) {
        return Dig.ask(topology, topology.names().mid(), LOOPBACK, ISTHMUS, name, type, options);
    }

    private static Dig.Answer unbound(String name, String type, String... options) {
        return Dig.ask(topology, topology.names().mid(), LOOPBACK, UNBOUND_DNS64, name, type, options);
    }

    /** The synthesized address of a-only.test (192.0.2.10) as an ip6.arpa name. */
    private static final String A_ONLY_IP6_ARPA =
            "a.0.2.0.0.0.0.c.0.0.0.0.0.0.0.0.0.0.0.0.4.6.0.0.8.b.d.0.1.0.0.2.ip6.arpa.";

    @Test
    void answersAsUnboundsDns64ModuleDoes() {
        List<String[]> questions = List.of(
                new String[] {"a-only.test.", "AAAA"}, new String[] {"aaaa-only.test.", "AAAA"},
                new String[] {"dual.test.", "AAAA"}, new String[] {"cname.test.", "AAAA"},
                new String[] {"chain.test.", "AAAA"}, new String[] {"nope.test.", "AAAA"},
                new String[] {"txt-only.test.", "AAAA"}, new String[] {"multi.test.", "AAAA"},
                new String[] {"a-only.test.", "A"}, new String[] {"dual.test.", "A"},
                new String[] {"cname.test.", "TXT"}, new String[] {A_ONLY_IP6_ARPA, "PTR"});
        for (String[] q : questions) {
            Dig.Answer ours = isthmus(q[0], q[1]);
            Dig.Answer theirs = unbound(q[0], q[1]);
            String what = q[0] + " " + q[1];
            assertTrue(theirs.status() != null, "Unbound's dns64 did not answer " + what);
            assertEquals(theirs.status(), ours.status(), what + "\nisthmus:\n" + ours.text() + "\nunbound:\n" + theirs.text());
            assertEquals(theirs.records(), ours.records(), what + "\nisthmus:\n" + ours.text() + "\nunbound:\n" + theirs.text());
        }
    }

    @Test
    void followsRfc6147WhereUnboundIsNotAsked() {
        Dig.Answer aOnly = isthmus("a-only.test.", "AAAA");
        Dig.Answer mapped = isthmus("mapped.test.", "AAAA");
        Dig.Answer loopback = isthmus("loopback.test.", "AAAA");
        Dig.Answer raw = isthmus("a-only.test.", "AAAA", "+dnssec", "+cdflag");
        Dig.Answer ipv4only = isthmus("ipv4only.arpa.", "AAAA");
        assertAll(
                // RFC 8880 §7.2 / RFC 7050: prefix discovery works without any upstream data.
                () -> assertEquals(List.of("ipv4only.arpa. AAAA 2001:db8:64::c000:aa", "ipv4only.arpa. AAAA 2001:db8:64::c000:ab"),
                        ipv4only.records(), ipv4only.text()),
                // §5.1.7: min(A TTL 300, negative TTL min(SOA TTL 3600, MINIMUM 60)); a cached copy counts down.
                () -> assertTrue(aOnly.ttls().getFirst() <= 60 && aOnly.ttls().getFirst() > 50, aOnly.text()),
                // §5.1.4: ::ffff:0:0/96 counts as no AAAA at all: synthesized from the A record.
                () -> assertEquals(List.of("mapped.test. AAAA 2001:db8:64::c000:21e"), mapped.records(), mapped.text()),
                // §5.1.4 / exclude-ipv4: loopback is never synthesized; the A record is not returned.
                () -> assertEquals("NOERROR", loopback.status()),
                () -> assertEquals(List.of(), loopback.records(), loopback.text()),
                // §5.5: CD and DO: the client validates, so no synthesis.
                () -> assertEquals("NOERROR", raw.status()),
                () -> assertEquals(List.of(), raw.records(), raw.text()),
                () -> assertFalse(aOnly.flag("ad"), aOnly.text()));
    }

    @Test
    void dnssecBitsFollowRfc6147Section55() {
        // The upstream validates signed.test. (Unbound.SIGNED_ZONE); isthmus does not.
        Dig.Answer real = isthmus("v6.signed.test.", "AAAA", "+dnssec");
        Dig.Answer realNoDo = isthmus("v6.signed.test.", "AAAA", "+noadflag");
        Dig.Answer synthesized = isthmus("a-only.signed.test.", "AAAA", "+dnssec");
        Dig.Answer raw = isthmus("a-only.signed.test.", "AAAA", "+dnssec", "+cdflag");
        assertAll(
                // Unchanged, validated data keeps AD and its RRSIG for a client that set DO.
                () -> assertTrue(real.flag("ad"), real.text()),
                () -> assertTrue(real.records().stream().anyMatch(r -> r.contains(" RRSIG AAAA ")), real.text()),
                // RFC 6840 §5.8: no AD for a client that asked for neither DO nor AD.
                () -> assertFalse(realNoDo.flag("ad"), realNoDo.text()),
                // §5.5: a synthesized answer never carries AD, nor the A record's RRSIG.
                () -> assertEquals(List.of("a-only.signed.test. AAAA 2001:db8:64::c000:228"), synthesized.records(),
                        synthesized.text()),
                () -> assertFalse(synthesized.flag("ad"), synthesized.text()),
                // §5.5: CD and DO: the validating client gets the signed NODATA, no synthesis.
                () -> assertEquals("NOERROR", raw.status(), raw.text()),
                () -> assertTrue(raw.records().isEmpty(), raw.text()));
    }

    @Test
    void aLargeAnswerIsTruncatedOverUdpAndCompleteOverTcp() {
        // RFC 1035 §4.2.1: 512 bytes without EDNS0; RFC 7766: TCP carries the whole answer.
        Dig.Answer udp = isthmus("big.test.", "AAAA", "+noedns", "+ignore");
        Dig.Answer tcp = isthmus("big.test.", "AAAA", "+tcp");
        Dig.Answer fallback = isthmus("big.test.", "AAAA", "+noedns");
        assertAll(
                () -> assertTrue(udp.flag("tc"), udp.text()),
                () -> assertEquals(40, tcp.records().size(), tcp.text()),
                () -> assertFalse(tcp.flag("tc"), tcp.text()),
                () -> assertEquals(40, fallback.records().size(), fallback.text()));
    }

    @Test
    void aClientOutsideAllowIsRefused() {
        // The default allow is loopback; the IPv6-only client's 2001:db8:6::2 is not in it.
        Dig.Answer a = Dig.ask(topology, topology.names().client(), Topology.MID6, ISTHMUS, "a-only.test.", "AAAA");
        assertEquals("REFUSED", a.status(), a.text());
        assertEquals(List.of(), a.records());
    }

    @Test
    void junkIsDroppedAndCountedAndServiceGoesOn() {
        String mid = topology.names().mid();
        // Two bytes: less than a DNS header.
        Shell.Result sent = topology.exec(mid, Duration.ofSeconds(5), "bash", "-c",
                "printf '\\001\\002' > /dev/udp/127.0.0.1/" + ISTHMUS);
        assertTrue(sent.ok(), sent.describe());
        assertEquals("NOERROR", isthmus("a-only.test.", "AAAA").status());
        String stats = stats();
        assertTrue(counter(stats, "dropped-malformed") >= 1, stats);
        assertTrue(counter(stats, "synthesized") >= 1, stats);
        Shell.Result text = Shell.run(Duration.ofSeconds(20), launcher.isthmus("show", "stats", "--socket",
                socket.toString()));
        assertTrue(text.out().contains("dns64\n") && text.out().contains("cache-hits"), text.out());
    }

    /**
     * Issue 19, bounded: connections that trickle a query a byte at a time held every TCP slot,
     * those of a refused client too, and allowed clients got end-of-file. Now 100 such
     * connections from the IPv6-only stranger (five times the slots) are reset as they are
     * accepted; of 8 from 127.0.0.1, 4 ({@code tcp-max-per-client}) are admitted and cut when
     * their query is not whole 1 s after its first byte, the other 4 reset; and meanwhile
     * {@code dig +tcp} from ::1 gets its answers (RFC 7766 §6.2.2, §10).
     */
    @Test
    void aTrickleAttackHoldsNoTcpSlotFromAllowedClients() throws Exception {
        assertTrue(Shell.run(Duration.ofSeconds(5), "/usr/bin/python3", "--version").ok(),
                "the TCP attack test needs /usr/bin/python3 (Debian package python3)");
        String mid = topology.names().mid();
        String before = stats();
        Path script = work.resolve("tcp_trickle.py");
        try (InputStream in = Dns64E2E.class.getResourceAsStream("tcp_trickle.py")) {
            Files.write(script, in.readAllBytes());
        }
        String port = Integer.toString(ISTHMUS);
        Path strangerLog = work.resolve("trickle-stranger.log");
        Path hogLog = work.resolve("trickle-hog.log");
        Process stranger = topology.start(topology.names().client(), strangerLog,
                List.of("/usr/bin/python3", script.toString(), Topology.MID6, port, Topology.CLIENT6, "100", "0.2", "5"));
        Process hog = topology.start(mid, hogLog,
                List.of("/usr/bin/python3", script.toString(), LOOPBACK, port, LOOPBACK, "8", "0.2", "5"));
        awaitLine(strangerLog, "connected 100");
        awaitLine(hogLog, "connected 8");
        for (int i = 0; i < 3; i++) {
            Dig.Answer a = Dig.ask(topology, mid, "::1", ISTHMUS, "a-only.test.", "AAAA", "+tcp");
            assertEquals(List.of("a-only.test. AAAA 2001:db8:64::c000:20a"), a.records(), a.text());
        }
        assertTrue(stranger.waitFor(15, TimeUnit.SECONDS) && stranger.exitValue() == 0, read(strangerLog));
        assertTrue(hog.waitFor(15, TimeUnit.SECONDS) && hog.exitValue() == 0, read(hogLog));
        List<Double> strangers = closedAfter(strangerLog);
        List<Double> hogs = closedAfter(hogLog);
        String after = stats();
        assertAll(
                () -> assertEquals(100, strangers.size(), read(strangerLog)),
                () -> assertTrue(strangers.stream().allMatch(d -> d < 1), "reset at accept: " + strangers),
                () -> assertEquals(4, hogs.stream().filter(d -> d < 0.8).count(), "over the per-client cap: " + hogs),
                () -> assertEquals(4, hogs.stream().filter(d -> d >= 0.8 && d < 3).count(),
                        "cut at the message timeout, not the 10 s idle timeout: " + hogs),
                () -> assertEquals(100, counter(after, "tcp-refused-client") - counter(before, "tcp-refused-client")),
                () -> assertEquals(4, counter(after, "tcp-client-limit") - counter(before, "tcp-client-limit")),
                () -> assertEquals(4, counter(after, "tcp-message-timeouts") - counter(before, "tcp-message-timeouts")),
                () -> assertEquals(0, counter(after, "tcp-rejected") - counter(before, "tcp-rejected")));
        // 108 refusals within a second or two: logged at most 10 lines a second.
        long refusalLines = read(work.resolve("isthmus.log")).lines()
                .filter(l -> l.contains("DNS64 TCP connection from") && l.contains("refused")).count();
        assertTrue(refusalLines >= 10 && refusalLines <= 40, refusalLines + " refusal lines logged");
    }

    /** {@code isthmus show stats --json}. */
    private static String stats() {
        Shell.Result r = Shell.run(Duration.ofSeconds(20), launcher.isthmus("show", "stats", "--json", "--socket",
                socket.toString()));
        assertTrue(r.ok(), r.describe());
        return r.out();
    }

    /** The seconds each connection of a tcp_trickle.py run stayed open; "open" fails. */
    private static List<Double> closedAfter(Path log) {
        String line = read(log).lines().filter(l -> l.startsWith("closed-after ")).findFirst()
                .orElseThrow(() -> new AssertionError("no result in " + log + ":\n" + read(log)));
        List<String> items = List.of(line.substring("closed-after ".length()).split(" "));
        assertFalse(items.contains("open"), "a connection outlived the attack: " + line);
        return items.stream().map(Double::valueOf).toList();
    }

    private static void awaitLine(Path log, String line) {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!read(log).contains(line)) {
            assertTrue(System.nanoTime() < end, "no \"" + line + "\" in " + log + ":\n" + read(log));
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    private static String read(Path p) {
        try {
            return Files.isRegularFile(p) ? Files.readString(p) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long counter(String json, String key) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(key) + "\":(\\d+)").matcher(json);
        assertTrue(m.find(), "no " + key + " in " + json);
        return Long.parseLong(m.group(1));
    }
}
