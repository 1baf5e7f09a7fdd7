package dev.isthmus.addr;

import dev.isthmus.wire.Ipv6Address;

/**
 * An IPv6 prefix (RFC 4291 §2.3): the leading {@code length} bits of the address
 * {@code (hi, lo)}, whose remaining bits are always zero.
 *
 * <p>As with {@link Ipv4Prefix}, host bits set is refused, not masked: {@code 2001:db8::1/64} is
 * a typo more often than it is a prefix.
 *
 * @param hi bits 0-63 of the prefix
 * @param lo bits 64-127 of the prefix
 * @param length 0 to 128
 */
public record Ipv6Prefix(long hi, long lo, int length) {

    /** @throws IllegalArgumentException if the length is out of range or host bits are set */
    public Ipv6Prefix {
        if (length < 0 || length > 128) {
            throw new IllegalArgumentException("IPv6 prefix length " + length + " is not in 0-128");
        }
        if ((hi & ~maskHi(length)) != 0 || (lo & ~maskLo(length)) != 0) {
            throw new IllegalArgumentException(hostBitsMessage(hi, lo, length));
        }
    }

    /**
     * Parses {@code address/len} (any RFC 4291 §2.2 address form), or a bare address meaning
     * {@code /128}.
     *
     * @throws IllegalArgumentException naming the input and the fault (including host bits set)
     */
    public static Ipv6Prefix parse(String s) {
        int slash = s.indexOf('/');
        if (slash < 0) {
            Ipv6Address a = Ipv6Address.parse(s);
            return new Ipv6Prefix(a.hi(), a.lo(), 128);
        }
        Ipv6Address a;
        try {
            a = Ipv6Address.parse(s.substring(0, slash));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad IPv6 prefix \"" + Text.quote(s) + "\": " + e.getMessage(), e);
        }
        int length = Text.prefixLength(s, slash + 1, 128, "IPv6 prefix");
        if ((a.hi() & ~maskHi(length)) != 0 || (a.lo() & ~maskLo(length)) != 0) {
            throw new IllegalArgumentException("bad IPv6 prefix \"" + Text.quote(s) + "\": "
                    + hostBitsMessage(a.hi(), a.lo(), length));
        }
        return new Ipv6Prefix(a.hi(), a.lo(), length);
    }

    /** The prefix of {@code a} that is {@code length} bits long (host bits cleared). */
    public static Ipv6Prefix of(Ipv6Address a, int length) {
        if (length < 0 || length > 128) {
            throw new IllegalArgumentException("IPv6 prefix length " + length + " is not in 0-128");
        }
        return new Ipv6Prefix(a.hi() & maskHi(length), a.lo() & maskLo(length), length);
    }

    /** Bits 0-63 of the netmask of a prefix {@code length} bits long. */
    public static long maskHi(int length) {
        // Java masks shift counts to 0-63, so the 0 and >= 64 ends need their own cases.
        return length >= 64 ? -1L : length == 0 ? 0L : -1L << (64 - length);
    }

    /** Bits 64-127 of the netmask of a prefix {@code length} bits long. */
    public static long maskLo(int length) {
        return length <= 64 ? 0L : -1L << (128 - length);
    }

    /** Whether the address {@code (hi, lo)} lies in this prefix. */
    public boolean contains(long hi, long lo) {
        return ((hi & maskHi(length)) == this.hi) & ((lo & maskLo(length)) == this.lo);
    }

    /** Whether the address lies in this prefix. */
    public boolean contains(Ipv6Address a) {
        return contains(a.hi(), a.lo());
    }

    /** Whether this prefix and {@code o} share at least one address (one contains the other). */
    public boolean overlaps(Ipv6Prefix o) {
        int l = Math.min(length, o.length);
        return ((hi ^ o.hi) & maskHi(l)) == 0 && ((lo ^ o.lo) & maskLo(l)) == 0;
    }

    /** Whether every address of {@code o} is in this prefix. */
    public boolean covers(Ipv6Prefix o) {
        return o.length >= length && contains(o.hi, o.lo);
    }

    /** The prefix bits as an address (host bits zero). */
    public Ipv6Address address() {
        return new Ipv6Address(hi, lo);
    }

    /** RFC 5952 text of the address, a slash and the length. */
    @Override
    public String toString() {
        return Ipv6Address.format(hi, lo) + "/" + length;
    }

    private static String hostBitsMessage(long hi, long lo, int length) {
        return "host bits set in " + Ipv6Address.format(hi, lo) + "/" + length + " (the prefix would be "
                + Ipv6Address.format(hi & maskHi(length), lo & maskLo(length)) + "/" + length + ")";
    }
}
