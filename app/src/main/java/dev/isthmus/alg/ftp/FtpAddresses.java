package dev.isthmus.alg.ftp;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The four ways FTP writes an address into its control connection, read and written: PORT's
 * {@code h1,h2,h3,h4,p1,p2} and the 227 reply that carries the same six numbers (RFC 959 §4.1.2,
 * §4.2), EPRT's {@code |af|address|port|} and the 229 reply's {@code (|||port|)} (RFC 2428 §2,
 * §3). Parsers return null for anything malformed: the caller answers 501 (RFC 959 §4.2) or lets
 * a reply through unchanged, never throws into the data plane.
 */
public final class FtpAddresses {
    /** RFC 2428 §2: address family 1 is IPv4, 2 is IPv6. */
    public static final int AF_IPV4 = 1;

    public static final int AF_IPV6 = 2;

    private FtpAddresses() {}

    /** PORT's argument, {@code h1,h2,h3,h4,p1,p2} (RFC 959 §4.1.2); spaces around numbers allowed. */
    public static FtpEndpoint parsePort(CharSequence argument) {
        int[] n = sixNumbers(argument, 0, argument.length());
        return n == null ? null : endpoint(n);
    }

    /** PORT's argument for an IPv4 address and port. */
    public static String formatPort(Inet4Address address, int port) {
        byte[] a = address.getAddress();
        return (a[0] & 0xff) + "," + (a[1] & 0xff) + "," + (a[2] & 0xff) + "," + (a[3] & 0xff) + ","
                + (port >>> 8) + "," + (port & 0xff);
    }

    /** PORT's argument for an IPv4 address given as an int (T from the NAT64's pool4) and a port. */
    public static String formatPort(int address, int port) {
        return (address >>> 24) + "," + (address >>> 16 & 0xff) + "," + (address >>> 8 & 0xff) + ","
                + (address & 0xff) + "," + (port >>> 8 & 0xff) + "," + (port & 0xff);
    }

    /**
     * The endpoint in a 227 reply's text. RFC 1123 §4.1.2.6: the text around the six numbers
     * varies between servers (with or without parentheses), so the first run of six
     * comma-separated numbers after the code is taken.
     */
    public static FtpEndpoint parse227(CharSequence reply) {
        int len = reply.length();
        for (int i = 3; i < len; i++) {
            // A run starts at a digit after neither a digit nor a comma: "(1,2,3,4,5,6,7)" is
            // not read as its last six numbers.
            char prev = reply.charAt(i - 1);
            if (digit(reply.charAt(i)) && !digit(prev) && prev != ',') {
                int[] n = sixNumbers(reply, i, end227(reply, i));
                if (n != null) {
                    return endpoint(n);
                }
            }
        }
        return null;
    }

    /** A 227 reply line (without CRLF), as RFC 959 §4.2's example writes it. */
    public static String format227(Inet4Address address, int port) {
        return "227 Entering Passive Mode (" + formatPort(address, port) + ").";
    }

    /**
     * EPRT's argument {@code <d>af<d>address<d>port<d>}, the delimiter any printable ASCII
     * character (33-126, RFC 2428 §2). Returns null for a malformed one and for an address that
     * is not of the family {@code af} names; an unknown family gives an endpoint-less null too —
     * use {@link #eprtFamily} first to answer 522.
     */
    public static FtpEndpoint parseEprt(CharSequence argument) {
        String[] f = fields(argument, 4);
        if (f == null) {
            return null;
        }
        int af = number(f[0], AF_IPV6);
        int port = number(f[2], 65535);
        if (port < 0 || (af != AF_IPV4 && af != AF_IPV6) || f[1].isEmpty()) {
            return null;
        }
        InetAddress address = literal(f[1], af);
        return address == null ? null : new FtpEndpoint(address, port);
    }

    /** The address family EPRT's argument names, or -1 when the argument has no family field. */
    public static int eprtFamily(CharSequence argument) {
        String[] f = fields(argument, 4);
        return f == null ? -1 : number(f[0], Integer.MAX_VALUE);
    }

    /** EPRT's argument for an address and port, {@code |1|a.b.c.d|p|} or {@code |2|x::y|p|}. */
    public static String formatEprt(InetAddress address, int port) {
        int af = address instanceof Inet6Address ? AF_IPV6 : AF_IPV4;
        return "|" + af + "|" + address.getHostAddress().replaceFirst("%.*$", "") + "|" + port + "|";
    }

    /**
     * The port of a 229 reply: the text holds {@code (<d><d><d>port<d>)} (RFC 2428 §3), the four
     * delimiters the same character.
     */
    public static int parse229(CharSequence reply) {
        String s = reply.toString();
        // The text before the parentheses is free (RFC 2428 §3) and may hold parentheses too.
        for (int open = s.indexOf('('); open >= 0; open = s.indexOf('(', open + 1)) {
            int close = s.indexOf(')', open);
            if (close < 0) {
                return -1;
            }
            String[] f = fields(s.substring(open + 1, close), 4);
            if (f != null && f[0].isEmpty() && f[1].isEmpty()) {
                int port = number(f[2], 65535);
                if (port >= 0) {
                    return port;
                }
            }
        }
        return -1;
    }

    /** A 229 reply line (without CRLF), as RFC 2428 §3's example writes it. */
    public static String format229(int port) {
        return "229 Entering Extended Passive Mode (|||" + port + "|)";
    }

    /** EPSV's optional argument: 0 when absent, the family number, or -1 for "ALL" (RFC 2428 §3). */
    public static int epsvArgument(CharSequence argument) {
        String a = argument.toString().strip();
        if (a.isEmpty()) {
            return 0;
        }
        if (a.equalsIgnoreCase("ALL")) {
            return -1;
        }
        int af = number(a, Integer.MAX_VALUE);
        return af <= 0 ? Integer.MAX_VALUE : af; // there is no family 0
    }

    // ------------------------------------------------------------------ helpers

    private static boolean digit(char c) {
        return c >= '0' && c <= '9';
    }

    private static int end227(CharSequence s, int from) {
        int i = from;
        while (i < s.length() && (digit(s.charAt(i)) || s.charAt(i) == ',' || s.charAt(i) == ' ')) {
            i++;
        }
        return i;
    }

    private static int[] sixNumbers(CharSequence s, int from, int to) {
        String[] parts = s.subSequence(from, to).toString().split(",", -1);
        if (parts.length != 6) {
            return null;
        }
        int[] n = new int[6];
        for (int i = 0; i < 6; i++) {
            n[i] = number(parts[i].strip(), 255);
            if (n[i] < 0) {
                return null;
            }
        }
        return n;
    }

    private static FtpEndpoint endpoint(int[] n) {
        byte[] a = {(byte) n[0], (byte) n[1], (byte) n[2], (byte) n[3]};
        try {
            return new FtpEndpoint(InetAddress.getByAddress(a), n[4] << 8 | n[5]);
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // four bytes are always an address
        }
    }

    /** Splits {@code <d>f1<d>f2<d>f3<d>} into its three fields, or null. */
    private static String[] fields(CharSequence argument, int delimiters) {
        String s = argument.toString().strip();
        if (s.length() < delimiters) {
            return null;
        }
        char d = s.charAt(0);
        if (d < 33 || d > 126 || s.charAt(s.length() - 1) != d) {
            return null;
        }
        String[] f = s.substring(1, s.length() - 1).split(java.util.regex.Pattern.quote(String.valueOf(d)), -1);
        return f.length == delimiters - 1 ? f : null;
    }

    /** A decimal number of at most 5 digits no larger than {@code max}, or -1. */
    private static int number(String s, int max) {
        if (s.isEmpty() || s.length() > 5) {
            return -1;
        }
        int v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v <= max ? v : -1;
    }

    /** A numeric address of family {@code af} (no name lookups), or null. */
    private static InetAddress literal(String text, int af) {
        boolean v6 = af == AF_IPV6;
        if (v6 ? text.indexOf(':') < 0 || text.indexOf('%') >= 0
                : !text.matches("\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}")) {
            return null;
        }
        if (!v6 && !text.chars().allMatch(c -> c == '.' || Character.isDigit(c))) {
            return null;
        }
        if (v6 && !text.chars().allMatch(c -> c == ':' || c == '.' || Character.digit(c, 16) >= 0)) {
            return null;
        }
        try {
            InetAddress a = InetAddress.getByName(text); // numeric only: checked above
            return (a instanceof Inet6Address) == v6 ? a : null;
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
