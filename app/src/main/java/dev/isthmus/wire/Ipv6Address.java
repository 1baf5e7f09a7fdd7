package dev.isthmus.wire;

import java.lang.foreign.MemorySegment;

/**
 * An IPv6 address as a value: the 128 bits as two big-endian halves (RFC 4291 §2).
 *
 * <p>{@code hi} holds bits 0–63 (the first eight bytes on the wire), {@code lo} bits 64–127, so
 * {@code 2001:db8::1} is {@code hi = 0x20010db800000000L, lo = 1L}. Hot-path code works on the
 * two longs directly; this record is for configuration, tables and text.
 *
 * <p>Text: {@link #parse} accepts every form of RFC 4291 §2.2 (full, {@code ::}-compressed,
 * and the mixed form with a trailing dotted quad) and nothing more: no zone index
 * ({@code %eth0}), no brackets, no prefix length, and never a name lookup. {@link #format}
 * writes the RFC 5952 §4 canonical form, and the mixed form for IPv4-mapped addresses as
 * RFC 5952 §5 recommends.
 */
public record Ipv6Address(long hi, long lo) implements Comparable<Ipv6Address> {
    /** {@code ::}, the unspecified address (RFC 4291 §2.5.2). */
    public static final Ipv6Address UNSPECIFIED = new Ipv6Address(0, 0);

    /** Longest text {@link #parse} can accept: {@code ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255}. */
    private static final int MAX_TEXT_LENGTH = 45;

    /** Upper 32 bits of {@code lo} in an IPv4-mapped address {@code ::ffff:0:0/96} (RFC 4291 §2.5.5.2). */
    private static final long MAPPED_MARKER = 0xffffL;

    /**
     * Parses any RFC 4291 §2.2 text form.
     *
     * @throws IllegalArgumentException naming the input and what is wrong with it
     * @throws NullPointerException if {@code s} is null
     */
    public static Ipv6Address parse(String s) {
        int len = s.length();
        if (len == 0) {
            throw bad(s, "empty");
        }
        if (len > MAX_TEXT_LENGTH) {
            throw bad(s, "too long to be an IPv6 address");
        }
        int[] groups = new int[8];
        int count = 0;
        int gap = -1; // index in groups where "::" stands, or -1
        int pos = 0;
        if (s.charAt(0) == ':') {
            if (len < 2 || s.charAt(1) != ':') {
                throw bad(s, "starts with a single ':'");
            }
            gap = 0;
            pos = 2;
        }
        while (pos < len) {
            int start = pos;
            int value = 0;
            while (pos < len) {
                int digit = Character.digit(s.charAt(pos), 16);
                // Character.digit also takes fullwidth and other non-ASCII digits: refuse those.
                if (digit < 0 || s.charAt(pos) > 'f') {
                    break;
                }
                value = value << 4 | digit;
                pos++;
            }
            if (pos < len && s.charAt(pos) == '.') {
                // RFC 4291 §2.2 form 3: the last 32 bits as a dotted quad.
                if (count > 6) {
                    throw bad(s, "no room for the embedded IPv4 address");
                }
                int v4 = Ipv4Address.parse(s, start, len, s, "embedded IPv4 address in");
                groups[count++] = v4 >>> 16;
                groups[count++] = v4 & 0xffff;
                pos = len;
                break;
            }
            int digits = pos - start;
            if (digits == 0) {
                throw bad(s, pos < len
                        ? "unexpected '" + Ipv4Address.printable(s.charAt(pos)) + "' at offset " + pos
                        : "ends in the middle of a group");
            }
            if (digits > 4) {
                throw bad(s, "group " + (count + 1) + " has more than 4 hex digits");
            }
            if (count == 8) {
                throw bad(s, "more than 8 groups");
            }
            groups[count++] = value;
            if (pos == len) {
                break;
            }
            if (s.charAt(pos) != ':') {
                throw bad(s, "unexpected '" + Ipv4Address.printable(s.charAt(pos)) + "' at offset " + pos);
            }
            pos++;
            if (pos < len && s.charAt(pos) == ':') {
                if (gap >= 0) {
                    throw bad(s, "'::' appears more than once");
                }
                gap = count;
                pos++;
            } else if (pos == len) {
                throw bad(s, "ends with a single ':'");
            }
        }
        if (gap < 0) {
            if (count != 8) {
                throw bad(s, "has " + count + " groups, needs 8 (or '::')");
            }
        } else if (count > 7) {
            // RFC 4291 §2.2: "::" stands for one or more groups of zeros, never for none.
            throw bad(s, "'::' stands for no group at all");
        }
        long hi = 0;
        long lo = 0;
        int zeros = 8 - count;
        for (int i = 0, g = 0; i < 8; i++) {
            int v;
            if (gap >= 0 && i >= gap && i < gap + zeros) {
                v = 0;
            } else {
                v = groups[g++];
            }
            if (i < 4) {
                hi = hi << 16 | v;
            } else {
                lo = lo << 16 | v;
            }
        }
        return new Ipv6Address(hi, lo);
    }

    /**
     * RFC 5952 canonical text: lowercase hex, no leading zeros (§4.1), the longest run of two
     * or more zero groups written {@code ::} and the first of equal runs chosen (§4.2), a single
     * zero group never compressed (§4.2.2). IPv4-mapped addresses end in a dotted quad
     * ({@code ::ffff:192.0.2.1}) as §5 recommends.
     */
    public static String format(long hi, long lo) {
        StringBuilder sb = new StringBuilder(39);
        if (hi == 0 && lo >>> 32 == MAPPED_MARKER) {
            return Ipv4Address.append(sb.append("::ffff:"), (int) lo).toString();
        }
        int bestStart = -1;
        int bestLen = 1; // a run must beat 1 to be compressed (§4.2.2)
        int runStart = -1;
        for (int i = 0; i < 8; i++) {
            if (group(hi, lo, i) == 0) {
                if (runStart < 0) {
                    runStart = i;
                }
                if (i - runStart + 1 > bestLen) {
                    bestStart = runStart;
                    bestLen = i - runStart + 1;
                }
            } else {
                runStart = -1;
            }
        }
        for (int i = 0; i < 8; ) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen;
                continue;
            }
            if (i > 0 && i != bestStart + bestLen) {
                sb.append(':');
            }
            sb.append(Integer.toHexString(group(hi, lo, i)));
            i++;
        }
        return sb.toString();
    }

    /** The 16-bit group {@code i} (0 = leftmost) of the address. */
    private static int group(long hi, long lo, int i) {
        long half = i < 4 ? hi : lo;
        return (int) (half >>> (48 - 16 * (i & 3))) & 0xffff;
    }

    /** Reads 16 bytes in network order at {@code off}. */
    public static Ipv6Address read(MemorySegment s, long off) {
        return new Ipv6Address(BigEndian.u64(s, off), BigEndian.u64(s, off + 8));
    }

    /** Writes the 16 bytes in network order at {@code off}. */
    public void write(MemorySegment s, long off) {
        BigEndian.set64(s, off, hi);
        BigEndian.set64(s, off + 8, lo);
    }

    /** The 16 bytes in network order (for {@link java.net.Inet6Address#getByAddress}). */
    public byte[] toBytes() {
        byte[] b = new byte[16];
        write(MemorySegment.ofArray(b), 0);
        return b;
    }

    /** From 16 bytes in network order. */
    public static Ipv6Address ofBytes(byte[] b) {
        if (b.length != 16) {
            throw new IllegalArgumentException("an IPv6 address is 16 bytes, got " + b.length);
        }
        return read(MemorySegment.ofArray(b), 0);
    }

    /** Orders as unsigned 128-bit numbers, which is also the order of the bytes on the wire. */
    @Override
    public int compareTo(Ipv6Address o) {
        int c = Long.compareUnsigned(hi, o.hi);
        return c != 0 ? c : Long.compareUnsigned(lo, o.lo);
    }

    /** The RFC 5952 text, as {@link #format}. */
    @Override
    public String toString() {
        return format(hi, lo);
    }

    private static IllegalArgumentException bad(String input, String why) {
        return Ipv4Address.bad("IPv6 address", input, why);
    }
}
