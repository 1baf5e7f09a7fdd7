package dev.isthmus.config;

import dev.isthmus.addr.AddressSet;
import dev.isthmus.addr.Ipv6Prefix;
import dev.isthmus.alg.smtp.SmtpSettings;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tomlj.TomlArray;
import org.tomlj.TomlPosition;
import org.tomlj.TomlTable;

/** Reads and validates the {@code [smtp]} section, the SMTP relay (docs/CONFIG.md lists every key). */
final class SmtpSection {
    static final List<String> KEYS = List.of("listen", "hostname", "allow", "spool", "resolver", "smarthost",
            "max-message-size", "prefer-ipv6", "dns64-prefixes", "first-retry", "max-retry-interval",
            "max-queue-lifetime", "per-destination-concurrency", "max-connections", "max-per-client", "tls-certificate",
            "tls-key", "auth", "connection-cache-time", "dns64-discovery", "refusal-limit", "refusal-window",
            "refusal-block");
    static final List<String> AUTH_KEYS = List.of("users");

    static final String DEFAULT_LISTEN = "[::]:25";
    static final Path DEFAULT_SPOOL = Path.of("/var/spool/isthmus/smtp");
    static final int DEFAULT_MAX_CONNECTIONS = 1000;
    /** As Postfix's smtpd_client_connection_count_limit. */
    static final int DEFAULT_MAX_PER_CLIENT = 50;
    /** RFC 1870 §3: SIZE 0 means no limit; the relay always has one, up to 2 GiB (the spool's files). */
    static final long MAX_MESSAGE_SIZE = Integer.MAX_VALUE;
    /** Longer would hold a slot on the receiving server for nothing; Postfix's own limit is similar in spirit. */
    static final int MAX_CONNECTION_CACHE_SECONDS = 300;
    /** RFC 1035 §2.3.1 with RFC 1123 §2.1's leading digits: the relay's own name goes into every greeting. */
    static final String HOSTNAME = "(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*";

    private SmtpSection() {}

    /** The section, or null when it has errors (recorded). */
    static SmtpSettings read(TableReader t, Listeners listeners) {
        int errorsBefore = t.problems().count();
        t.rejectUnknown(KEYS);
        List<InetSocketAddress> listen = SocketKeys.listen(t, listeners, "smtp", EnumSet.of(Listeners.Transport.TCP),
                DEFAULT_LISTEN, "is empty: the relay would accept no mail");
        String hostname = t.string("hostname");
        if (!t.has("hostname")) {
            t.errorHere("missing key \"hostname\": the relay's name in its greeting, EHLO and Received headers");
        } else if (hostname != null && !hostname.matches(HOSTNAME)) {
            t.error("hostname", "\"" + hostname + "\" is not a host name (letters, digits, - and dots)");
        }
        // Required, with no default: an open relay is a bug (issue 21), "everyone" must be said.
        AddressSet allow = SocketKeys.prefixes(t, "allow", true);
        Path spool = path(t, "spool", DEFAULT_SPOOL);
        List<InetSocketAddress> resolvers = resolvers(t);
        InetSocketAddress smarthost = smarthost(t);
        long maxMessageSize = maxMessageSize(t);
        boolean preferIpv6 = t.bool("prefer-ipv6", true);
        List<Ipv6Prefix> dns64 = dns64Prefixes(t);
        Duration firstRetry = SocketKeys.seconds(t, "first-retry", SmtpSettings.DEFAULT_FIRST_RETRY, 86400);
        Duration maxRetry = SocketKeys.seconds(t, "max-retry-interval", SmtpSettings.DEFAULT_MAX_RETRY_INTERVAL, 86400);
        Duration lifetime = SocketKeys.seconds(t, "max-queue-lifetime", SmtpSettings.DEFAULT_MAX_QUEUE_LIFETIME, 100 * 86400);
        if (firstRetry.compareTo(maxRetry) > 0) {
            t.error(t.has("first-retry") ? "first-retry" : "max-retry-interval",
                    "first-retry (" + firstRetry.toSeconds() + " s) is longer than max-retry-interval ("
                            + maxRetry.toSeconds() + " s)");
        } else if (maxRetry.compareTo(lifetime) > 0) {
            t.error(t.has("max-queue-lifetime") ? "max-queue-lifetime" : "max-retry-interval",
                    "max-queue-lifetime (" + lifetime.toSeconds() + " s) is shorter than max-retry-interval ("
                            + maxRetry.toSeconds() + " s): a message would get one try");
        }
        int perDestination = t.intIn("per-destination-concurrency", 1, 10_000,
                SmtpSettings.DEFAULT_PER_DESTINATION_CONCURRENCY);
        int maxConnections = t.intIn("max-connections", 1, 1_000_000, DEFAULT_MAX_CONNECTIONS);
        int maxPerClient = t.intIn("max-per-client", 1, 1_000_000, DEFAULT_MAX_PER_CLIENT);
        Path certificate = existingFile(t, "tls-certificate");
        Path key = existingFile(t, "tls-key");
        if (t.has("tls-certificate") != t.has("tls-key")) {
            t.error(t.has("tls-certificate") ? "tls-certificate" : "tls-key",
                    "tls-certificate and tls-key go together: STARTTLS needs both");
        }
        Map<String, String> users = users(t);
        if (!users.isEmpty() && !t.has("tls-certificate")) {
            t.table("auth").error("users", "AUTH is offered only after STARTTLS (passwords go in the clear otherwise):"
                    + " set tls-certificate and tls-key");
        }
        // 0 turns reuse off, so not SocketKeys.seconds (which starts at 1).
        Duration cacheTime = Duration.ofSeconds(t.intIn("connection-cache-time", 0, MAX_CONNECTION_CACHE_SECONDS,
                (int) SmtpSettings.DEFAULT_CONNECTION_CACHE_TIME.toSeconds()));
        boolean dns64Discovery = t.bool("dns64-discovery", true);
        SmtpSettings.RefusalLimit refusalLimit = refusalLimit(t);
        if (t.problems().count() != errorsBefore) {
            return null;
        }
        return new SmtpSettings(listen, hostname, allow, spool, resolvers, smarthost, maxMessageSize, preferIpv6, dns64,
                firstRetry, maxRetry, lifetime, perDestination, maxConnections, maxPerClient, certificate, key, users,
                cacheTime, dns64Discovery, refusalLimit);
    }

    private static Path path(TableReader t, String key, Path dflt) {
        String s = t.string(key);
        if (s == null) {
            return dflt;
        }
        if (!s.startsWith("/")) {
            t.error(key, "\"" + s + "\" is not an absolute path");
            return dflt;
        }
        return Path.of(s);
    }

    /** A PEM file that is there and readable now: a typo should fail the config check, not the first STARTTLS. */
    private static Path existingFile(TableReader t, String key) {
        Path p = path(t, key, null);
        if (p != null && !Files.isReadable(p)) {
            t.error(key, "cannot read " + p);
        }
        return p;
    }

    /** {@code resolver}: DNS servers, as [dns64]'s upstream (port 53 unless given). */
    private static List<InetSocketAddress> resolvers(TableReader t) {
        List<String> texts = SocketKeys.strings(t, "resolver");
        List<InetSocketAddress> out = new ArrayList<>();
        if (texts == null) {
            return out;
        }
        TomlArray a = t.array("resolver");
        for (int i = 0; i < texts.size(); i++) {
            try {
                out.add(Dns64Section.upstream(texts.get(i)));
            } catch (IllegalArgumentException e) {
                TomlPosition at = a.inputPositionOf(i) != null ? a.inputPositionOf(i) : t.positionOf("resolver");
                t.problems().add(at, t.keyPath("resolver") + "[" + i + "]", e.getMessage());
            }
        }
        return out;
    }

    /** {@code smarthost}: {@code ADDRESS:PORT} or an address literal alone (port 25). */
    private static InetSocketAddress smarthost(TableReader t) {
        String s = t.string("smarthost");
        if (s == null) {
            return null;
        }
        try {
            InetSocketAddress a = Dns64Section.upstream(s);
            boolean portGiven = s.startsWith("[") || s.chars().filter(c -> c == ':').count() == 1;
            return portGiven ? a : new InetSocketAddress(a.getAddress(), 25);
        } catch (IllegalArgumentException e) {
            t.error("smarthost", e.getMessage());
            return null;
        }
    }

    private static long maxMessageSize(TableReader t) {
        Long v = t.integer("max-message-size");
        if (v == null) {
            return SmtpSettings.DEFAULT_MAX_MESSAGE_SIZE;
        }
        if (v < 1024 || v > MAX_MESSAGE_SIZE) {
            t.error("max-message-size", "expected bytes in 1024.." + MAX_MESSAGE_SIZE + ", got " + v);
            return SmtpSettings.DEFAULT_MAX_MESSAGE_SIZE;
        }
        return v;
    }

    private static List<Ipv6Prefix> dns64Prefixes(TableReader t) {
        List<String> texts = SocketKeys.strings(t, "dns64-prefixes");
        List<Ipv6Prefix> out = new ArrayList<>();
        if (texts == null) {
            return out;
        }
        for (String s : texts) {
            try {
                out.add(AddressText.ipv6Prefix(s, false));
            } catch (IllegalArgumentException e) {
                t.error("dns64-prefixes", e.getMessage());
            }
        }
        return out;
    }

    /**
     * {@code refusal-limit} relay refusals within {@code refusal-window} seconds block a client for
     * {@code refusal-block} seconds; {@code refusal-limit = 0} turns blocking off.
     */
    private static SmtpSettings.RefusalLimit refusalLimit(TableReader t) {
        SmtpSettings.RefusalLimit d = SmtpSettings.RefusalLimit.DEFAULT;
        int limit = t.intIn("refusal-limit", 0, 1_000_000, d.limit());
        Duration window = SocketKeys.seconds(t, "refusal-window", d.window(), 86400);
        Duration block = SocketKeys.seconds(t, "refusal-block", d.block(), 7 * 86400);
        return new SmtpSettings.RefusalLimit(limit, window, block);
    }

    /** {@code [smtp.auth] users = { name = "password" }}. */
    private static Map<String, String> users(TableReader t) {
        Map<String, String> out = new LinkedHashMap<>();
        TableReader auth = t.table("auth");
        if (auth == null) {
            return out;
        }
        auth.rejectUnknown(AUTH_KEYS);
        Object v = auth.raw("users");
        if (v == null) {
            auth.errorHere("missing key \"users\", as in users = { alice = \"password\" }");
            return out;
        }
        if (!(v instanceof TomlTable users)) {
            auth.typeError("users", "a table of name = \"password\"");
            return out;
        }
        for (String name : users.keySet()) {
            if (users.get(List.of(name)) instanceof String password && !password.isEmpty()) {
                out.put(name, password);
            } else {
                auth.error("users", "user \"" + name + "\": expected a password string, got "
                        + TableReader.describe(users.get(List.of(name))));
            }
        }
        if (users.isEmpty()) {
            auth.error("users", "is empty: list name = \"password\" pairs, or leave out [smtp.auth]");
        }
        return out;
    }

    /** The section as TOML, every default written out; passwords are not shown. */
    static String render(SmtpSettings s) {
        StringBuilder sb = new StringBuilder("[smtp]\n");
        sb.append("listen = ").append(SocketKeys.array(s.listen().stream().map(a -> dev.isthmus.relay.Families.text(a))
                .toList())).append('\n');
        sb.append("hostname = \"").append(s.hostname()).append("\"\n");
        sb.append("allow = ").append(SocketKeys.array(s.allow().texts())).append('\n');
        sb.append("spool = \"").append(s.spool()).append("\"\n");
        sb.append("resolver = ").append(SocketKeys.array(s.resolvers().stream().map(a -> dev.isthmus.relay.Families.text(a))
                .toList())).append('\n');
        if (s.smarthost() != null) {
            sb.append("smarthost = ").append(SocketKeys.text(s.smarthost())).append('\n');
        }
        sb.append("max-message-size = ").append(s.maxMessageSize()).append('\n');
        sb.append("prefer-ipv6 = ").append(s.preferIpv6()).append('\n');
        sb.append("dns64-prefixes = ").append(SocketKeys.array(s.dns64Prefixes().stream().map(Object::toString).toList()))
                .append('\n');
        sb.append("first-retry = ").append(s.firstRetry().toSeconds()).append('\n');
        sb.append("max-retry-interval = ").append(s.maxRetryInterval().toSeconds()).append('\n');
        sb.append("max-queue-lifetime = ").append(s.maxQueueLifetime().toSeconds()).append('\n');
        sb.append("per-destination-concurrency = ").append(s.perDestinationConcurrency()).append('\n');
        sb.append("max-connections = ").append(s.maxConnections()).append('\n');
        sb.append("max-per-client = ").append(s.maxPerClient()).append('\n');
        sb.append("connection-cache-time = ").append(s.connectionCacheTime().toSeconds()).append('\n');
        sb.append("dns64-discovery = ").append(s.dns64Discovery()).append('\n');
        sb.append("refusal-limit = ").append(s.refusalLimit().limit()).append('\n');
        sb.append("refusal-window = ").append(s.refusalLimit().window().toSeconds()).append('\n');
        sb.append("refusal-block = ").append(s.refusalLimit().block().toSeconds()).append('\n');
        if (s.tlsCertificate() != null) {
            sb.append("tls-certificate = \"").append(s.tlsCertificate()).append("\"\n");
            sb.append("tls-key = \"").append(s.tlsKey()).append("\"\n");
        }
        if (!s.users().isEmpty()) {
            sb.append("\n[smtp.auth]\n# passwords not shown\nusers = { ");
            sb.append(String.join(", ", s.users().keySet().stream().sorted().map(n -> "\"" + n + "\" = \"...\"").toList()));
            sb.append(" }\n");
        }
        return sb.toString();
    }
}
