package dev.isthmus.addr;

import dev.isthmus.wire.Ipv6Address;

/**
 * RFC 6052 §2.2 IPv4-embedded IPv6 addresses: a validated Pref64::/n and the algorithm of §2.3
 * that puts an IPv4 address into it and takes it out again.
 *
 * <pre>
 *  PL   bits 0 ............................ 63 | 64-71 | 72 ......................... 127
 *  32   prefix (32)      | IPv4 (32)            |   u   | suffix (56)
 *  40   prefix (40)         | IPv4 1st-3rd octet |   u   | 4th octet | suffix (48)
 *  48   prefix (48)            | IPv4 1st-2nd    |   u   | 3rd-4th   | suffix (40)
 *  56   prefix (56)               | 1st octet    |   u   | 2nd-4th   | suffix (32)
 *  64   prefix (64)                             |   u   | IPv4 (32) | suffix (24)
 *  96   prefix (96, bits 64-71 zero as well)                        | IPv4 (32)
 * </pre>
 *
 * <p>Bits 64-71 ("u") are skipped so that the IPv6 interface identifier keeps RFC 4291's
 * universal/local bit; they and the suffix are written as zero and ignored on input (§2.2).
 *
 * <p>Embedding and extraction are one shift and one mask per half, set up once per prefix: no
 * branch on the prefix length, no allocation, safe on the hot path.
 */
public final class Rfc6052Prefix {
    /** The Well-Known Prefix {@code 64:ff9b::/96} (RFC 6052 §2.1). */
    public static final Ipv6Prefix WELL_KNOWN = new Ipv6Prefix(0x0064ff9b00000000L, 0L, 96);

    private final Ipv6Prefix prefix;
    private final long hi;
    private final long lo;
    private final long maskHi;
    private final long maskLo;
    /** embed: IPv4 bits that go into {@code hi} are {@code v4 >>> hiShift}. */
    private final int hiShift;
    /** extract: the low bits of {@code hi} that carry IPv4 bits. */
    private final long hiBits;
    /** How many IPv4 bits go into {@code lo}; also how far the {@code hi} part shifts left on extract. */
    private final int loCount;
    /** The low {@code loCount} bits set. */
    private final long loBits;
    /** Where the IPv4 bits sit in {@code lo}: left shift on embed, right shift on extract. */
    private final int loShift;
    /** Computed once: the translator asks on every packet (RFC 6052 §3.1 check). */
    private final boolean wellKnown;

    private Rfc6052Prefix(Ipv6Prefix p) {
        this.prefix = p;
        this.hi = p.hi();
        this.lo = p.lo();
        this.maskHi = Ipv6Prefix.maskHi(p.length());
        this.maskLo = Ipv6Prefix.maskLo(p.length());
        int length = p.length();
        // IPv4 bits that fit between the prefix and bit 64: 32 for /32 down to 0 for /64 and /96.
        int inHi = length <= 64 ? Math.min(32, 64 - length) : 0;
        this.hiShift = 32 - inHi;
        this.hiBits = (1L << inHi) - 1;
        this.loCount = 32 - inHi;
        this.loBits = (1L << loCount) - 1;
        // For /32../64 the rest starts at bit 72 (lo bit 8 from the top); for /96 at bit 96.
        this.loShift = length == 96 ? 0 : 56 - loCount;
        this.wellKnown = p.equals(WELL_KNOWN);
    }

    /**
     * Validates {@code p} as a Pref64::/n.
     *
     * @throws IllegalArgumentException if the length is not 32, 40, 48, 56, 64 or 96 (§2.2); if
     *     bits 64-71 of the prefix are not zero (§2.2); if it is the Well-Known Prefix at a length
     *     other than 96 (§2.1 defines it as a /96 only); or if it is multicast (ff00::/8, RFC 4291
     *     §2.7), which no unicast translated address can live in
     */
    public static Rfc6052Prefix of(Ipv6Prefix p) {
        int length = p.length();
        if (length != 32 && length != 40 && length != 48 && length != 56 && length != 64 && length != 96) {
            throw new IllegalArgumentException("RFC 6052 prefix " + p
                    + ": length must be 32, 40, 48, 56, 64 or 96 (RFC 6052 §2.2)");
        }
        if ((p.lo() >>> 56) != 0) {
            throw new IllegalArgumentException("RFC 6052 prefix " + p
                    + ": bits 64-71 (the u-octet) must be zero (RFC 6052 §2.2)");
        }
        if (p.hi() == WELL_KNOWN.hi() && p.lo() == WELL_KNOWN.lo() && length != 96) {
            throw new IllegalArgumentException("RFC 6052 prefix " + p
                    + ": the Well-Known Prefix 64:ff9b:: is only defined as a /96 (RFC 6052 §2.1)");
        }
        if ((p.hi() >>> 56) == 0xff) {
            throw new IllegalArgumentException("RFC 6052 prefix " + p
                    + ": a multicast prefix (ff00::/8) cannot hold translated unicast addresses");
        }
        return new Rfc6052Prefix(p);
    }

    /** {@link #of}({@link Ipv6Prefix#parse}(s)). */
    public static Rfc6052Prefix parse(String s) {
        return of(Ipv6Prefix.parse(s));
    }

    public Ipv6Prefix prefix() {
        return prefix;
    }

    public int length() {
        return prefix.length();
    }

    /**
     * Whether this is {@code 64:ff9b::/96}. RFC 6052 §3.1 forbids that prefix for non-global
     * IPv4 addresses, which its users must check.
     */
    public boolean isWellKnown() {
        return wellKnown;
    }

    /** Whether {@code (hi, lo)} starts with this prefix (u-octet and suffix are not checked). */
    public boolean contains(long hi, long lo) {
        return ((hi & maskHi) == this.hi) & ((lo & maskLo) == this.lo);
    }

    /** Bits 0-63 of the IPv4-embedded address of {@code v4} (§2.2). */
    public long embedHi(int v4) {
        return hi | (v4 & 0xffffffffL) >>> hiShift;
    }

    /** Bits 64-127 of the IPv4-embedded address of {@code v4} (§2.2); u-octet and suffix zero. */
    public long embedLo(int v4) {
        return lo | (v4 & loBits) << loShift;
    }

    /** The embedded address of {@code v4} as a value. */
    public Ipv6Address embed(int v4) {
        return new Ipv6Address(embedHi(v4), embedLo(v4));
    }

    /**
     * The IPv4 address embedded in {@code (hi, lo)} (§2.3). Ignores the u-octet and the suffix,
     * and does not check the prefix: call {@link #contains} first.
     */
    public int extract(long hi, long lo) {
        return (int) ((hi & hiBits) << loCount | (lo >>> loShift) & loBits);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Rfc6052Prefix r && r.prefix.equals(prefix);
    }

    @Override
    public int hashCode() {
        return prefix.hashCode();
    }

    /** The prefix text, e.g. {@code 64:ff9b::/96}. */
    @Override
    public String toString() {
        return prefix.toString();
    }
}
