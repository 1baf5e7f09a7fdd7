package dev.isthmus.addr;

import dev.isthmus.wire.Ipv4Address;

/**
 * An IPv4 prefix, CIDR style (RFC 4632 §3.1): the leading {@code length} bits of
 * {@code address}, whose remaining (host) bits are always zero.
 *
 * <p>Host bits set is refused rather than masked off: {@code 192.0.2.1/24} in a config file is
 * almost always a typo for an address or for a different length, and silently meaning
 * {@code 192.0.2.0/24} would translate traffic the operator did not name.
 *
 * @param address the prefix bits, host bits zero
 * @param length 0 to 32
 */
public record Ipv4Prefix(int address, int length) {

    /** @throws IllegalArgumentException if the length is out of range or host bits are set */
    public Ipv4Prefix {
        if (length < 0 || length > 32) {
            throw new IllegalArgumentException("IPv4 prefix length " + length + " is not in 0-32");
        }
        if ((address & ~mask(length)) != 0) {
            throw new IllegalArgumentException(hostBitsMessage(address, length));
        }
    }

    /**
     * Parses {@code a.b.c.d/len}, or a bare address meaning {@code /32}.
     *
     * @throws IllegalArgumentException naming the input and the fault (including host bits set)
     */
    public static Ipv4Prefix parse(String s) {
        int slash = s.indexOf('/');
        if (slash < 0) {
            return new Ipv4Prefix(Ipv4Address.parse(s), 32);
        }
        int address;
        try {
            address = Ipv4Address.parse(s.substring(0, slash));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad IPv4 prefix \"" + Text.quote(s) + "\": " + e.getMessage(), e);
        }
        int length = Text.prefixLength(s, slash + 1, 32, "IPv4 prefix");
        if ((address & ~mask(length)) != 0) {
            throw new IllegalArgumentException("bad IPv4 prefix \"" + Text.quote(s) + "\": "
                    + hostBitsMessage(address, length));
        }
        return new Ipv4Prefix(address, length);
    }

    /** The netmask of a prefix {@code length} bits long, e.g. {@code 0xffffff00} for 24. */
    public static int mask(int length) {
        // A Java shift by 32 is a shift by 0, so length 0 needs its own case.
        return length == 0 ? 0 : -1 << (32 - length);
    }

    /** The netmask, e.g. {@code 0xffffff00} for a /24. */
    public int mask() {
        return mask(length);
    }

    /** Whether {@code a} lies in this prefix. */
    public boolean contains(int a) {
        return (a & mask(length)) == address;
    }

    /** Whether this prefix and {@code o} share at least one address (one contains the other). */
    public boolean overlaps(Ipv4Prefix o) {
        int m = mask(Math.min(length, o.length));
        return ((address ^ o.address) & m) == 0;
    }

    /** Whether every address of {@code o} is in this prefix. */
    public boolean covers(Ipv4Prefix o) {
        return o.length >= length && contains(o.address);
    }

    /** The last address of the prefix (all host bits one). */
    public int last() {
        return address | ~mask(length);
    }

    /** How many addresses the prefix holds, 1 to 2^32. */
    public long size() {
        return 1L << (32 - length);
    }

    /** {@code a.b.c.d/len}, always with the length. */
    @Override
    public String toString() {
        return Ipv4Address.format(address) + "/" + length;
    }

    private static String hostBitsMessage(int address, int length) {
        return "host bits set in " + Ipv4Address.format(address) + "/" + length
                + " (the prefix would be " + Ipv4Address.format(address & mask(length)) + "/" + length + ")";
    }
}
