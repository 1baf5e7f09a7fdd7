package dev.isthmus.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.cli.lab.Shell;
import dev.isthmus.cli.lab.Topology;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Debian's Postfix as a test's own mail server in one namespace ({@code postfix -c DIR}, its
 * queue under a directory of its own, no smtpd listener): the MTA an operator points at the relay
 * as {@code relayhost}. Mail goes in with Postfix's {@code sendmail} and everything goes out to the
 * relayhost, over the one address family {@code inet_protocols} allows. A missing Postfix fails
 * the test, naming the Debian package.
 */
final class Postfix implements AutoCloseable {
    private static final Duration LIMIT = Duration.ofSeconds(20);
    private static final String MASTER_CF = """
            pickup    unix  n       -       n       1       1       pickup
            cleanup   unix  n       -       n       -       0       cleanup
            qmgr      unix  n       -       n       300     1       qmgr
            rewrite   unix  -       -       n       -       -       trivial-rewrite
            bounce    unix  -       -       n       -       0       bounce
            defer     unix  -       -       n       -       0       bounce
            trace     unix  -       -       n       -       0       bounce
            verify    unix  -       -       n       -       1       verify
            flush     unix  n       -       n       1000?   0       flush
            proxymap  unix  -       -       n       -       -       proxymap
            smtp      unix  -       -       n       -       -       smtp
            relay     unix  -       -       n       -       -       smtp
            showq     unix  n       -       n       -       -       showq
            error     unix  -       -       n       -       -       error
            retry     unix  -       -       n       -       -       error
            discard   unix  -       -       n       -       -       discard
            anvil     unix  -       -       n       -       1       anvil
            scache    unix  -       -       n       -       1       scache
            postlog   unix-dgram n  -       n       -       1       postlogd
            """;

    private final Topology topology;
    private final String ns;
    private final Path dir;
    private final Path config;
    private boolean started;

    private Postfix(Topology topology, String ns, Path dir) {
        this.topology = topology;
        this.ns = ns;
        this.dir = dir;
        this.config = dir.resolve("config");
    }

    /**
     * Starts a Postfix named {@code hostname} in {@code ns} that sends all mail to
     * {@code relayhost} ({@code [address]:port}) over {@code protocols} ({@code ipv4} or {@code ipv6}).
     */
    static Postfix start(Topology topology, String ns, String hostname, String protocols, String relayhost) {
        Shell.Result which = Shell.run(Duration.ofSeconds(5), "sh", "-c", "command -v postfix && command -v sendmail");
        assertTrue(which.ok(), "the end-to-end tests need Postfix (Debian package postfix)");
        Path dir;
        try {
            // Postfix's daemons run as user postfix: every directory above the queue must be searchable.
            dir = Files.createTempDirectory(Path.of("/var/tmp"), "isthmus-postfix-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Postfix p = new Postfix(topology, ns, dir);
        try {
            p.configure(hostname, protocols, relayhost);
            Shell.Result r = topology.exec(ns, LIMIT, "postfix", "-c", p.config.toString(), "start");
            assertTrue(r.ok(), "postfix did not start: " + r.describe() + "\n" + p.maillog());
            p.started = true;
            return p;
        } catch (RuntimeException | Error e) {
            p.close();
            throw e;
        }
    }

    private void configure(String hostname, String protocols, String relayhost) {
        try {
            Files.createDirectories(config);
            Files.createDirectories(dir.resolve("queue"));
            Path data = Files.createDirectories(dir.resolve("data"));
            assertTrue(Shell.run(Duration.ofSeconds(5), "chown", "postfix", data.toString()).ok(), "chown postfix");
            Files.writeString(config.resolve("main.cf"), """
                    compatibility_level = 3.6
                    queue_directory = %1$s/queue
                    data_directory = %1$s/data
                    command_directory = /usr/sbin
                    daemon_directory = /usr/lib/postfix/sbin
                    meta_directory = /etc/postfix
                    shlib_directory = /usr/lib/postfix
                    mail_owner = postfix
                    setgid_group = postdrop
                    myhostname = %2$s
                    mydomain = test
                    myorigin = $myhostname
                    mydestination =
                    local_recipient_maps =
                    alias_maps =
                    alias_database =
                    inet_protocols = %3$s
                    relayhost = %4$s
                    smtp_host_lookup = native
                    disable_dns_lookups = yes
                    maillog_file = %1$s/data/maillog
                    maillog_file_prefixes = %1$s
                    """.formatted(dir, hostname, protocols, relayhost));
            Files.writeString(config.resolve("master.cf"), MASTER_CF);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Submits a message with Postfix's sendmail (-t: recipients from the header are not used). */
    void sendmail(String from, String to, String message) {
        Path file = dir.resolve("message-" + System.nanoTime() + ".eml");
        try {
            Files.writeString(file, message);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Shell.Result r = topology.exec(ns, LIMIT, "sh", "-c",
                "exec sendmail -C '" + config + "' -f '" + from + "' -- '" + to + "' < '" + file + "'");
        assertTrue(r.ok(), "sendmail: " + r.describe() + "\n" + maillog());
    }

    /** Postfix's log: one line per delivery attempt ({@code status=sent}, {@code relay=...}). */
    String maillog() {
        try {
            Path log = dir.resolve("data/maillog");
            return Files.exists(log) ? Files.readString(log) : "(no maillog yet)";
        } catch (IOException e) {
            return "(maillog unreadable: " + e + ")";
        }
    }

    @Override
    public void close() {
        if (started) {
            topology.exec(ns, LIMIT, "postfix", "-c", config.toString(), "stop");
            started = false;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory under /var/tmp: left for systemd-tmpfiles
        }
    }
}
