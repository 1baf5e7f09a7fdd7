package dev.isthmus.relay;

import dev.isthmus.addr.AddressSet;
import dev.isthmus.addr.Ipv4Special;
import dev.isthmus.relay.TranslatedPrefixes.Translated;
import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * Where a gateway that chooses its destination from what a client sends (the transparent relay,
 * the forward proxy) may connect. The lesson of the seed's open relay: a client must not use the
 * gateway to reach the gateway itself or networks it could not reach on its own, so loopback,
 * link-local, unspecified, multicast and broadcast addresses and the gateway's own addresses are
 * refused, and with {@code refusePrivate} the private-use and shared ranges too (RFC 3142 §7:
 * "refuse broadcast, multicast, loopback, private and own destinations"). Addresses in
 * {@code allowed} are accepted whatever they are: the operator's explicit exception.
 *
 * <p>An IPv6 address that this process's own translator turns into IPv4 ({@link TranslatedPrefixes})
 * is judged by the IPv4 address it reaches as well: written as {@code [2001:db8:64::a9fe:a9fe]},
 * 169.254.169.254 is as refused as written plainly.
 */
public final class DestinationPolicy {
    private final AddressSet allowed;
    private final boolean refusePrivate;
    private final LocalAddresses local;
    private final TranslatedPrefixes translated;

    /** A policy for a gateway whose destinations are never translated by this process. */
    public DestinationPolicy(AddressSet allowed, boolean refusePrivate, LocalAddresses local) {
        this(allowed, refusePrivate, local, TranslatedPrefixes.NONE);
    }

    public DestinationPolicy(AddressSet allowed, boolean refusePrivate, LocalAddresses local,
            TranslatedPrefixes translated) {
        this.allowed = allowed;
        this.refusePrivate = refusePrivate;
        this.local = local;
        this.translated = translated;
    }

    /** Null when {@code a} may be reached, else why not (for the log line). */
    public String refusal(InetAddress a) {
        InetAddress u = AddressSet.unmapped(a);
        if (allowed.contains(u)) {
            return null;
        }
        Translated t = translated.translate(u);
        if (t != null) {
            String why = refusal(t);
            if (why != null) {
                return "translated to " + t.ipv4().getHostAddress() + " by " + t.by() + ": " + why;
            }
            // The IPv6 address itself may still be refused (the translator's own address is in pool6).
        }
        return refusalOf(u);
    }

    /**
     * Null when the IPv4 address behind a translated one may be reached, else why not: the rules
     * for that address and, for the Well-Known Prefix, RFC 6052 §3.1 (it must not stand for a
     * non-global address).
     */
    public String refusal(Translated t) {
        String why = refusal(t.ipv4());
        if (why == null && t.wellKnown() && Ipv4Special.isNonGlobal(AddressSet.ipv4(t.ipv4()))
                && !allowed.contains(t.ipv4())) {
            why = "not global, and the well-known prefix stands for global addresses only (RFC 6052 §3.1)";
        }
        return why;
    }

    private String refusalOf(InetAddress u) {
        if (u.isLoopbackAddress()) {
            return "loopback";
        }
        if (u.isLinkLocalAddress()) {
            return "link-local";
        }
        if (u.isAnyLocalAddress()) {
            return "unspecified";
        }
        if (u.isMulticastAddress()) {
            return "multicast";
        }
        if (u instanceof Inet4Address) {
            int v4 = AddressSet.ipv4(u);
            if (Ipv4Special.isIllegalSource(v4) || Ipv4Special.isMulticastOrBroadcast(v4)) {
                return "reserved";
            }
            if (refusePrivate && isPrivate(v4)) {
                return "private";
            }
        } else if (refusePrivate && (u.getAddress()[0] & 0xfe) == 0xfc) {
            return "private"; // fc00::/7, unique local (RFC 4193)
        }
        if (local.isLocal(u)) {
            return "the gateway's own address";
        }
        return null;
    }

    /** 10/8, 172.16/12, 192.168/16 (RFC 1918) and 100.64/10 (shared, RFC 6598). */
    static boolean isPrivate(int a) {
        return (a >>> 24) == 10
                || (a & 0xfff0_0000) == 0xac10_0000
                || (a & 0xffff_0000) == 0xc0a8_0000
                || (a & 0xffc0_0000) == 0x6440_0000;
    }
}
