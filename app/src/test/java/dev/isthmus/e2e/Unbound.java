package dev.isthmus.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.isthmus.cli.lab.Shell;
import dev.isthmus.cli.lab.Topology;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Unbound (Debian's package) for the DNS64 tests, in the foreground in a namespace, with a config
 * of its own in the test's directory: no chroot, no user switch, no syslog, no trust anchor. Two
 * kinds: the upstream, a validating recursive resolver whose iterator finds the test zones in
 * auth-zones (so it answers as a real recursive resolver would, CNAME chains followed, DNSSEC
 * validated for {@link #SIGNED_ZONE}), and Unbound's own
 * DNS64 module forwarding to it, for the differential test.
 */
final class Unbound {
    /**
     * The zone the tests ask about. Every record has its TTL written out (Unbound's zone reader
     * carries the last TTL forward over {@code $TTL}); the SOA MINIMUM 60 makes the negative TTL
     * of RFC 2308 §5 60 s.
     */
    static final String TEST_ZONE = """
            $ORIGIN test.
            @          3600 IN SOA ns.test. host.test. 1 3600 600 86400 60
            @          3600 IN NS ns.test.
            ns          300 IN A 127.0.0.1
            a-only      300 IN A 192.0.2.10
            aaaa-only   300 IN AAAA 2001:db8:1::10
            dual        300 IN A 192.0.2.11
            dual        300 IN AAAA 2001:db8:1::11
            cname       300 IN CNAME a-only.test.
            chain       300 IN CNAME cname.test.
            txt-only    300 IN TXT "no address"
            multi       300 IN A 192.0.2.21
            multi       300 IN A 192.0.2.22
            mapped      300 IN AAAA ::ffff:192.0.2.30
            mapped      300 IN A 192.0.2.30
            loopback    300 IN A 127.0.0.2
            web         300 IN A 198.51.100.2
            """ + big();

    static final String REVERSE_ZONE = """
            $ORIGIN 2.0.192.in-addr.arpa.
            @  3600 IN SOA ns.test. host.test. 1 3600 600 86400 60
            @  3600 IN NS ns.test.
            10  300 IN PTR a-only.test.
            """;

    /** 40 A records: 40 synthesized AAAA records do not fit 512 bytes (RFC 1035 §4.2.1). */
    private static String big() {
        StringBuilder b = new StringBuilder();
        for (int i = 1; i <= 40; i++) {
            b.append("big 300 IN A 203.0.113.").append(i).append('\n');
        }
        return b.toString();
    }

    private Unbound() {}

    static void checkInstalled() {
        for (String[] tool : new String[][] {{"unbound", "-V"}, {"dig", "-v"}, {"ldns-keygen", "-v"}}) {
            Shell.Result r = Shell.run(Duration.ofSeconds(5), tool);
            assertTrue(r.ok(), "the DNS64 tests need `" + tool[0] + "` (Debian packages unbound, dnsutils, ldnsutils;"
                    + " .ci/install-packages installs them): " + r.describe());
        }
    }

    /** The recursive upstream on {@code address@port}, answering {@code allow} (a prefix). */
    /**
     * A zone signed when the test starts (ldns, ECDSA P-256, NSEC3), which the upstream validates
     * from a trust anchor at its apex: its answers carry AD, and what the DNS64 rewrites must not.
     */
    static final String SIGNED_ZONE = """
            $ORIGIN signed.test.
            @          3600 IN SOA ns.signed.test. host.signed.test. 1 3600 600 86400 60
            @          3600 IN NS ns.signed.test.
            ns          300 IN A 127.0.0.1
            a-only      300 IN A 192.0.2.40
            v6          300 IN AAAA 2001:db8:1::40
            """;

    /** Signs {@link #SIGNED_ZONE} into {@code dir/signed.zone.signed}; returns the trust anchor (the KSK's DS). */
    private static String signZone(Path dir) {
        write(dir.resolve("signed.zone"), SIGNED_ZONE);
        Shell.Result r = Shell.run(Duration.ofSeconds(30), "sh", "-c", "cd '" + dir + "' && rm -f Ksigned.test.* &&"
                + " ksk=$(ldns-keygen -a ECDSAP256SHA256 -k signed.test) && zsk=$(ldns-keygen -a ECDSAP256SHA256 signed.test)"
                + " && ldns-signzone -n -o signed.test. signed.zone $ksk $zsk && cat $ksk.ds");
        assertTrue(r.ok(), "signing the test zone failed: " + r.describe());
        return r.out().strip().replaceAll("\\s+", " ");
    }

    static void startUpstream(Topology t, String ns, Path dir, String address, int port, String allow) {
        write(dir.resolve("test.zone"), TEST_ZONE);
        write(dir.resolve("rev.zone"), REVERSE_ZONE);
        String anchor = signZone(dir);
        start(t, ns, dir, "upstream", address, port, allow, "validator iterator", """
                  trust-anchor: "%s"
                auth-zone:
                  name: "signed.test."
                  zonefile: "%s"
                  for-upstream: yes
                  for-downstream: no
                  fallback-enabled: no""".formatted(anchor, dir.resolve("signed.zone.signed")) + "\n" + """
                auth-zone:
                  name: "test."
                  zonefile: "%s"
                  for-upstream: yes
                  for-downstream: no
                  fallback-enabled: no
                auth-zone:
                  name: "2.0.192.in-addr.arpa."
                  zonefile: "%s"
                  for-upstream: yes
                  for-downstream: no
                  fallback-enabled: no
                """.formatted(dir.resolve("test.zone"), dir.resolve("rev.zone")));
    }

    /**
     * An authoritative server for {@code zone} (its text, origin {@code test.}) on
     * {@code address@port}, answering {@code allow}: the zone from an auth-zone served downstream,
     * nothing recursive. The SMTP relay tests' MX, A and AAAA records come from it.
     */
    static void startAuthoritative(Topology t, String ns, Path dir, String address, int port, String allow,
            String zone) {
        write(dir.resolve("auth.zone"), zone);
        start(t, ns, dir, "auth", address, port, allow, "iterator", """
                auth-zone:
                  name: "test."
                  zonefile: "%s"
                  for-upstream: no
                  for-downstream: yes
                  fallback-enabled: no
                """.formatted(dir.resolve("auth.zone")));
    }

    /** Unbound's dns64 module with {@code prefix}, forwarding to the upstream. */
    static void startDns64(Topology t, String ns, Path dir, int port, String prefix, int upstreamPort) {
        start(t, ns, dir, "dns64", "127.0.0.1", port, "127.0.0.0/8", "dns64 iterator",
                "  dns64-prefix: " + prefix + "\n" + """
                forward-zone:
                  name: "."
                  forward-addr: 127.0.0.1@%d
                """.formatted(upstreamPort));
    }

    private static void start(Topology t, String ns, Path dir, String name, String address, int port, String allow,
            String modules, String more) {
        Path conf = dir.resolve(name + ".conf");
        write(conf, serverClause().replace("@ADDRESS@", address).replace("@PORT@", Integer.toString(port))
                .replace("@DIR@", dir.toString()).replace("@MODULES@", modules).replace("@ALLOW@", allow)
                + "  minimal-responses: yes\n" + more);
        Path log = dir.resolve(name + ".log");
        t.start(ns, log, List.of("unbound", "-d", "-c", conf.toString()));
        awaitAnswer(t, ns, address, port, log);
    }

    /** Waits (bounded) until a DNS server answers "test. SOA" at all. */
    static void awaitAnswer(Topology t, String ns, String address, int port, Path log) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            Dig.Answer a = Dig.ask(t, ns, address, port, "test.", "SOA");
            if (a.status() != null) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        fail("no DNS answer from " + address + "#" + port + " within 20 s; its log (" + log + "):\n" + tail(log));
    }

    /** The server: clause shared with bench/dns64.sh. */
    private static String serverClause() {
        try (var in = Unbound.class.getResourceAsStream("unbound-server.conf.in")) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("test resource unbound-server.conf.in is missing", e);
        }
    }

    static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    static void write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
