package dev.isthmus.wire;

import java.lang.foreign.MemorySegment;

/**
 * A one-line, human-readable description of an IP packet for {@code --explain}, logs and test
 * failure messages: family, addresses, protocol, and the fields an operator looks at (ports, TCP
 * flags, ICMP type/code/id, fragment fields). Never used on the hot path; allocation is fine here.
 * Malformed or truncated input is described as such, never thrown.
 *
 * @param family "IPv4", "IPv6" or "?"
 * @param source source address text (RFC 5952 for IPv6), or "" if unreadable
 * @param destination destination address text, or ""
 * @param protocol upper-layer protocol name ("TCP", "UDP", "ICMP", "ICMPv6", …)
 * @param detail protocol details (ports, flags, ICMP type and code, fragment info)
 * @param length the packet length in bytes
 */
public record PacketSummary(String family, String source, String destination, String protocol, String detail, int length) {

    public static PacketSummary of(MemorySegment s, int off, int len) {
        if (len < 1) {
            return new PacketSummary("?", "", "", "", "empty", len);
        }
        int version = BigEndian.u8(s, off) >>> 4;
        if (version == 4 && len >= Ipv4View.MIN_HEADER) {
            return ipv4(s, off, len);
        }
        if (version == 6 && len >= Ipv6View.HEADER) {
            return ipv6(s, off, len);
        }
        return new PacketSummary("?", "", "", "", "not an IP packet (version " + version + ")", len);
    }

    private static PacketSummary ipv4(MemorySegment s, int off, int len) {
        Ipv4View ip = new Ipv4View().wrap(s, off);
        String src = Ipv4Address.format(ip.source());
        String dst = Ipv4Address.format(ip.destination());
        int hl = ip.headerLength();
        StringBuilder d = new StringBuilder();
        d.append("ttl=").append(ip.ttl()).append(" id=").append(ip.identification());
        if (ip.dontFragment()) {
            d.append(" DF");
        }
        if (ip.isFragment()) {
            d.append(" frag offset=").append(ip.fragmentOffset() * 8).append(ip.moreFragments() ? " MF" : "");
        }
        int proto = ip.protocol();
        if (ip.fragmentOffset() == 0 && hl >= Ipv4View.MIN_HEADER && hl < len) {
            l4(d, s, off + hl, len - hl, proto, false);
        }
        return new PacketSummary("IPv4", src, dst, IpProtocol.name(proto), d.toString(), len);
    }

    private static PacketSummary ipv6(MemorySegment s, int off, int len) {
        Ipv6View ip = new Ipv6View().wrap(s, off);
        String src = Ipv6Address.format(ip.sourceHi(), ip.sourceLo());
        String dst = Ipv6Address.format(ip.destinationHi(), ip.destinationLo());
        StringBuilder d = new StringBuilder();
        d.append("hlim=").append(ip.hopLimit());
        int nh = ip.nextHeader();
        int p = off + Ipv6View.HEADER;
        int end = off + len;
        boolean l4Present = true;
        while (IpProtocol.isExtension(nh) && nh != IpProtocol.ESP && nh != IpProtocol.AH) {
            if (p + 8 > end) {
                d.append(" [truncated ").append(IpProtocol.name(nh)).append(']');
                return new PacketSummary("IPv6", src, dst, IpProtocol.name(nh), d.toString(), len);
            }
            if (nh == IpProtocol.FRAGMENT) {
                Ipv6FragmentView f = new Ipv6FragmentView().wrap(s, p);
                d.append(" frag id=").append(Integer.toUnsignedString(f.identification()))
                        .append(" offset=").append(f.fragmentOffset() * 8).append(f.moreFragments() ? " M" : "");
                l4Present = f.fragmentOffset() == 0;
                nh = f.nextHeader();
                p += 8;
            } else {
                Ipv6ExtensionView e = new Ipv6ExtensionView().wrap(s, p);
                d.append(' ').append(IpProtocol.name(nh));
                if (nh == IpProtocol.ROUTING) {
                    d.append("(segleft=").append(e.segmentsLeft()).append(')');
                }
                nh = e.nextHeader();
                p += e.length();
            }
        }
        if (l4Present && p < end) {
            l4(d, s, p, end - p, nh, true);
        }
        return new PacketSummary("IPv6", src, dst, IpProtocol.name(nh), d.toString(), len);
    }

    private static void l4(StringBuilder d, MemorySegment s, int off, int len, int proto, boolean v6) {
        switch (proto) {
            case IpProtocol.TCP -> {
                if (len < TcpView.MIN_HEADER) {
                    d.append(" [truncated TCP]");
                    return;
                }
                TcpView t = new TcpView().wrap(s, off);
                d.append(' ').append(t.sourcePort()).append(" > ").append(t.destinationPort())
                        .append(" [").append(tcpFlags(t.flags())).append("] seq=")
                        .append(Integer.toUnsignedString(t.sequence()));
                if ((t.flags() & TcpView.ACK) != 0) {
                    d.append(" ack=").append(Integer.toUnsignedString(t.acknowledgment()));
                }
            }
            case IpProtocol.UDP -> {
                if (len < UdpView.HEADER) {
                    d.append(" [truncated UDP]");
                    return;
                }
                UdpView u = new UdpView().wrap(s, off);
                d.append(' ').append(u.sourcePort()).append(" > ").append(u.destinationPort())
                        .append(" ulen=").append(u.length());
                if (u.checksum() == 0) {
                    d.append(" cksum=0");
                }
            }
            case IpProtocol.ICMP, IpProtocol.ICMPV6 -> {
                if (len < 4) {
                    d.append(" [truncated ICMP]");
                    return;
                }
                IcmpView i = new IcmpView().wrap(s, off);
                d.append(' ').append(IcmpNames.name(v6, i.type(), i.code()));
                boolean echo = v6 ? (i.type() == 128 || i.type() == 129) : (i.type() == 8 || i.type() == 0);
                if (echo && len >= 8) {
                    d.append(" id=").append(i.identifier()).append(" seq=").append(i.sequence());
                }
                if (len >= 8 && !v6 && i.type() == 3 && i.code() == 4) {
                    d.append(" mtu=").append(i.ipv4NextHopMtu());
                }
                if (len >= 8 && v6 && i.type() == 2) {
                    d.append(" mtu=").append(Integer.toUnsignedString(i.ipv6Mtu()));
                }
                boolean error = v6 ? i.type() < 128 : !(echo || i.type() >= 9 && i.type() <= 18);
                int inner = off + IcmpView.HEADER;
                if (error && len > IcmpView.HEADER) {
                    PacketSummary in = of(s, inner, len - IcmpView.HEADER);
                    d.append(" {inner: ").append(in).append('}');
                }
            }
            default -> {
                // other protocols: nothing more to say
            }
        }
    }

    private static String tcpFlags(int f) {
        StringBuilder b = new StringBuilder();
        if ((f & TcpView.SYN) != 0) {
            b.append('S');
        }
        if ((f & TcpView.FIN) != 0) {
            b.append('F');
        }
        if ((f & TcpView.RST) != 0) {
            b.append('R');
        }
        if ((f & TcpView.PSH) != 0) {
            b.append('P');
        }
        if ((f & TcpView.ACK) != 0) {
            b.append('.');
        }
        return b.isEmpty() ? "none" : b.toString();
    }

    @Override
    public String toString() {
        if (source.isEmpty()) {
            return family + " " + detail + " len=" + length;
        }
        return family + " " + source + " > " + destination + " " + protocol + " " + detail + " len=" + length;
    }
}
