package dev.isthmus.config;

import dev.isthmus.addr.EamTable;
import dev.isthmus.addr.Ipv4Pool;
import dev.isthmus.addr.Ipv4Prefix;
import dev.isthmus.addr.Ipv6Prefix;
import dev.isthmus.addr.Rfc6052Prefix;
import dev.isthmus.wire.Ipv4Address;
import dev.isthmus.wire.Ipv6Address;
import dev.isthmus.xlat.XlatSettings;
import dev.isthmus.xlat.XlatSettings.HairpinMode;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The validated {@code [siit]} section: the stateless translator (RFC 7915) with its RFC 6052
 * prefix and explicit address mappings (RFC 7757), every default filled in. Made only by
 * {@link ConfigLoader}, which has checked every rule in docs/CONFIG.md, so
 * {@link #toXlatSettings()} does not fail on a loaded config.
 *
 * @param pool6 the RFC 6052 prefix, or null when only EAM is configured
 * @param eam explicit address mappings, in file order
 * @param rfc6791v4 RFC 6791 pool items in canonical text ({@code a.b.c.d}, {@code a.b.c.d/len},
 *     {@code a.b.c.d-e.f.g.h}); empty means ICMPv4 errors use {@code ipv4Address}
 * @param rfc6791v6 source of ICMPv6 errors whose IPv4 source cannot be translated, or null to use
 *     {@code ipv6Address}
 * @param trafficClass IPv6 Traffic Class for 4→6, or {@link #COPY} (RFC 7915 §4.1)
 * @param tos IPv4 TOS for 6→4, or {@link #COPY} (RFC 7915 §5.1)
 * @param udpZeroChecksumCompute compute (true) or drop (false) IPv4 UDP with checksum 0 (RFC 7915 §4.5)
 * @param lowestIpv6Mtu smallest MTU on the IPv6 side, ≥ 1280 (RFC 7915 §4.1)
 * @param mtuPlateaus RFC 1191 plateaus, strictly descending
 * @param eamHairpin RFC 7757 §4.2 hairpinning mode
 * @param icmpErrors whether the translator originates ICMP errors
 * @param icmpErrorRate originated ICMP errors per second, 0 = unlimited
 * @param ipv4Mtu MTU of the IPv4 link (offline mode)
 * @param ipv6Mtu MTU of the IPv6 link (offline mode)
 * @param ipv4Address the translator's own IPv4 address
 * @param ipv6Address the translator's own IPv6 address (already derived from pool6 if it was unset)
 * @param dynamicPool the {@code [siit.dynamic-pool]} section, or null when there is none
 */
public record SiitConfig(
        Ipv6Prefix pool6,
        List<EamEntry> eam,
        List<String> rfc6791v4,
        Ipv6Address rfc6791v6,
        int trafficClass,
        int tos,
        boolean udpZeroChecksumCompute,
        int lowestIpv6Mtu,
        List<Integer> mtuPlateaus,
        HairpinMode eamHairpin,
        boolean icmpErrors,
        int icmpErrorRate,
        int ipv4Mtu,
        int ipv6Mtu,
        int ipv4Address,
        Ipv6Address ipv6Address,
        DynamicPoolConfig dynamicPool) {

    /** {@code traffic-class} / {@code tos} value meaning "copy from the other header". */
    public static final int COPY = -1;

    public static final int DEFAULT_LOWEST_IPV6_MTU = 1280;
    public static final int DEFAULT_ICMP_ERROR_RATE = 100;
    public static final int DEFAULT_IPV4_MTU = 1500;
    public static final int DEFAULT_IPV6_MTU = 1500;
    public static final HairpinMode DEFAULT_EAM_HAIRPIN = HairpinMode.INTRINSIC;

    /**
     * One {@code [[siit.eam]]} row.
     *
     * @param overlap the operator allowed this entry to overlap others (RFC 7757 §3.3)
     */
    public record EamEntry(Ipv6Prefix ipv6, Ipv4Prefix ipv4, boolean overlap) {
        public EamEntry {
            Objects.requireNonNull(ipv6, "ipv6");
            Objects.requireNonNull(ipv4, "ipv4");
        }
    }

    /** A section without a dynamic pool. */
    public SiitConfig(Ipv6Prefix pool6, List<EamEntry> eam, List<String> rfc6791v4, Ipv6Address rfc6791v6,
            int trafficClass, int tos, boolean udpZeroChecksumCompute, int lowestIpv6Mtu, List<Integer> mtuPlateaus,
            HairpinMode eamHairpin, boolean icmpErrors, int icmpErrorRate, int ipv4Mtu, int ipv6Mtu, int ipv4Address,
            Ipv6Address ipv6Address) {
        this(pool6, eam, rfc6791v4, rfc6791v6, trafficClass, tos, udpZeroChecksumCompute, lowestIpv6Mtu, mtuPlateaus,
                eamHairpin, icmpErrors, icmpErrorRate, ipv4Mtu, ipv6Mtu, ipv4Address, ipv6Address, null);
    }

    /** A section from its own keys and the translator keys it shares with [nat64] ({@link TranslatorKeys}). */
    static SiitConfig of(Ipv6Prefix pool6, List<EamEntry> eam, List<String> rfc6791v4, TranslatorKeys.Values x,
            HairpinMode eamHairpin, int ipv4Address, Ipv6Address ipv6Address, DynamicPoolConfig dynamicPool) {
        return new SiitConfig(pool6, eam, rfc6791v4, x.rfc6791v6(), x.trafficClass(), x.tos(),
                x.udpZeroChecksumCompute(), x.lowestIpv6Mtu(), x.mtuPlateaus(), eamHairpin, x.icmpErrors(),
                x.icmpErrorRate(), x.ipv4Mtu(), x.ipv6Mtu(), ipv4Address, ipv6Address, dynamicPool);
    }

    public SiitConfig {
        eam = List.copyOf(eam);
        rfc6791v4 = List.copyOf(rfc6791v4);
        mtuPlateaus = List.copyOf(mtuPlateaus);
        Objects.requireNonNull(eamHairpin, "eamHairpin");
        Objects.requireNonNull(ipv6Address, "ipv6Address");
    }

    /** The translator's settings. Builds the address tables, so call it once, not per packet. */
    public XlatSettings toXlatSettings() {
        return new XlatSettings(
                pool6 == null ? null : Rfc6052Prefix.of(pool6),
                eam.isEmpty() ? EamTable.empty()
                        : new EamTable(eam.stream().map(e -> new EamTable.Eam(e.ipv6(), e.ipv4())).toList()),
                rfc6791v4.isEmpty() ? Ipv4Pool.empty() : Ipv4Pool.parse(rfc6791v4),
                rfc6791v6,
                tos,
                trafficClass,
                udpZeroChecksumCompute,
                lowestIpv6Mtu,
                mtuPlateaus.stream().mapToInt(Integer::intValue).toArray(),
                ipv4Mtu,
                ipv6Mtu,
                ipv4Address,
                ipv6Address,
                eamHairpin,
                icmpErrors,
                icmpErrorRate);
    }

    /** The effective section as TOML, every default written out; {@link ConfigLoader} reads it back to an equal value. */
    public String render() {
        StringBuilder sb = new StringBuilder("[siit]\n");
        if (pool6 == null) {
            sb.append("# pool6 is not set: only the explicit address mappings translate\n");
        } else {
            kv(sb, "pool6", quote(pool6.toString()));
        }
        kv(sb, "rfc6791v4", rfc6791v4.stream().map(SiitConfig::quote).collect(Collectors.joining(", ", "[", "]")));
        TranslatorKeys.render(sb, this);
        kv(sb, "eam-hairpin", quote(eamHairpin.name().toLowerCase(Locale.ROOT)));
        kv(sb, "ipv4-address", quote(Ipv4Address.format(ipv4Address)));
        kv(sb, "ipv6-address", quote(ipv6Address.toString()));
        for (EamEntry e : eam) {
            sb.append("\n[[siit.eam]]\n");
            kv(sb, "ipv6", quote(e.ipv6().toString()));
            kv(sb, "ipv4", quote(e.ipv4().toString()));
            if (e.overlap()) {
                kv(sb, "overlap", "true");
            }
        }
        if (dynamicPool != null) {
            sb.append(dynamicPool.render());
        }
        return sb.toString();
    }

    private static void kv(StringBuilder sb, String key, String value) {
        TranslatorKeys.kv(sb, key, value);
    }

    private static String quote(String s) {
        return TranslatorKeys.quote(s);
    }
}
