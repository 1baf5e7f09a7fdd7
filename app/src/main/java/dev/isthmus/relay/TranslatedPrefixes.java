package dev.isthmus.relay;

import dev.isthmus.addr.AddressSet;
import dev.isthmus.addr.EamTable;
import dev.isthmus.addr.Rfc6052Prefix;
import dev.isthmus.wire.Ipv6Address;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * The IPv6 addresses that this process's own translator turns into IPv4 ones: the IPv6 side of
 * the explicit address mappings (RFC 7757) and the RFC 6052 prefixes of {@code [siit]} and
 * {@code [nat64]}. A socket-plane gateway that connects to such an address does not reach an IPv6
 * host: the packets go through the translator and arrive at the embedded IPv4 address. So a
 * connection to {@code 2001:db8:64::a9fe:a9fe} is a connection to 169.254.169.254, and the
 * {@link DestinationPolicy} must judge that address, not the IPv6 one that stands for it.
 *
 * <p>The mapping is the translator's own (RFC 7915 §6 with RFC 7757 §3.3): the longest EAM match
 * first, then the prefixes in order.
 */
public final class TranslatedPrefixes {
    /** No translator in this process: no IPv6 address stands for an IPv4 one. */
    public static final TranslatedPrefixes NONE = new TranslatedPrefixes(List.of(), EamTable.empty());

    /**
     * Where a connection to an IPv6 address really goes.
     *
     * @param ipv4 the IPv4 address the translator puts in its place
     * @param by the mapping, for log lines ({@code pool6 2001:db8:64::/96}, {@code EAM …})
     * @param wellKnown whether the mapping is the Well-Known Prefix, which may stand for global
     *     IPv4 addresses only (RFC 6052 §3.1)
     */
    public record Translated(Inet4Address ipv4, String by, boolean wellKnown) {}

    private final List<Rfc6052Prefix> pool6;
    private final EamTable eam;

    public TranslatedPrefixes(List<Rfc6052Prefix> pool6, EamTable eam) {
        this.pool6 = List.copyOf(pool6);
        this.eam = eam;
    }

    /** Whether no address is translated. */
    public boolean isEmpty() {
        return pool6.isEmpty() && eam.isEmpty();
    }

    /** The IPv4 address a connection to {@code a} reaches, or null when {@code a} is not translated. */
    public Translated translate(InetAddress a) {
        if (!(AddressSet.unmapped(a) instanceof Inet6Address)) {
            return null;
        }
        Ipv6Address d = Ipv6Address.ofBytes(a.getAddress());
        long hi = d.hi();
        long lo = d.lo();
        int row = eam.isEmpty() ? -1 : eam.find6(hi, lo);
        if (row >= 0) {
            return new Translated(ipv4(eam.map64(row, hi, lo)), "EAM " + eam.entry(row), false);
        }
        for (Rfc6052Prefix p : pool6) {
            if (p.contains(hi, lo)) {
                return new Translated(ipv4(p.extract(hi, lo)), "pool6 " + p, p.isWellKnown());
            }
        }
        return null;
    }

    /** The address of {@code v4} (an IPv4 address as an int, RFC 791 byte order). */
    static Inet4Address ipv4(int v4) {
        try {
            return (Inet4Address) InetAddress.getByAddress(
                    new byte[] {(byte) (v4 >>> 24), (byte) (v4 >>> 16), (byte) (v4 >>> 8), (byte) v4});
        } catch (UnknownHostException e) {
            throw new AssertionError("4 bytes are an IPv4 address", e);
        }
    }

    @Override
    public String toString() {
        return "pool6 " + pool6 + ", " + eam.size() + " EAM rows";
    }
}
