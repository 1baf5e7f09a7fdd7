package dev.isthmus.alg.sip;

import dev.isthmus.wire.Ipv4Address;
import dev.isthmus.wire.Ipv6Address;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** The field syntax SDP's lines share (RFC 8866 §9): SP-separated fields, numbers, address literals. */
final class SdpFields {
    /**
     * The most digits a session id, version, time or bandwidth may have: RFC 8866 sets no bound,
     * stacks use 64-bit numbers (20 digits); 64 leaves room and keeps the numbers bounded.
     */
    static final int MAX_DIGITS = 64;

    private SdpFields() {}

    /** The fields of {@code s} split at single spaces, or null when a field is empty (RFC 8866 §9: one SP). */
    static String[] split(String s) {
        String[] f = s.split(" ", -1);
        for (String x : f) {
            if (x.isEmpty()) {
                return null;
            }
        }
        return f;
    }

    /** 1 to {@link #MAX_DIGITS} ASCII digits. */
    static boolean digits(String s) {
        if (s.isEmpty() || s.length() > MAX_DIGITS) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /** A port 0-65535 written with at most five digits, or -1. */
    static int port(String s) {
        return number(s, 5, 65535);
    }

    /** A number of at most {@code maxDigits} ASCII digits no larger than {@code max}, or -1. */
    static int number(String s, int maxDigits, int max) {
        if (s.length() > maxDigits || !digits(s)) {
            return -1;
        }
        int v = Integer.parseInt(s);
        return v <= max ? v : -1;
    }

    /**
     * An IPv4 ({@code ipv6} false) or IPv6 literal, never a name lookup, or null. IPv6 stays an
     * {@link Inet6Address} even when IPv4-mapped: the address type the SDP named is kept.
     */
    static InetAddress literal(String text, boolean ipv6) {
        try {
            if (!ipv6) {
                int a = Ipv4Address.parse(text);
                return InetAddress.getByAddress(new byte[] {(byte) (a >>> 24), (byte) (a >>> 16), (byte) (a >>> 8), (byte) a});
            }
            // RFC 8866 §9's IP6-address has no brackets, but SIPp (and some phones) write the
            // SIP URI form "[2001:db8::1]" into c= and o=: read it, the rewrite writes it without.
            String bare = text.length() > 2 && text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
            return Inet6Address.getByAddress(null, Ipv6Address.parse(bare).toBytes(), -1);
        } catch (IllegalArgumentException e) {
            return null;
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // 4 or 16 bytes are always an address
        }
    }

    /** {@code IP4} or {@code IP6} (RFC 8866 §8.2.7). */
    static String addrtype(InetAddress a) {
        return a instanceof Inet4Address ? "IP4" : "IP6";
    }

    /** The literal's text: a dotted quad, or RFC 5952 text for IPv6. */
    static String text(InetAddress a) {
        byte[] b = a.getAddress();
        return a instanceof Inet4Address
                ? Ipv4Address.format((b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | b[3] & 0xff)
                : Ipv6Address.ofBytes(b).toString();
    }

    /** {@code 0.0.0.0} or {@code ::}, in the family of {@code a}. */
    static InetAddress unspecified(InetAddress a) {
        return literal(a instanceof Inet4Address ? "0.0.0.0" : "::", !(a instanceof Inet4Address));
    }

    /** At most 64 characters of {@code s}, quoted: a refusal names the input, and a fuzzer sends megabytes. */
    static String quote(String s) {
        return s.length() <= 64 ? "\"" + s + "\"" : "\"" + s.substring(0, 64) + "\"...";
    }
}
