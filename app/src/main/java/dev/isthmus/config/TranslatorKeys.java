package dev.isthmus.config;

import dev.isthmus.wire.Ipv6Address;
import dev.isthmus.xlat.XlatSettings;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.tomlj.TomlArray;

/**
 * The keys of the stateless RFC 7915 translator that {@code [siit]} and {@code [nat64]} share:
 * stateful NAT64 runs the same translator underneath (RFC 6146 §3.7 hands the header translation
 * to RFC 7915), so each key means the same in both sections and is parsed, validated and
 * defaulted here once (docs/CONFIG.md, "Translator keys").
 *
 * <p>Not here, because they make no sense under NAT64: the EAM table and {@code eam-hairpin}
 * (RFC 7757; NAT64 maps IPv4 addresses only through pool4 and pool6, and hairpins every flow to
 * pool4 itself, RFC 6146 §3.8), {@code rfc6791v4} (the NAT64 sends the translation of every
 * ICMPv6 error from the flow's pool4 address T, so an RFC 6791 pool is never asked) and
 * {@code dynamic-pool} (NAT-PT's address pool; NAT64 has pool4).
 */
final class TranslatorKeys {

    static final List<String> KEYS = List.of("rfc6791v6", "traffic-class", "tos", "udp-zero-checksum",
            "lowest-ipv6-mtu", "mtu-plateaus", "icmp-errors", "icmp-error-rate", "ipv4-mtu", "ipv6-mtu");

    /** The RFC 1191 §7 plateaus, highest first. */
    private static final List<Integer> RFC1191 = Arrays.stream(XlatSettings.RFC1191_PLATEAUS).boxed().toList();

    /** Every key at its default, as a section without any of them reads. */
    static final Values DEFAULTS = new Values(null, SiitConfig.COPY, SiitConfig.COPY, false,
            SiitConfig.DEFAULT_LOWEST_IPV6_MTU, RFC1191, true, SiitConfig.DEFAULT_ICMP_ERROR_RATE,
            SiitConfig.DEFAULT_IPV4_MTU, SiitConfig.DEFAULT_IPV6_MTU);

    /** The values of the keys, defaults filled in; the fields are those of {@link SiitConfig}. */
    record Values(Ipv6Address rfc6791v6, int trafficClass, int tos, boolean udpZeroChecksumCompute,
            int lowestIpv6Mtu, List<Integer> mtuPlateaus, boolean icmpErrors, int icmpErrorRate, int ipv4Mtu,
            int ipv6Mtu) {}

    private TranslatorKeys() {}

    /** Reads the keys of {@code t}; a bad value is recorded at its key and line and the default used. */
    static Values read(TableReader t) {
        Ipv6Address rfc6791v6 = SiitSection.sourceAddress6(t, "rfc6791v6");
        int trafficClass = copyOrByte(t, "traffic-class");
        int tos = copyOrByte(t, "tos");
        boolean udpZeroChecksumCompute = t.choice("udp-zero-checksum",
                SiitSection.words("drop", false, "compute", true), false);
        // RFC 7915 §4.1: the threshold may be raised above, never set below, the IPv6 minimum MTU.
        int lowestIpv6Mtu = t.intIn("lowest-ipv6-mtu", 1280, 65535, SiitConfig.DEFAULT_LOWEST_IPV6_MTU);
        List<Integer> mtuPlateaus = mtuPlateaus(t);
        boolean icmpErrors = t.bool("icmp-errors", true);
        int icmpErrorRate = t.intIn("icmp-error-rate", 0, 1_000_000, SiitConfig.DEFAULT_ICMP_ERROR_RATE);
        // RFC 791: every IPv4 link carries 68 bytes; RFC 8200 §5: every IPv6 link 1280.
        int ipv4Mtu = t.intIn("ipv4-mtu", 68, 65535, SiitConfig.DEFAULT_IPV4_MTU);
        int ipv6Mtu = t.intIn("ipv6-mtu", 1280, 65535, SiitConfig.DEFAULT_IPV6_MTU);
        return new Values(rfc6791v6, trafficClass, tos, udpZeroChecksumCompute, lowestIpv6Mtu, mtuPlateaus,
                icmpErrors, icmpErrorRate, ipv4Mtu, ipv6Mtu);
    }

    /** Writes the keys of {@code c} as TOML lines, every default written out ({@link #read} reads them back). */
    static void render(StringBuilder sb, SiitConfig c) {
        if (c.rfc6791v6() == null) {
            sb.append("# rfc6791v6 is not set: ICMPv6 errors use ipv6-address\n");
        } else {
            kv(sb, "rfc6791v6", quote(c.rfc6791v6().toString()));
        }
        kv(sb, "traffic-class", copyOrByte(c.trafficClass()));
        kv(sb, "tos", copyOrByte(c.tos()));
        kv(sb, "udp-zero-checksum", quote(c.udpZeroChecksumCompute() ? "compute" : "drop"));
        kv(sb, "lowest-ipv6-mtu", Integer.toString(c.lowestIpv6Mtu()));
        kv(sb, "mtu-plateaus", c.mtuPlateaus().stream().map(String::valueOf).collect(Collectors.joining(", ", "[", "]")));
        kv(sb, "icmp-errors", Boolean.toString(c.icmpErrors()));
        kv(sb, "icmp-error-rate", Integer.toString(c.icmpErrorRate()));
        kv(sb, "ipv4-mtu", Integer.toString(c.ipv4Mtu()));
        kv(sb, "ipv6-mtu", Integer.toString(c.ipv6Mtu()));
    }

    /** {@code "copy"} → {@link SiitConfig#COPY}, or an 8-bit value. */
    private static int copyOrByte(TableReader t, String key) {
        Object v = t.raw(key);
        if (v == null || "copy".equals(v)) {
            return SiitConfig.COPY;
        }
        if (v instanceof Long l) {
            if (l >= 0 && l <= 255) {
                return (int) (long) l;
            }
            t.error(key, l + " is out of range 0..255");
            return SiitConfig.COPY;
        }
        t.error(key, "expected \"copy\" or an integer 0..255, got " + TableReader.describe(v));
        return SiitConfig.COPY;
    }

    private static String copyOrByte(int v) {
        return v == SiitConfig.COPY ? quote("copy") : Integer.toString(v);
    }

    /**
     * RFC 7915 §4.2: plateaus for an ICMPv4 Fragmentation Needed that reports MTU 0. Kept sorted
     * descending without duplicates, so the translator can take the first one below the packet.
     */
    private static List<Integer> mtuPlateaus(TableReader t) {
        TomlArray a = t.array("mtu-plateaus");
        if (a == null) {
            return RFC1191;
        }
        if (a.isEmpty()) {
            t.error("mtu-plateaus", "must not be empty");
            return RFC1191;
        }
        TreeSet<Integer> values = new TreeSet<>(Comparator.reverseOrder());
        String kp = t.keyPath("mtu-plateaus");
        boolean ok = true;
        for (int i = 0; i < a.size(); i++) {
            Object v = a.get(i);
            if (!(v instanceof Long l)) {
                t.problems().add(a.inputPositionOf(i), kp + "[" + i + "]",
                        "expected an integer, got " + TableReader.describe(v));
                ok = false;
            } else if (l < 68 || l > 65535) {
                t.problems().add(a.inputPositionOf(i), kp + "[" + i + "]", l + " is out of range 68..65535");
                ok = false;
            } else {
                values.add((int) (long) l);
            }
        }
        return ok ? List.copyOf(values) : RFC1191;
    }

    static void kv(StringBuilder sb, String key, String value) {
        sb.append(key).append(" = ").append(value).append('\n');
    }

    static String quote(String s) {
        return "\"" + s + "\"";
    }
}
