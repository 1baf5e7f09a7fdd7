package dev.isthmus.config;

import dev.isthmus.addr.Ipv4Prefix;
import dev.isthmus.addr.Ipv6Prefix;
import dev.isthmus.nat.Filtering;
import dev.isthmus.nat.Nat64Service;
import dev.isthmus.nat.Nat64Settings;
import dev.isthmus.nat.NatProtocol;
import dev.isthmus.nat.Pool4;
import dev.isthmus.nat.PortBlocks;
import dev.isthmus.nat.PortRange;
import dev.isthmus.nat.PortSet;
import dev.isthmus.nat.SessionLog;
import dev.isthmus.nat.StaticBib;
import dev.isthmus.wire.Ipv4Address;
import dev.isthmus.wire.Ipv6Address;
import dev.isthmus.xlat.XlatSettings;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.tomlj.TomlArray;

/**
 * Reads and validates {@code [nat64]}, {@code [[nat64.pool4]]} and {@code [[nat64.bib]]}
 * (docs/CONFIG.md). Timers are in seconds and bounded below by the RFCs (RFC 4787 REQ-5,
 * RFC 5382 REQ-5, RFC 5508 REQ-2); a static entry must lie inside pool4.
 */
final class Nat64Section {
    /** The keys only [nat64] has; {@link #KEYS} adds the translator keys it shares with [siit]. */
    static final List<String> OWN_KEYS = List.of("pool6", "ipv4-address", "ipv6-address", "filtering",
            "udp-timeout", "icmp-timeout", "tcp-established-timeout", "tcp-transitory-timeout", "max-sessions",
            "max-sessions-per-subscriber", "max-bib", "subscriber-length", "pool4", "bib", "port-blocks", "log",
            "max-ports-per-subscriber", "alg-ftp-ports");
    static final List<String> KEYS = Stream.concat(OWN_KEYS.stream(), TranslatorKeys.KEYS.stream()).toList();
    static final List<String> POOL4_KEYS = List.of("prefix", "tcp", "udp", "icmp");
    static final List<String> BIB_KEYS = List.of("protocol", "ipv6", "ipv4");
    static final List<String> PORT_BLOCK_KEYS = List.of("subscribers", "subscriber-length", "size", "first-port");
    static final List<String> LOG_KEYS = List.of("mode", "file", "flush-interval-ms");
    /** Thirty days: a longer timer is more likely a unit mistake (the value is in seconds). */
    private static final int MAX_TIMER = 30 * 86_400;

    private Nat64Section() {}

    /** The section's config, or null when it has errors (recorded). */
    static Nat64Config read(TableReader t) {
        int errorsBefore = t.problems().count();
        // A [siit]-only key (EAM, RFC 6791 IPv4 pool, dynamic pool) gets that said, not just "unknown".
        t.rejectUnknown(KEYS, SiitSection.OWN_KEYS.stream().collect(Collectors.toMap(k -> k, k -> "siit")));
        if (!t.has("pool6")) {
            t.errorHere("missing key \"pool6\" (the NAT64 prefix, e.g. \"64:ff9b::/96\")");
        }
        Ipv6Prefix pool6 = SiitSection.pool6(t);
        List<Pool4.Entry> pool4 = pool4(t);
        Integer ipv4Address = SiitSection.sourceAddress4(t, "ipv4-address");
        Ipv6Address ipv6Address = SiitSection.sourceAddress6(t, "ipv6-address");
        TranslatorKeys.Values xlat = TranslatorKeys.read(t);
        Filtering filtering = t.choice("filtering", SiitSection.words("endpoint-independent",
                Filtering.ENDPOINT_INDEPENDENT, "address-dependent", Filtering.ADDRESS_DEPENDENT),
                Filtering.ENDPOINT_INDEPENDENT);
        Duration udp = SocketKeys.seconds(t, "udp-timeout", Nat64Settings.UDP_DEFAULT, MAX_TIMER);
        Duration icmp = SocketKeys.seconds(t, "icmp-timeout", Nat64Settings.ICMP_DEFAULT, MAX_TIMER);
        Duration est = SocketKeys.seconds(t, "tcp-established-timeout", Nat64Settings.TCP_EST, MAX_TIMER);
        Duration trans = SocketKeys.seconds(t, "tcp-transitory-timeout", Nat64Settings.TCP_TRANS, MAX_TIMER);
        int maxSessions = t.intIn("max-sessions", 1, 1 << 26, 1 << 20);
        int perSubscriber = t.intIn("max-sessions-per-subscriber", 1, 1 << 26, 4096);
        int maxBib = t.intIn("max-bib", 1, 1 << 26, 1 << 20);
        int subscriberLength = t.intIn("subscriber-length", 1, 128, 128);
        PortBlocks blocks = portBlocks(t, subscriberLength);
        // RFC 6888 REQ-4; with port blocks the block already bounds a subscriber's ports.
        int perSubscriberPorts = t.intIn("max-ports-per-subscriber", 1, Nat64Settings.MAX_PORTS_PER_SUBSCRIBER,
                blocks != null ? Nat64Settings.MAX_PORTS_PER_SUBSCRIBER : Nat64Settings.DEFAULT_MAX_PORTS_PER_SUBSCRIBER);
        Nat64Service.LogTarget log = log(t);
        PortSet ftpAlgPorts = algPorts(t, "alg-ftp-ports", Nat64Settings.DEFAULT_FTP_ALG_PORTS);
        if (t.problems().count() != errorsBefore || pool6 == null || pool4 == null) {
            return null;
        }
        Pool4 pool = new Pool4(pool4);
        int ownIpv4 = ipv4Address != null ? ipv4Address : pool.address(0);
        if (ipv6Address == null) {
            ipv6Address = SiitSection.embed(t, pool6, ownIpv4);
        }
        Nat64Settings settings;
        try {
            settings = Nat64Settings.builder(pool).filtering(filtering).udpTimeout(udp).icmpTimeout(icmp)
                    .tcpEstablished(est).tcpTransitory(trans).maxSessions(maxSessions)
                    .maxSessionsPerSubscriber(perSubscriber).maxBib(NatProtocol.TCP, maxBib)
                    .maxBib(NatProtocol.UDP, maxBib).maxBib(NatProtocol.ICMP, maxBib)
                    .subscriberLength(subscriberLength).portBlocks(blocks).maxPortsPerSubscriber(perSubscriberPorts)
                    .ftpAlgPorts(ftpAlgPorts).build();
        } catch (IllegalArgumentException e) {
            if (blocks != null) {
                t.table("port-blocks").errorHere(e.getMessage());
            } else {
                t.errorHere(e.getMessage());
            }
            return null;
        }
        List<StaticBib> statics = statics(t, pool);
        if (t.problems().count() != errorsBefore) {
            return null;
        }
        // The stateless half (RFC 6146 §3.7): pool6 and the translator keys; no EAM and no EAM
        // hairpinning, since the NAT64 hairpins through its own tables (RFC 6146 §3.8).
        SiitConfig translator = SiitConfig.of(pool6, List.of(), List.of(), xlat, XlatSettings.HairpinMode.OFF, ownIpv4,
                ipv6Address, null);
        return new Nat64Config(pool6, translator, settings, statics, log);
    }

    /**
     * An ALG's IPv4 server ports, {@code alg-ftp-ports = [21]}: TCP ports 1-65535, each once; an
     * empty list turns the ALG off.
     */
    private static PortSet algPorts(TableReader t, String key, PortSet dflt) {
        TomlArray a = t.array(key);
        if (a == null) {
            return dflt;
        }
        String kp = t.keyPath(key);
        int[] ports = new int[a.size()];
        boolean ok = true;
        for (int i = 0; i < a.size(); i++) {
            Object v = a.get(i);
            if (!(v instanceof Long l)) {
                t.problems().add(a.inputPositionOf(i), kp + "[" + i + "]",
                        "expected an integer, got " + TableReader.describe(v));
                ok = false;
                continue;
            }
            if (l < 1 || l > 65535) {
                t.problems().add(a.inputPositionOf(i), kp + "[" + i + "]", l + " is out of range 1..65535");
                ok = false;
                continue;
            }
            ports[i] = (int) (long) l;
            for (int j = 0; j < i; j++) {
                if (ports[j] == ports[i]) {
                    t.problems().add(a.inputPositionOf(i), kp + "[" + i + "]", "port " + l + " is also "
                            + kp + "[" + j + "]");
                    ok = false;
                }
            }
        }
        return ok ? PortSet.of(ports) : dflt;
    }

    /**
     * {@code [nat64.port-blocks]}: RFC 7422 deterministic blocks. The subscriber length given
     * there is the one the limits use too, so a different {@code subscriber-length} in
     * {@code [nat64]} is refused rather than silently overridden.
     */
    private static PortBlocks portBlocks(TableReader t, int subscriberLength) {
        TableReader b = t.table("port-blocks");
        if (b == null) {
            return null;
        }
        int errorsBefore = b.problems().count();
        b.rejectUnknown(PORT_BLOCK_KEYS);
        String text = b.string("subscribers");
        if (text == null) {
            if (!b.has("subscribers")) {
                b.errorHere("missing key \"subscribers\" (the IPv6 prefix the subscribers' prefixes lie in)");
            }
            return null;
        }
        Ipv6Prefix subscribers;
        try {
            subscribers = AddressText.ipv6Prefix(text, false);
        } catch (IllegalArgumentException e) {
            b.error("subscribers", e.getMessage());
            return null;
        }
        if (!b.has("subscriber-length")) {
            b.errorHere("missing key \"subscriber-length\" (the prefix length of one subscriber, e.g. 56)");
            return null;
        }
        int length = b.intIn("subscriber-length", 1, 128, 128);
        if (t.has("subscriber-length") && subscriberLength != length) {
            t.error("subscriber-length", "/" + subscriberLength + " differs from nat64.port-blocks.subscriber-length /"
                    + length);
            return null;
        }
        int size = b.intIn("size", 16, 32768, 2048);
        if (Integer.bitCount(size) != 1) {
            b.error("size", size + " is not a power of two (RFC 7422 blocks are aligned)");
        }
        int first = b.intIn("first-port", 0, 65534, 1024);
        if ((first & 1) != 0) {
            b.error("first-port", first + " is odd: blocks must start even to keep port parity (RFC 4787 REQ-4)");
        }
        if (b.problems().count() != errorsBefore) {
            return null;
        }
        try {
            return new PortBlocks(subscribers, length, size, first);
        } catch (IllegalArgumentException e) {
            b.errorHere(e.getMessage());
            return null;
        }
    }

    /** {@code [nat64.log]}: the session log (RFC 6888 §4 REQ-12 records), one JSON object a line. */
    private static Nat64Service.LogTarget log(TableReader t) {
        TableReader l = t.table("log");
        if (l == null) {
            return null;
        }
        l.rejectUnknown(LOG_KEYS);
        SessionLog.Mode mode = l.choice("mode", SiitSection.words("sessions", SessionLog.Mode.SESSIONS, "blocks",
                SessionLog.Mode.BLOCKS), SessionLog.Mode.SESSIONS);
        int flush = l.intIn("flush-interval-ms", 0, Nat64Service.LogTarget.MAX_FLUSH_INTERVAL_MS,
                Nat64Service.LogTarget.DEFAULT_FLUSH_INTERVAL_MS);
        String file = l.string("file");
        if (file == null) {
            if (!l.has("file")) {
                l.errorHere("missing key \"file\" (where the session log's lines are appended)");
            }
            return null;
        }
        try {
            if (file.isBlank()) {
                l.error("file", "is empty");
                return null;
            }
            return new Nat64Service.LogTarget(mode, Path.of(file), flush);
        } catch (InvalidPathException e) {
            l.error("file", "\"" + file + "\" is not a valid path: " + e.getMessage());
            return null;
        }
    }

    private static List<Pool4.Entry> pool4(TableReader t) {
        List<TableReader> rows = t.tables("pool4");
        if (rows.isEmpty()) {
            t.errorHere("at least one [[nat64.pool4]] is required (the IPv4 addresses the NAT64 uses)");
            return null;
        }
        List<Pool4.Entry> entries = new ArrayList<>();
        for (TableReader r : rows) {
            r.rejectUnknown(POOL4_KEYS);
            String text = r.string("prefix");
            if (text == null) {
                if (!r.has("prefix")) {
                    r.errorHere("missing key \"prefix\"");
                }
                continue;
            }
            try {
                Ipv4Prefix prefix = AddressText.ipv4Prefix(text, true);
                for (Pool4.Entry e : entries) {
                    if (e.prefix().overlaps(prefix)) {
                        r.error("prefix", prefix + " overlaps pool4 " + e.prefix());
                    }
                }
                entries.add(new Pool4.Entry(prefix, range(r, "tcp"), range(r, "udp"), range(r, "icmp")));
            } catch (IllegalArgumentException e) {
                r.error("prefix", e.getMessage());
            }
        }
        return entries.isEmpty() ? null : entries;
    }

    private static PortRange range(TableReader r, String key) {
        String text = r.string(key);
        if (text == null) {
            return PortRange.parse("1-65535");
        }
        try {
            return PortRange.parse(text);
        } catch (IllegalArgumentException e) {
            r.error(key, e.getMessage());
            return PortRange.parse("1-65535");
        }
    }

    private static List<StaticBib> statics(TableReader t, Pool4 pool) {
        List<StaticBib> out = new ArrayList<>();
        for (TableReader r : t.tables("bib")) {
            r.rejectUnknown(BIB_KEYS);
            NatProtocol p = r.choice("protocol", SiitSection.words("tcp", NatProtocol.TCP, "udp", NatProtocol.UDP,
                    "icmp", NatProtocol.ICMP), null);
            String v6 = r.string("ipv6");
            String v4 = r.string("ipv4");
            for (String k : BIB_KEYS) {
                if (!r.has(k)) {
                    r.errorHere("missing key \"" + k + "\"");
                }
            }
            if (p == null || v6 == null || v4 == null) {
                continue;
            }
            StaticBib.Endpoint6 e6;
            StaticBib.Endpoint4 e4;
            try {
                e6 = StaticBib.Endpoint6.parse(v6);
            } catch (IllegalArgumentException e) {
                r.error("ipv6", e.getMessage());
                continue;
            }
            try {
                e4 = StaticBib.Endpoint4.parse(v4);
            } catch (IllegalArgumentException e) {
                r.error("ipv4", e.getMessage());
                continue;
            }
            StaticBib b = new StaticBib(p, e6.address(), e6.port(), e4.address(), e4.port());
            if (acceptable(r, b, pool, out)) {
                out.add(b);
            }
        }
        return out;
    }

    /** Whether {@code b} may join {@code earlier}; the reason recorded when not. */
    private static boolean acceptable(TableReader r, StaticBib b, Pool4 pool, List<StaticBib> earlier) {
        if (!pool.contains(b.ipv4())) {
            r.error("ipv4", Ipv4Address.format(b.ipv4()) + " is not in pool4");
            return false;
        }
        if (b.protocol() != NatProtocol.ICMP && (b.ipv6Port() == 0 || b.ipv4Port() == 0)) {
            r.error(b.ipv6Port() == 0 ? "ipv6" : "ipv4", "port 0 is not a " + b.protocol().key() + " port");
            return false;
        }
        for (int i = 0; i < earlier.size(); i++) {
            StaticBib o = earlier.get(i);
            if (o.protocol() != b.protocol()) {
                continue;
            }
            if (o.ipv4() == b.ipv4() && o.ipv4Port() == b.ipv4Port()) {
                r.error("ipv4", r.string("ipv4") + " is also the ipv4 of nat64.bib[" + i + "]");
                return false;
            }
            if (o.ipv6().equals(b.ipv6()) && o.ipv6Port() == b.ipv6Port()) {
                // Endpoint-independent mapping: one (T,t) per (X',x) (RFC 6146 §3.5.1).
                r.error("ipv6", r.string("ipv6") + " is also the ipv6 of nat64.bib[" + i + "]");
                return false;
            }
        }
        return true;
    }
}
