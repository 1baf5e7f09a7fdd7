package dev.isthmus.e2e;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.cli.lab.Launcher;
import dev.isthmus.cli.lab.Shell;
import dev.isthmus.cli.lab.Topology;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
 * own ({@code d64-XXXX-…}); the IPv6-only client namespace is the stranger of the access test.
 */
class Dns64E2E {
    private static final int UPSTREAM = 5301;
    private static final int UNBOUND_DNS64 = 5302;
    private static final int ISTHMUS = 5353;
    private static final String PREFIX = "2001:db8:64::/96";
    private static final String LOOPBACK = "127.0.0.1";

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

                [control]
                socket = "%s"
                """.formatted(ISTHMUS, UPSTREAM, PREFIX, socket));
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
        Shell.Result stats = Shell.run(Duration.ofSeconds(20), launcher.isthmus("show", "stats", "--json", "--socket",
                socket.toString()));
        assertTrue(stats.ok(), stats.describe());
        assertTrue(counter(stats.out(), "dropped-malformed") >= 1, stats.out());
        assertTrue(counter(stats.out(), "synthesized") >= 1, stats.out());
        Shell.Result text = Shell.run(Duration.ofSeconds(20), launcher.isthmus("show", "stats", "--socket",
                socket.toString()));
        assertTrue(text.out().contains("dns64\n") && text.out().contains("cache-hits"), text.out());
    }

    private static long counter(String json, String key) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(key) + "\":(\\d+)").matcher(json);
        assertTrue(m.find(), "no " + key + " in " + json);
        return Long.parseLong(m.group(1));
    }
}
