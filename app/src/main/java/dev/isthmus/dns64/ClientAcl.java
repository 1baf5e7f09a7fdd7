package dev.isthmus.dns64;

import dev.isthmus.addr.Ipv4Prefix;
import dev.isthmus.addr.Ipv6Prefix;
import dev.isthmus.wire.Ipv6Address;
import java.net.InetAddress;
import java.util.List;

/**
 * The client networks that get answers. Anyone else is REFUSED: a DNS64 that answers the whole
 * Internet is an open resolver, a tool for reflection attacks (RFC 5358).
 */
final class ClientAcl {
    private final List<Ipv4Prefix> allow4;
    private final List<Ipv6Prefix> allow6;

    ClientAcl(List<Ipv4Prefix> allow4, List<Ipv6Prefix> allow6) {
        this.allow4 = allow4;
        this.allow6 = allow6;
    }

    boolean allows(InetAddress client) {
        byte[] b = client.getAddress();
        if (b.length == 4) {
            return allows4(b, 0);
        }
        Ipv6Address a = Ipv6Address.ofBytes(b);
        // An IPv4 client of a dual-stack socket may show up IPv4-mapped (RFC 4291 §2.5.5.2).
        if (a.hi() == 0 && (a.lo() >>> 32) == 0xffffL) {
            return allows4(b, 12);
        }
        for (Ipv6Prefix p : allow6) {
            if (p.contains(a)) {
                return true;
            }
        }
        return false;
    }

    private boolean allows4(byte[] b, int off) {
        int a = (b[off] & 0xff) << 24 | (b[off + 1] & 0xff) << 16 | (b[off + 2] & 0xff) << 8 | (b[off + 3] & 0xff);
        for (Ipv4Prefix p : allow4) {
            if (p.contains(a)) {
                return true;
            }
        }
        return false;
    }
}
