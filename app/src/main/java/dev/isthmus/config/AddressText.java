package dev.isthmus.config;

import dev.isthmus.addr.Ipv4Prefix;
import dev.isthmus.addr.Ipv6Prefix;
import dev.isthmus.wire.Ipv4Address;
import dev.isthmus.wire.Ipv6Address;

/**
 * Prefix text as the config file writes it. Parsing is the address classes' own; this adds the
 * config's rules (whether a bare address may stand for a host prefix) and, for host bits set,
 * the message the config promises: the prefix the operator probably meant. Every method throws
 * {@link IllegalArgumentException} with a message that reads well after {@code "key: "}.
 */
final class AddressText {

    private AddressText() {}

    /**
     * {@code a.b.c.d/len}; with {@code bareIsHost} a plain address stands for its /32.
     */
    static Ipv4Prefix ipv4Prefix(String text, boolean bareIsHost) {
        requireLength(text, bareIsHost, "an IPv4 prefix");
        try {
            return Ipv4Prefix.parse(text);
        } catch (IllegalArgumentException e) {
            IllegalArgumentException hostBits = hostBits4(text);
            throw hostBits != null ? hostBits : e;
        }
    }

    /**
     * {@code x:y::/len}; with {@code bareIsHost} a plain address stands for its /128.
     */
    static Ipv6Prefix ipv6Prefix(String text, boolean bareIsHost) {
        requireLength(text, bareIsHost, "an IPv6 prefix");
        try {
            return Ipv6Prefix.parse(text);
        } catch (IllegalArgumentException e) {
            IllegalArgumentException hostBits = hostBits6(text);
            throw hostBits != null ? hostBits : e;
        }
    }

    private static void requireLength(String text, boolean bareIsHost, String what) {
        if (!bareIsHost && text.indexOf('/') < 0) {
            throw new IllegalArgumentException("\"" + text + "\" is not " + what + ": the /length is missing");
        }
    }

    /** The host-bits error for {@code text}, or null if its fault is something else. */
    private static IllegalArgumentException hostBits4(String text) {
        int slash = text.indexOf('/');
        int length = length(text, slash, 32);
        if (length < 0) {
            return null;
        }
        int address;
        try {
            address = Ipv4Address.parse(text.substring(0, slash));
        } catch (IllegalArgumentException e) {
            return null;
        }
        int mask = Ipv4Prefix.mask(length);
        if ((address & ~mask) == 0) {
            return null;
        }
        return hostBitsSet(text, new Ipv4Prefix(address & mask, length).toString());
    }

    private static IllegalArgumentException hostBits6(String text) {
        int slash = text.indexOf('/');
        int length = length(text, slash, 128);
        if (length < 0) {
            return null;
        }
        Ipv6Address a;
        try {
            a = Ipv6Address.parse(text.substring(0, slash));
        } catch (IllegalArgumentException e) {
            return null;
        }
        Ipv6Prefix p = Ipv6Prefix.of(a, length);
        if (p.hi() == a.hi() && p.lo() == a.lo()) {
            return null;
        }
        return hostBitsSet(text, p.toString());
    }

    private static IllegalArgumentException hostBitsSet(String text, String meant) {
        return new IllegalArgumentException("\"" + text + "\" has host bits set (prefix is " + meant + ")");
    }

    /** The length after the slash at {@code slash}, or -1 if there is none or it is not valid. */
    private static int length(String text, int slash, int max) {
        if (slash < 0) {
            return -1;
        }
        String digits = text.substring(slash + 1);
        if (!digits.matches("[0-9]{1,3}")) {
            return -1;
        }
        int length = Integer.parseInt(digits);
        return length <= max ? length : -1;
    }
}
