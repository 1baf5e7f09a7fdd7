package dev.isthmus.dns64;

import dev.isthmus.addr.Ipv4Prefix;
import dev.isthmus.addr.Ipv4Special;
import dev.isthmus.addr.Ipv6Prefix;
import dev.isthmus.addr.Rfc6052Prefix;
import dev.isthmus.wire.Ipv6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.RRSIGRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** The record rewriting rules of RFC 6147 §5.1.4–§5.1.7 and §5.3.1; no I/O. */
final class Synthesis {
    /** RFC 6147 §5.1.7: without an SOA in the negative AAAA answer, the TTL is at most 600 s. */
    static final long NO_SOA_TTL = 600;

    private final List<Rfc6052Prefix> prefixes;
    private final List<Ipv4Prefix> excludeIpv4;
    private final List<Ipv6Prefix> excludeAaaa;
    private final Dns64Counters counters;

    Synthesis(Dns64Settings s, Dns64Counters counters) {
        this.prefixes = s.prefixes();
        this.excludeIpv4 = s.excludeIpv4();
        this.excludeAaaa = s.excludeAaaa();
        this.counters = counters;
    }

    /** RFC 6147 §5.1.4: an AAAA record in the exclusion set counts as absent. */
    boolean isExcluded(AAAARecord r) {
        // The RDATA itself: getAddress() would turn ::ffff:a.b.c.d into a 4-byte IPv4 address.
        Ipv6Address a = Ipv6Address.ofBytes(r.rdataToWireCanonical());
        for (Ipv6Prefix p : excludeAaaa) {
            if (p.contains(a)) {
                return true;
            }
        }
        return false;
    }

    /**
     * RFC 6147 §5.1.1 and §5.1.4: the answer of a NOERROR AAAA response without its excluded
     * AAAA records, or null when no AAAA record is left (then the DNS64 synthesizes). When some
     * were left out, the rest is no longer the signed RRset: their RRSIGs go too.
     */
    List<Record> realAaaa(Message aaaa) {
        List<Record> kept = new ArrayList<>();
        boolean any = false;
        boolean excluded = false;
        for (Record r : aaaa.getSection(Section.ANSWER)) {
            if (r instanceof AAAARecord x && isExcluded(x)) {
                counters.count(Dns64Counter.EXCLUDED_AAAA);
                excluded = true;
                continue;
            }
            any |= r.getType() == Type.AAAA;
            kept.add(r);
        }
        if (!any) {
            return null;
        }
        if (excluded) {
            kept.removeIf(r -> r instanceof RRSIGRecord sig && sig.getTypeCovered() == Type.AAAA);
        }
        return kept;
    }

    /**
     * RFC 6147 §5.1.7: the synthetic AAAA's TTL is at most the negative caching TTL of the AAAA
     * answer, which RFC 2308 §5 takes as the smaller of the SOA's own TTL and its MINIMUM.
     * Without an SOA (or without an AAAA answer at all), 600 s.
     */
    static long negativeTtl(Message aaaa) {
        if (aaaa != null) {
            for (Record r : aaaa.getSection(Section.AUTHORITY)) {
                if (r instanceof SOARecord soa) {
                    return Math.min(soa.getTTL(), soa.getMinimum());
                }
            }
        }
        return NO_SOA_TTL;
    }

    /**
     * RFC 6147 §5.1.7: the A answer with every usable A record replaced by one AAAA per prefix
     * (owner = the A record's owner, so a CNAME chain stays as it was, §5.1.5), class IN,
     * RDATA per RFC 6052 §2.2, TTL = min(A TTL, {@code negativeTtl}). The A records' RRSIGs go
     * (they sign nothing that is left); other records, CNAME and DNAME with their signatures,
     * stay. Returns null when no A record could be synthesized.
     */
    List<Record> synthesize(Message a, long negativeTtl) {
        List<Record> out = new ArrayList<>();
        boolean synthesized = false;
        for (Record r : a.getSection(Section.ANSWER)) {
            if (r instanceof ARecord rec) {
                synthesized |= synthesizeOne(rec, negativeTtl, out);
            } else if (!(r instanceof RRSIGRecord sig && sig.getTypeCovered() == Type.A)) {
                out.add(r);
            }
        }
        return synthesized ? out : null;
    }

    private boolean synthesizeOne(ARecord rec, long negativeTtl, List<Record> out) {
        int v4 = ipv4(rec.getAddress());
        for (Ipv4Prefix x : excludeIpv4) {
            if (x.contains(v4)) {
                counters.count(Dns64Counter.EXCLUDED_IPV4);
                return false;
            }
        }
        boolean any = false;
        long ttl = Math.min(rec.getTTL(), negativeTtl);
        for (Rfc6052Prefix p : prefixes) {
            // RFC 6052 §3.1: the well-known prefix never stands for a non-global IPv4 address;
            // RFC 7050 §3 makes the two ipv4only.arpa addresses the exception, so that clients
            // learn the prefix in use whatever it is.
            if (p.isWellKnown() && Ipv4Special.isNonGlobal(v4) && v4 != IPV4ONLY_170 && v4 != IPV4ONLY_171) {
                continue;
            }
            out.add(new AAAARecord(rec.getName(), DClass.IN, ttl, address(p.embed(v4))));
            any = true;
        }
        if (!any) {
            counters.count(Dns64Counter.EXCLUDED_IPV4);
        }
        return any;
    }

    /**
     * RFC 6147 §5.3.1: the in-addr.arpa name of an ip6.arpa name whose 32 nibbles form an address
     * inside one of the prefixes, or null when the name is not such a name.
     */
    Name inAddrName(Name ip6Arpa) {
        if (ip6Arpa.labels() != 35 || !ip6Arpa.subdomain(IP6_ARPA)) {
            return null;
        }
        InetAddress a;
        try {
            a = ReverseMap.fromName(ip6Arpa);
        } catch (UnknownHostException | RuntimeException e) {
            return null; // not 32 hexadecimal nibbles
        }
        if (a.getAddress().length != 16) {
            return null; // ::ffff:0:0/96, which no RFC 6052 prefix covers
        }
        Ipv6Address v6 = Ipv6Address.ofBytes(a.getAddress());
        for (Rfc6052Prefix p : prefixes) {
            if (p.contains(v6.hi(), v6.lo())) {
                int v4 = p.extract(v6.hi(), v6.lo());
                return ReverseMap.fromAddress(ipv4Address(v4));
            }
        }
        return null;
    }

    private static final Name IP6_ARPA = Name.fromConstantString("ip6.arpa.");

    /** RFC 8880 §2: the special-use name whose A records are these two addresses. */
    static final Name IPV4ONLY_ARPA = Name.fromConstantString("ipv4only.arpa.");
    private static final int IPV4ONLY_170 = 0xc000_00aa;
    private static final int IPV4ONLY_171 = 0xc000_00ab;
    /** A day: the data never changes (RFC 8880 §7.2 lets resolvers answer it from built-in data). */
    private static final long IPV4ONLY_TTL = 86_400;

    /**
     * RFC 8880 §7.2: ipv4only.arpa is answered from built-in data, never asked upstream: A gives
     * 192.0.0.170 and 192.0.0.171, AAAA their synthesized forms (RFC 7050 §3), which is how
     * clients discover the prefix (RFC 7050, 464XLAT). Null for other types.
     */
    List<Record> ipv4OnlyArpa(int type) {
        List<Record> a = List.of(
                new ARecord(IPV4ONLY_ARPA, DClass.IN, IPV4ONLY_TTL, ipv4Address(IPV4ONLY_170)),
                new ARecord(IPV4ONLY_ARPA, DClass.IN, IPV4ONLY_TTL, ipv4Address(IPV4ONLY_171)));
        if (type == Type.A) {
            return a;
        }
        if (type != Type.AAAA) {
            return null;
        }
        List<Record> out = new ArrayList<>();
        for (Record r : a) {
            synthesizeOne((ARecord) r, IPV4ONLY_TTL, out);
        }
        return out;
    }

    private static InetAddress ipv4Address(int v4) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) (v4 >>> 24), (byte) (v4 >>> 16), (byte) (v4 >>> 8), (byte) v4});
        } catch (UnknownHostException e) {
            throw new AssertionError("4 bytes are always an address", e);
        }
    }

    private static int ipv4(InetAddress a) {
        byte[] b = a.getAddress();
        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
    }

    private static InetAddress address(Ipv6Address a) {
        try {
            return InetAddress.getByAddress(a.toBytes());
        } catch (UnknownHostException e) {
            throw new AssertionError("16 bytes are always an address", e);
        }
    }
}
