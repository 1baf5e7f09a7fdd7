package dev.isthmus.nat;

import dev.isthmus.xlat.DynamicBindings;

/**
 * The one mapping of the packet in hand, (X') ↔ (T), as the stateless translator's address hook:
 * {@link Nat64Translator} looks the packet up in the {@link Nat64Table} first, sets the result
 * here, and the stateless translator then maps X' to T (6→4) or T to X' (4→6) wherever the
 * address appears — the outer header and the packet inside an ICMP error alike — while the
 * RFC 6052 rules of pool6 handle the other side. Ports are not addresses; the translator rewrites
 * them itself. Per worker, like the translator that owns it.
 */
final class CurrentMapping implements DynamicBindings {
    private boolean set;
    private long x6Hi;
    private long x6Lo;
    private int t4;
    private boolean alias;
    private long aliasHi;
    private long aliasLo;

    void clear() {
        set = false;
        alias = false;
    }

    void set(long hi, long lo, int t) {
        set = true;
        x6Hi = hi;
        x6Lo = lo;
        t4 = t;
        alias = false;
    }

    /**
     * Also maps {@code hi:lo} to T (6→4 only): the source of an ICMPv6 error, which may be a
     * router on the way to X', leaves from T, the address the IPv4 peer knows (RFC 6146 §3.5.3).
     */
    void alias(long hi, long lo) {
        alias = true;
        aliasHi = hi;
        aliasLo = lo;
    }

    /** Only the packet's own T: every other pool4 address is none of this packet's business. */
    @Override
    public boolean inPool(int ipv4) {
        return set && ipv4 == t4;
    }

    @Override
    public long find64(long hi, long lo) {
        if (set && (hi == x6Hi && lo == x6Lo || alias && hi == aliasHi && lo == aliasLo)) {
            return t4 & 0xffff_ffffL;
        }
        return NONE;
    }

    @Override
    public long bind64(long hi, long lo) {
        return find64(hi, lo);
    }

    @Override
    public boolean find46(int ipv4, long[] ipv6) {
        if (!inPool(ipv4)) {
            return false;
        }
        ipv6[0] = x6Hi;
        ipv6[1] = x6Lo;
        return true;
    }
}
