package dev.isthmus.config;

import dev.isthmus.addr.Ipv4Pool;
import dev.isthmus.addr.Ipv4Prefix;
import dev.isthmus.addr.Ipv4Special;
import dev.isthmus.addr.Ipv6Prefix;
import dev.isthmus.addr.Rfc6052Prefix;
import dev.isthmus.config.SiitConfig.EamEntry;
import dev.isthmus.wire.Ipv4Address;
import dev.isthmus.wire.Ipv6Address;
import dev.isthmus.xlat.XlatSettings;
import dev.isthmus.xlat.XlatSettings.HairpinMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.tomlj.TomlArray;
import org.tomlj.TomlPosition;

/** Reads and validates the {@code [siit]} section (see docs/CONFIG.md for every rule). */
final class SiitSection {

    /** The keys only [siit] has; {@link #KEYS} adds the translator keys it shares with [nat64]. */
    static final List<String> OWN_KEYS = List.of(
            "pool6", "eam", "rfc6791v4", "eam-hairpin", "ipv4-address", "ipv6-address", "dynamic-pool");

    static final List<String> KEYS = Stream.concat(OWN_KEYS.stream(), TranslatorKeys.KEYS.stream()).toList();

    static final List<String> EAM_KEYS = List.of("ipv6", "ipv4", "overlap");

    /** RFC 6052 §2.2: the only prefix lengths the address format defines. */
    private static final Set<Integer> RFC6052_LENGTHS = Set.of(32, 40, 48, 56, 64, 96);

    /** RFC 6052 §2.1: 64:ff9b::/96. */
    private static final long WKP_HI = 0x0064_ff9b_0000_0000L;

    private SiitSection() {}

    /** The section's config, or null when it has errors (all of them recorded). */
    static SiitConfig read(TableReader t) {
        int errorsBefore = t.problems().count();
        t.rejectUnknown(KEYS);

        Ipv6Prefix pool6 = pool6(t);
        List<EamEntry> eam = eam(t, pool6);
        List<String> rfc6791v4 = rfc6791v4(t);
        TranslatorKeys.Values xlat = TranslatorKeys.read(t);
        HairpinMode hairpin = t.choice("eam-hairpin",
                words("off", HairpinMode.OFF, "simple", HairpinMode.SIMPLE, "intrinsic", HairpinMode.INTRINSIC),
                SiitConfig.DEFAULT_EAM_HAIRPIN);
        Integer ipv4Address = sourceAddress4(t, "ipv4-address");
        Ipv6Address ipv6Address = sourceAddress6(t, "ipv6-address");

        // A translator with neither pool6 nor EAM has no way to map any address.
        if (!t.has("pool6") && !t.has("eam")) {
            t.errorHere("at least one of pool6 or [[siit.eam]] is required");
        } else if (!t.has("pool6") && !t.has("ipv6-address")) {
            t.errorHere("siit.ipv6-address is required when pool6 is not set");
        }
        int ownIpv4 = ipv4Address != null ? ipv4Address : XlatSettings.IPV4_DUMMY_ADDRESS;
        if (!t.has("ipv6-address") && pool6 != null) {
            ipv6Address = embed(t, pool6, ownIpv4);
        }

        DynamicPoolConfig dynamicPool = null;
        TableReader poolTable = t.table("dynamic-pool");
        if (poolTable != null) {
            dynamicPool = DynamicPoolSection.read(poolTable, pool6, eam, ownIpv4, rfc6791v4);
        }

        if (t.problems().count() != errorsBefore) {
            return null;
        }
        SiitConfig config = SiitConfig.of(pool6, eam, rfc6791v4, xlat, hairpin, ownIpv4, ipv6Address, dynamicPool);
        // The address classes have the last word: anything they refuse that the checks above did
        // not anticipate still becomes a positioned error instead of an exception at start-up.
        try {
            config.toXlatSettings();
        } catch (IllegalArgumentException e) {
            t.errorHere(e.getMessage() == null ? e.toString() : e.getMessage());
            return null;
        }
        return config;
    }

    // ---- pool6 ---------------------------------------------------------------------------

    static Ipv6Prefix pool6(TableReader t) {
        String text = t.string("pool6");
        if (text == null) {
            return null;
        }
        Ipv6Prefix p;
        try {
            p = AddressText.ipv6Prefix(text, false);
        } catch (IllegalArgumentException e) {
            t.error("pool6", e.getMessage());
            return null;
        }
        String problem = rfc6052Problem(p);
        if (problem != null) {
            t.error("pool6", "\"" + text + "\" " + problem);
            return null;
        }
        try {
            Rfc6052Prefix.of(p);
        } catch (IllegalArgumentException e) {
            t.error("pool6", "\"" + text + "\" is not usable as an RFC 6052 prefix: " + e.getMessage());
            return null;
        }
        return p;
    }

    /** Why {@code p} cannot be an RFC 6052 prefix, or null if it can. */
    static String rfc6052Problem(Ipv6Prefix p) {
        if (!RFC6052_LENGTHS.contains(p.length())) {
            return "has prefix length /" + p.length()
                    + ", but RFC 6052 §2.2 allows only /32, /40, /48, /56, /64 and /96";
        }
        if ((p.hi() >>> 56) == 0xff) {
            return "is a multicast prefix (ff00::/8); RFC 6052 prefixes are unicast";
        }
        if (p.hi() == WKP_HI && (p.lo() >>> 32) == 0 && p.length() != 96) {
            return "is the well-known prefix 64:ff9b::/96 at another length; RFC 6052 §2.1 defines it only as a /96";
        }
        // RFC 6052 §2.2: bits 64-71 (the "u" octet) must be zero. For a /32../64 they lie in the
        // suffix and the host-bit check already caught them; in a /96 they belong to the prefix.
        if ((p.lo() >>> 56) != 0) {
            return "has bits 64-71 (the u octet) set; RFC 6052 §2.2 requires them to be zero";
        }
        return null;
    }

    static Ipv6Address embed(TableReader t, Ipv6Prefix pool6, int ipv4) {
        try {
            Rfc6052Prefix p = Rfc6052Prefix.of(pool6);
            return new Ipv6Address(p.embedHi(ipv4), p.embedLo(ipv4));
        } catch (IllegalArgumentException e) {
            t.error("pool6", "cannot derive ipv6-address from pool6 and ipv4-address: " + e.getMessage());
            return null;
        }
    }

    // ---- EAM -----------------------------------------------------------------------------

    private record Row(TableReader at, EamEntry entry) {}

    private static List<EamEntry> eam(TableReader t, Ipv6Prefix pool6) {
        List<TableReader> tables = t.tables("eam");
        if (t.has("eam") && tables.isEmpty() && t.raw("eam") instanceof TomlArray a && a.isEmpty()) {
            t.error("eam", "is empty; leave it out or add [[siit.eam]] entries");
        }
        List<Row> rows = new ArrayList<>();
        for (TableReader r : tables) {
            r.rejectUnknown(EAM_KEYS);
            Ipv6Prefix v6 = eamPrefix6(r);
            Ipv4Prefix v4 = eamPrefix4(r);
            boolean overlap = r.bool("overlap", false);
            if (v6 == null || v4 == null) {
                continue;
            }
            int suffix6 = 128 - v6.length();
            int suffix4 = 32 - v4.length();
            if (suffix4 > suffix6) {
                // RFC 7757 §3.2: the IPv4 suffix is copied into the IPv6 suffix, so it must fit.
                // A longer IPv6 suffix is fine (Appendix B maps 192.0.2.128/26 to a /64).
                r.error("ipv4", "suffix lengths do not fit: ipv4 " + v4 + " leaves " + suffix4
                        + " bits but ipv6 " + v6 + " only " + suffix6
                        + " (the IPv6 suffix must be at least as long, RFC 7757 §3.2)");
                continue;
            }
            rows.add(new Row(r, new EamEntry(v6, v4, overlap)));
        }
        for (int j = 0; j < rows.size(); j++) {
            Row b = rows.get(j);
            // An EAM inside pool6 overrides the RFC 6052 mapping for some addresses (RFC 7757
            // §3.3 looks up the EAMT first), which RFC 7757 Appendix B does on purpose; by
            // accident it silently breaks the pool6 mapping, so it needs overlap = true too.
            if (pool6 != null && !b.entry.overlap() && pool6.overlaps(b.entry.ipv6())) {
                b.at.error("ipv6", b.entry.ipv6() + " overlaps pool6 " + pool6
                        + "; set overlap = true on this entry if this is intended (RFC 7757 §3.3)");
            }
            for (int i = 0; i < j; i++) {
                Row a = rows.get(i);
                checkPair(a, b);
            }
        }
        return rows.stream().map(Row::entry).toList();
    }

    /**
     * RFC 7757 §3.3 resolves overlapping entries by longest-prefix match, but overlap in a
     * hand-written table is more often a typo than a plan, so it needs {@code overlap = true} on
     * one of the two. Identical prefixes are never allowed: no match could choose between them.
     */
    private static void checkPair(Row a, Row b) {
        EamEntry x = a.entry;
        EamEntry y = b.entry;
        String other = a.at.path();
        if (x.ipv6().equals(y.ipv6()) && x.ipv4().equals(y.ipv4())) {
            b.at.errorHere("duplicate of " + other);
            return;
        }
        if (x.ipv6().equals(y.ipv6())) {
            b.at.error("ipv6", y.ipv6() + " is also the ipv6 of " + other
                    + "; one IPv6 prefix cannot map to two IPv4 prefixes");
            return;
        }
        if (x.ipv4().equals(y.ipv4())) {
            b.at.error("ipv4", y.ipv4() + " is also the ipv4 of " + other
                    + "; one IPv4 prefix cannot map to two IPv6 prefixes");
            return;
        }
        if (x.overlap() || y.overlap()) {
            return;
        }
        String hint = "; set overlap = true on one of them if this is intended (RFC 7757 §3.3)";
        if (x.ipv6().overlaps(y.ipv6())) {
            b.at.error("ipv6", y.ipv6() + " overlaps " + other + ".ipv6 "
                    + x.ipv6() + hint);
        }
        if (x.ipv4().overlaps(y.ipv4())) {
            b.at.error("ipv4", y.ipv4() + " overlaps " + other + ".ipv4 "
                    + x.ipv4() + hint);
        }
    }

    private static Ipv6Prefix eamPrefix6(TableReader r) {
        String text = required(r, "ipv6");
        if (text == null) {
            return null;
        }
        try {
            return AddressText.ipv6Prefix(text, true);
        } catch (IllegalArgumentException e) {
            r.error("ipv6", e.getMessage());
            return null;
        }
    }

    private static Ipv4Prefix eamPrefix4(TableReader r) {
        String text = required(r, "ipv4");
        if (text == null) {
            return null;
        }
        try {
            return AddressText.ipv4Prefix(text, true);
        } catch (IllegalArgumentException e) {
            r.error("ipv4", e.getMessage());
            return null;
        }
    }

    private static String required(TableReader r, String key) {
        if (!r.has(key)) {
            r.errorHere("missing key \"" + key + "\"");
            return null;
        }
        return r.string(key);
    }

    // ---- RFC 6791 pool -------------------------------------------------------------------

    /**
     * RFC 7915 §5.1 / RFC 6791: where an ICMPv6 error's source has no IPv4 form, the ICMPv4 error
     * takes its source from this pool. Items are checked one by one so that every bad item is
     * named; the pool class then sees the whole list.
     */
    private static List<String> rfc6791v4(TableReader t) {
        Object v = t.raw("rfc6791v4");
        if (v == null) {
            return List.of();
        }
        List<String> items = new ArrayList<>();
        boolean ok = true;
        if (v instanceof String s) {
            String item = poolItem(t.problems(), t.positionOf("rfc6791v4"), t.keyPath("rfc6791v4"), s);
            ok = item != null;
            items.add(item);
        } else if (v instanceof TomlArray a) {
            for (int i = 0; i < a.size(); i++) {
                TomlPosition at = a.inputPositionOf(i);
                if (!(a.get(i) instanceof String s)) {
                    t.problems().add(at, t.keyPath("rfc6791v4") + "[" + i + "]",
                            "expected a string, got " + TableReader.describe(a.get(i)));
                    ok = false;
                    continue;
                }
                String item = poolItem(t.problems(), at, t.keyPath("rfc6791v4") + "[" + i + "]", s);
                ok &= item != null;
                items.add(item);
            }
        } else {
            t.typeError("rfc6791v4", "a string or an array of strings");
            return List.of();
        }
        if (!ok) {
            return List.of();
        }
        try {
            Ipv4Pool.parse(items);
        } catch (IllegalArgumentException e) {
            t.error("rfc6791v4", e.getMessage());
            return List.of();
        }
        return List.copyOf(items);
    }

    /** One pool item in canonical text, or null (error recorded). */
    private static String poolItem(Problems problems, TomlPosition pos, String key, String text) {
        try {
            int dash = text.indexOf('-');
            if (dash >= 0) {
                int first;
                int last;
                try {
                    first = Ipv4Address.parse(text.substring(0, dash).strip());
                    last = Ipv4Address.parse(text.substring(dash + 1).strip());
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("range \"" + text + "\": " + e.getMessage(), e);
                }
                if (Integer.compareUnsigned(first, last) > 0) {
                    problems.add(pos, key, "range \"" + text + "\" is reversed (" + Ipv4Address.format(first)
                            + " is above " + Ipv4Address.format(last) + ")");
                    return null;
                }
                return Ipv4Address.format(first) + "-" + Ipv4Address.format(last);
            }
            if (text.indexOf('/') >= 0) {
                return AddressText.ipv4Prefix(text, false).toString();
            }
            return Ipv4Address.format(Ipv4Address.parse(text));
        } catch (IllegalArgumentException e) {
            problems.add(pos, key, e.getMessage());
            return null;
        }
    }

    // ---- scalars -------------------------------------------------------------------------

    /**
     * An IPv4 address the translator sends from: RFC 1812 §5.3.7 sources (0/8, 127/8, multicast,
     * reserved, broadcast) would be dropped by the next router.
     */
    static Integer sourceAddress4(TableReader t, String key) {
        String text = t.string(key);
        if (text == null) {
            return null;
        }
        try {
            int a = Ipv4Address.parse(text);
            if (Ipv4Special.isIllegalSource(a)) {
                t.error(key, "\"" + text + "\" cannot be a source address (RFC 1812 §5.3.7)");
                return null;
            }
            return a;
        } catch (IllegalArgumentException e) {
            t.error(key, e.getMessage());
            return null;
        }
    }

    /** An IPv6 address the translator sends from: not unspecified, loopback or multicast (RFC 4291 §2.5.2, §2.5.3, §2.7). */
    static Ipv6Address sourceAddress6(TableReader t, String key) {
        String text = t.string(key);
        if (text == null) {
            return null;
        }
        try {
            Ipv6Address a = Ipv6Address.parse(text);
            if (a.hi() == 0 && (a.lo() == 0 || a.lo() == 1) || (a.hi() >>> 56) == 0xff) {
                t.error(key, "\"" + text + "\" cannot be a source address (unspecified, loopback or multicast)");
                return null;
            }
            return a;
        } catch (IllegalArgumentException e) {
            t.error(key, e.getMessage());
            return null;
        }
    }

    @SuppressWarnings("unchecked")
    static <T> Map<String, T> words(Object... pairs) {
        Map<String, T> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put((String) pairs[i], (T) pairs[i + 1]);
        }
        return m;
    }
}
