package dev.isthmus.config;

import dev.isthmus.addr.Ipv4Pool;
import dev.isthmus.addr.Ipv4Prefix;
import dev.isthmus.addr.Ipv4Special;
import dev.isthmus.addr.Ipv6Prefix;
import dev.isthmus.config.SiitConfig.EamEntry;
import dev.isthmus.nat.pool.BindingRules;
import dev.isthmus.nat.pool.DynamicPool;
import dev.isthmus.nat.pool.DynamicPoolSettings;
import dev.isthmus.wire.Ipv4Address;
import dev.isthmus.wire.Ipv6Address;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and validates {@code [siit.dynamic-pool]} (docs/CONFIG.md): the pool must be addresses
 * only it hands out, so it may not overlap the IPv4 side of an EAM entry, the translator's own
 * {@code ipv4-address}, the RFC 6791 pool, or the IPv4 space routed into the device for pool6
 * ({@code dataplane.routes}, checked by {@link #checkRoutes}).
 */
final class DynamicPoolSection {
    static final List<String> KEYS = List.of("ipv4", "data-directory", "idle-timeout", "static");
    static final List<String> STATIC_KEYS = List.of("ipv6", "ipv4");
    /** A week: a longer idle timeout is more likely a unit mistake (the value is in seconds). */
    static final int MAX_IDLE_SECONDS = 7 * 86_400;

    private DynamicPoolSection() {}

    /**
     * The section's config, or null when it has errors (recorded).
     *
     * @param pool6 the section's pool6, or null
     * @param eam the EAM rows
     * @param ownIpv4 the translator's IPv4 address, or null when unset (the RFC 7600 dummy is used)
     * @param rfc6791v4 RFC 6791 pool items (canonical text)
     */
    static DynamicPoolConfig read(TableReader t, Ipv6Prefix pool6, List<EamEntry> eam, Integer ownIpv4,
            List<String> rfc6791v4) {
        int errorsBefore = t.problems().count();
        t.rejectUnknown(KEYS);
        Ipv4Prefix prefix = prefix(t);
        Path dir = null;
        if (!t.has("data-directory")) {
            t.errorHere("missing key \"data-directory\" (where the bindings are kept across restarts)");
        } else {
            String text = t.string("data-directory");
            if (text != null) {
                if (text.isBlank()) {
                    t.error("data-directory", "is empty");
                } else {
                    try {
                        dir = Path.of(text);
                    } catch (java.nio.file.InvalidPathException e) {
                        t.error("data-directory", "\"" + text + "\" is not a valid path: " + e.getMessage());
                    }
                }
            }
        }
        Duration idle = SocketKeys.seconds(t, "idle-timeout", DynamicPoolSettings.DEFAULT_IDLE_TIMEOUT, MAX_IDLE_SECONDS);
        if (prefix != null) {
            for (int i = 0; i < eam.size(); i++) {
                if (eam.get(i).ipv4().overlaps(prefix)) {
                    t.error("ipv4", prefix + " overlaps siit.eam[" + i + "].ipv4 " + eam.get(i).ipv4()
                            + "; the pool's addresses must stand for no one else");
                }
            }
            if (ownIpv4 != null && prefix.contains(ownIpv4)) {
                t.error("ipv4", prefix + " contains siit.ipv4-address " + Ipv4Address.format(ownIpv4)
                        + ", the translator's own address");
            }
            if (!rfc6791v4.isEmpty()) {
                Ipv4Pool p = Ipv4Pool.parse(rfc6791v4);
                for (long a = Integer.toUnsignedLong(prefix.address()); a <= Integer.toUnsignedLong(prefix.last()); a++) {
                    if (p.contains((int) a)) {
                        t.error("ipv4", prefix + " overlaps siit.rfc6791v4 (" + Ipv4Address.format((int) a)
                                + "), the sources of ICMP errors");
                        break;
                    }
                }
            }
        }
        List<DynamicPoolConfig.Static> statics = statics(t, prefix, pool6, eam);
        if (t.problems().count() != errorsBefore) {
            return null;
        }
        return new DynamicPoolConfig(prefix, dir, idle, statics);
    }

    private static Ipv4Prefix prefix(TableReader t) {
        if (!t.has("ipv4")) {
            t.errorHere("missing key \"ipv4\" (the pool's prefix, e.g. \"192.0.2.128/25\")");
            return null;
        }
        String text = t.string("ipv4");
        if (text == null) {
            return null;
        }
        Ipv4Prefix p;
        try {
            p = AddressText.ipv4Prefix(text, true);
        } catch (IllegalArgumentException e) {
            t.error("ipv4", e.getMessage());
            return null;
        }
        if (p.size() > DynamicPool.MAX_SIZE) {
            t.error("ipv4", p + " has " + p.size() + " addresses; a dynamic pool has at most " + DynamicPool.MAX_SIZE
                    + " (a /16)");
            return null;
        }
        // RFC 1812 §5.3.7: 0/8, 127/8, multicast, 240/4 and the broadcast address are no source.
        if (Ipv4Special.isIllegalSource(p.address()) || Ipv4Special.isIllegalSource(p.last())) {
            t.error("ipv4", p + " holds addresses that cannot be a source (RFC 1812 §5.3.7)");
            return null;
        }
        return p;
    }

    private static List<DynamicPoolConfig.Static> statics(TableReader t, Ipv4Prefix prefix, Ipv6Prefix pool6,
            List<EamEntry> eam) {
        List<DynamicPoolConfig.Static> out = new ArrayList<>();
        BindingRules rules = new BindingRules(prefix, pool6, eam.stream().map(EamEntry::ipv6).toList());
        Map<Integer, String> byV4 = new HashMap<>();
        Map<Ipv6Address, String> byV6 = new HashMap<>();
        for (TableReader r : t.tables("static")) {
            r.rejectUnknown(STATIC_KEYS);
            Ipv6Address v6 = null;
            Integer v4 = null;
            if (!r.has("ipv6")) {
                r.errorHere("missing key \"ipv6\"");
            } else if (r.string("ipv6") != null) {
                try {
                    v6 = Ipv6Address.parse(r.string("ipv6"));
                } catch (IllegalArgumentException e) {
                    r.error("ipv6", e.getMessage());
                }
            }
            if (!r.has("ipv4")) {
                r.errorHere("missing key \"ipv4\"");
            } else if (r.string("ipv4") != null) {
                try {
                    v4 = Ipv4Address.parse(r.string("ipv4"));
                } catch (IllegalArgumentException e) {
                    r.error("ipv4", e.getMessage());
                }
            }
            if (v6 == null || v4 == null) {
                continue;
            }
            // The same rules as a binding added at run time or read from the bindings file.
            List<BindingRules.Refusal> refusals = rules.check(v6, v4);
            for (BindingRules.Refusal refusal : refusals) {
                r.error(refusal.field(), refusal.reason());
            }
            boolean ok = refusals.isEmpty();
            String other = byV4.putIfAbsent(v4, r.path());
            if (other != null) {
                r.error("ipv4", Ipv4Address.format(v4) + " is also the ipv4 of " + other);
                ok = false;
            }
            other = byV6.putIfAbsent(v6, r.path());
            if (other != null) {
                r.error("ipv6", v6 + " is also the ipv6 of " + other);
                ok = false;
            }
            if (ok) {
                out.add(new DynamicPoolConfig.Static(v6, v4));
            }
        }
        return out;
    }

    /**
     * The pool may not overlap the IPv4 prefixes routed into the device besides EAM: those are the
     * pool6-mapped space (IPv4 addresses whose IPv6 node is reached through pool6).
     */
    static void checkRoutes(TableReader poolTable, DynamicPoolConfig pool, List<Ipv4Prefix> routes4) {
        for (Ipv4Prefix r : routes4) {
            if (r.overlaps(pool.ipv4())) {
                poolTable.error("ipv4", pool.ipv4() + " overlaps dataplane.routes " + r
                        + ", the pool6-mapped space routed into the device");
            }
        }
    }
}
