package dev.isthmus.addr;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * A set of IPv4 and IPv6 prefixes, asked "is this address in it?": the allow list of clients of
 * a relay, proxy or DNS64 server, or the destinations an operator allows explicitly. The empty set contains
 * nothing, so a service whose allow list is empty serves nobody (secure by default).
 *
 * <p>An IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}, what a dual-stack {@code [::]} socket
 * reports for an IPv4 peer, RFC 4291 §2.5.5.2) is looked up as the IPv4 address it stands for.
 */
public final class AddressSet {
    public static final AddressSet NONE = new AddressSet(List.of(), List.of());

    private final List<Ipv4Prefix> v4;
    private final List<Ipv6Prefix> v6;

    public AddressSet(List<Ipv4Prefix> v4, List<Ipv6Prefix> v6) {
        this.v4 = List.copyOf(v4);
        this.v6 = List.copyOf(v6);
    }

    /** Parses prefixes ({@code 192.0.2.0/24}, {@code 2001:db8::/32}); a bare address is its host prefix. */
    public static AddressSet parse(List<String> texts) {
        List<Ipv4Prefix> v4 = new ArrayList<>();
        List<Ipv6Prefix> v6 = new ArrayList<>();
        for (String t : texts) {
            boolean six = t.indexOf(':') >= 0;
            String p = t.indexOf('/') >= 0 ? t : t + (six ? "/128" : "/32");
            if (six) {
                v6.add(Ipv6Prefix.parse(p));
            } else {
                v4.add(Ipv4Prefix.parse(p));
            }
        }
        return new AddressSet(v4, v6);
    }

    public boolean contains(InetAddress a) {
        byte[] b = a.getAddress();
        if (b.length == 4) {
            return contains4(ipv4(b, 0));
        }
        long hi = long64(b, 0);
        long lo = long64(b, 8);
        if (hi == 0 && (lo >>> 32) == 0xffffL) {
            return contains4((int) lo);
        }
        for (Ipv6Prefix p : v6) {
            if (p.contains(hi, lo)) {
                return true;
            }
        }
        return false;
    }

    private boolean contains4(int a) {
        for (Ipv4Prefix p : v4) {
            if (p.contains(a)) {
                return true;
            }
        }
        return false;
    }

    /** The prefixes as the config writes them, IPv4 first. */
    public List<String> texts() {
        List<String> out = new ArrayList<>();
        v4.forEach(p -> out.add(p.toString()));
        v6.forEach(p -> out.add(p.toString()));
        return out;
    }

    /** {@code ::ffff:a.b.c.d} as the IPv4 address; any other address as it is. */
    public static InetAddress unmapped(InetAddress a) {
        if (a instanceof Inet6Address) {
            byte[] b = a.getAddress();
            if (long64(b, 0) == 0 && (long64(b, 8) >>> 32) == 0xffffL) {
                try {
                    return InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
                } catch (java.net.UnknownHostException e) {
                    throw new AssertionError("4 bytes are an IPv4 address", e);
                }
            }
        }
        return a;
    }

    /** The IPv4 address {@code a} (an {@link Inet4Address}) as an int. */
    public static int ipv4(InetAddress a) {
        return ipv4(a.getAddress(), 0);
    }

    private static int ipv4(byte[] b, int off) {
        return (b[off] & 0xff) << 24 | (b[off + 1] & 0xff) << 16 | (b[off + 2] & 0xff) << 8 | b[off + 3] & 0xff;
    }

    private static long long64(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = v << 8 | (b[off + i] & 0xff);
        }
        return v;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AddressSet a && a.v4.equals(v4) && a.v6.equals(v6);
    }

    @Override
    public int hashCode() {
        return v4.hashCode() * 31 + v6.hashCode();
    }

    @Override
    public String toString() {
        return texts().toString();
    }
}
