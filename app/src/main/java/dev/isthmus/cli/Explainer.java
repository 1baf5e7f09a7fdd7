package dev.isthmus.cli;

import dev.isthmus.addr.EamTable;
import dev.isthmus.nat.NatProtocol;
import dev.isthmus.nat.NatResult;
import dev.isthmus.nat.NatVerdict;
import dev.isthmus.wire.BigEndian;
import dev.isthmus.wire.IcmpView;
import dev.isthmus.wire.IpProtocol;
import dev.isthmus.wire.Ipv4Address;
import dev.isthmus.wire.Ipv4View;
import dev.isthmus.wire.Ipv6Address;
import dev.isthmus.wire.Ipv6View;
import dev.isthmus.wire.PacketSink;
import dev.isthmus.wire.PacketSummary;
import dev.isthmus.wire.TcpView;
import dev.isthmus.wire.pcap.LinkType;
import dev.isthmus.wire.pcap.SkipReason;
import dev.isthmus.xlat.MappingKind;
import dev.isthmus.xlat.Trace;
import dev.isthmus.xlat.Verdict;
import dev.isthmus.xlat.XlatSettings;
import java.io.PrintWriter;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code --explain}: one line per input record saying what it was, which mapping rule applied,
 * the verdict, and what came out (or why nothing did); a record that is not an IP packet gets
 * a line saying why it was skipped, and a packet the NAT64's timers originate one saying which
 * timer sent it. Text for people, JSON lines for tools. Explaining allocates freely; it is off
 * the fast path by definition.
 */
final class Explainer {
    enum Format { TEXT, JSON }

    private final Format format;
    private final PrintWriter out;
    private final XlatSettings settings;
    private final boolean nat64;
    private final List<PacketSummary> outputs = new ArrayList<>();
    private PacketSummary input;
    private long record;
    /** The input when it is an IPv4 SYN, else null: the table may hold it (RFC 5382 REQ-4). */
    private SynKey inputSyn;
    /** The records of the SYNs the table held, until their ICMPv4 3/3 names them. */
    private final Map<SynKey, Long> heldSyns = new HashMap<>();

    /** An IPv4 TCP SYN's addresses and ports: what the ICMP error about it quotes. */
    private record SynKey(int source, int destination, int sourcePort, int destinationPort) {}

    Explainer(Format format, PrintWriter out, XlatSettings settings) {
        this(format, out, settings, false);
    }

    /** @param nat64 the translation is stateful NAT64 (its X'↔T mapping shows as a BIB entry) */
    Explainer(Format format, PrintWriter out, XlatSettings settings, boolean nat64) {
        this.format = format;
        this.out = out;
        this.settings = settings;
        this.nat64 = nat64;
    }

    /** Describes the input before the translator rewrites it in place. */
    void before(long recordNumber, MemorySegment s, int off, int len) {
        record = recordNumber;
        input = PacketSummary.of(s, off, len);
        inputSyn = ipv4Tcp(s, off, len, true);
        outputs.clear();
    }

    /** Wraps the real sink so every output packet is described too. */
    PacketSink tap(PacketSink next) {
        return (seg, off, len) -> {
            outputs.add(PacketSummary.of(seg, off, len));
            next.emit(seg, off, len);
        };
    }

    void after(Trace t) {
        after(t, null);
    }

    /**
     * As {@link #after(Trace)} for a stateful NAT64 translation: {@code nat} is the table's answer
     * (null when the packet never reached the table), named with its BIB entry and session.
     */
    void after(Trace t, NatResult nat) {
        after(t, nat, "");
    }

    /**
     * As {@link #after(Trace, NatResult)} with what the NAT64's FTP ALG did to the packet
     * ({@code alg}, e.g. "ftp-alg: EPSV → PASV"; empty when nothing).
     */
    void after(Trace t, NatResult nat, String alg) {
        if (nat != null && nat.verdict() == NatVerdict.SYN_STORED && inputSyn != null) {
            heldSyns.put(inputSyn, record);
        }
        if (format == Format.JSON) {
            json(t, nat, alg);
        } else {
            text(t, nat, alg);
        }
    }

    /**
     * A record the capture reader passed over: {@code #4 skipped: not-ip (…), LINKTYPE_ETHERNET,
     * 42 bytes}, so that every record of the input has its line.
     */
    void skipped(long recordNumber, SkipReason reason, int linkType, int capturedLength) {
        String why = skipDescription(reason, linkType);
        if (format == Format.JSON) {
            out.println("{\"record\":" + recordNumber + ",\"verdict\":\"skipped\",\"reason\":"
                    + Json.str(skipKey(reason)) + ",\"description\":" + Json.str(why) + ",\"link_type\":"
                    + Json.str(LinkType.name(linkType)) + ",\"captured_length\":" + capturedLength + "}");
        } else {
            out.println("#" + recordNumber + " skipped: " + skipKey(reason) + " (" + why + "), "
                    + LinkType.name(linkType) + ", " + capturedLength + " bytes");
        }
    }

    static String skipKey(SkipReason r) {
        return r.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static String skipDescription(SkipReason r, int linkType) {
        return switch (r) {
            case NOT_IP -> "the frame carries neither IPv4 nor IPv6, e.g. ARP or LLDP";
            case LINK_HEADER_TRUNCATED -> "the captured bytes end inside the link-layer header";
            case UNSUPPORTED_LINK_TYPE -> LinkType.name(linkType) + " frames are not decoded";
            case TOO_LARGE_FOR_BUFFER -> "the IP packet is larger than the translator's buffer";
        };
    }

    /**
     * A packet the NAT64's timers originated (written into the output at the sweep's time):
     * {@code timer: ICMPv4 3/3 for the SYN held since #3 (RFC 5382 REQ-4) -> IPv4 …}.
     */
    void timer(MemorySegment s, int off, int len) {
        PacketSummary p = PacketSummary.of(s, off, len);
        String kind;
        String what;
        Long heldSince = null;
        int version = len < 1 ? 0 : BigEndian.u8(s, off) >>> 4;
        if (version == 4 && isPortUnreachable(s, off, len)) {
            // RFC 5382 REQ-4: the error quotes the SYN, which names the record that brought it.
            SynKey syn = ipv4Tcp(s, off + Ipv4View.MIN_HEADER + IcmpView.HEADER, len - Ipv4View.MIN_HEADER - IcmpView.HEADER, false);
            heldSince = syn == null ? null : heldSyns.remove(syn);
            kind = "syn-unreachable";
            what = "ICMPv4 3/3 for " + (heldSince == null ? "a held SYN" : "the SYN held since #" + heldSince)
                    + " (RFC 5382 REQ-4)";
        } else if (version == 6 && len > Ipv6View.HEADER && BigEndian.u8(s, off + 6) == IpProtocol.TCP) {
            kind = "probe";
            what = "TCP probe of an idle ESTABLISHED session (RFC 6146 §3.5.2.2)";
        } else {
            kind = "other";
            what = "packet originated by the NAT64 timers";
        }
        if (format == Format.JSON) {
            StringBuilder b = new StringBuilder(256).append("{\"timer\":").append(Json.str(kind))
                    .append(",\"held_since\":").append(heldSince == null ? "null" : heldSince.toString())
                    .append(",\"description\":").append(Json.str(what)).append(",\"out\":[");
            summary(b, p);
            out.println(b.append("]}"));
        } else {
            out.println("timer: " + what + " -> " + p);
        }
    }

    /** ICMPv4 Destination Unreachable, Port Unreachable (RFC 792 type 3, code 3). */
    private static boolean isPortUnreachable(MemorySegment s, int off, int len) {
        return len >= Ipv4View.MIN_HEADER + IcmpView.HEADER && (BigEndian.u8(s, off) & 0xf) * 4 == Ipv4View.MIN_HEADER
                && BigEndian.u8(s, off + 9) == IpProtocol.ICMP && BigEndian.u8(s, off + Ipv4View.MIN_HEADER) == 3
                && BigEndian.u8(s, off + Ipv4View.MIN_HEADER + 1) == 3;
    }

    /**
     * The addresses and ports of an IPv4 TCP segment (the first fragment or a whole packet), or
     * null; with {@code synOnly}, only of a SYN without ACK (one the NAT64 may hold).
     */
    private static SynKey ipv4Tcp(MemorySegment s, int off, int len, boolean synOnly) {
        if (len < Ipv4View.MIN_HEADER || BigEndian.u8(s, off) >>> 4 != 4) {
            return null;
        }
        int ihl = (BigEndian.u8(s, off) & 0xf) * 4;
        int need = synOnly ? TcpView.MIN_HEADER : 4;
        if (ihl < Ipv4View.MIN_HEADER || len < ihl + need || BigEndian.u8(s, off + 9) != IpProtocol.TCP
                || (BigEndian.u16(s, off + 6) & 0x1fff) != 0) {
            return null;
        }
        int tcp = off + ihl;
        if (synOnly && (BigEndian.u8(s, tcp + 13) & (TcpView.SYN | TcpView.ACK)) != TcpView.SYN) {
            return null;
        }
        return new SynKey(BigEndian.u32(s, off + 12), BigEndian.u32(s, off + 16), BigEndian.u16(s, tcp),
                BigEndian.u16(s, tcp + 2));
    }

    /** "udp [2001:db8::2]:40000 <-> 192.0.2.2:40416 (new), session to 198.51.100.2:53 (new)". */
    static String natText(NatResult r) {
        if (r.verdict() != NatVerdict.OK) {
            return "refused by the table: " + r.verdict().name().toLowerCase(Locale.ROOT).replace('_', '-') + " ("
                    + r.verdict().description() + ")";
        }
        StringBuilder b = new StringBuilder("BIB ").append(r.protocol().key()).append(" [")
                .append(Ipv6Address.format(r.x6Hi(), r.x6Lo())).append("]:").append(r.x6Port()).append(" <-> ")
                .append(Ipv4Address.format(r.t4())).append(':').append(r.t4Port())
                .append(r.bibCreated() ? " (new)" : "");
        if (r.stateless()) {
            b.append(", no session (TCP without state, RFC 6146 §3.5.2.2)");
        } else {
            b.append(", session with ").append(Ipv4Address.format(r.z4())).append(':').append(r.z4Port())
                    .append(r.sessionCreated() ? " (new)" : "");
            if (r.protocol() == NatProtocol.TCP) {
                b.append(' ').append(r.state().label());
            }
        }
        return b.toString();
    }

    private void text(Trace t, NatResult nat, String alg) {
        StringBuilder b = new StringBuilder(256);
        b.append('#').append(record).append(' ').append(input);
        String src = mapping(t.sourceMapping(), t.sourceEam());
        String dst = mapping(t.destinationMapping(), t.destinationEam());
        if (!src.isEmpty() || !dst.isEmpty()) {
            b.append(" | src ").append(src.isEmpty() ? "-" : src).append(", dst ").append(dst.isEmpty() ? "-" : dst);
        }
        if (nat != null) {
            b.append(" | nat64 ").append(natText(nat));
        }
        if (!alg.isEmpty()) {
            b.append(" | ").append(alg);
        }
        if (t.hairpinned()) {
            b.append(nat != null ? " | hairpinned (RFC 6146 §3.8)" : " | hairpinned (RFC 7757 §4.2)");
        }
        switch (t.verdict()) {
            case TRANSLATED -> b.append(" | translated");
            case ICMP_ERROR -> b.append(" | dropped: ").append(t.reason().key()).append(" (")
                    .append(t.reason().description()).append("), ICMP error sent");
            case DROPPED -> b.append(" | dropped: ").append(t.reason().key()).append(" (")
                    .append(t.reason().description()).append(')');
        }
        for (int i = 0; i < outputs.size(); i++) {
            b.append(i == 0 ? " -> " : " ; ").append(outputs.get(i));
        }
        out.println(b);
    }

    private void json(Trace t, NatResult nat, String alg) {
        StringBuilder b = new StringBuilder(384);
        b.append("{\"record\":").append(record);
        b.append(",\"in\":");
        summary(b, input);
        b.append(",\"verdict\":").append(Json.str(t.verdict().name().toLowerCase(Locale.ROOT).replace('_', '-')));
        b.append(",\"reason\":").append(t.verdict() == Verdict.TRANSLATED ? "null" : Json.str(t.reason().key()));
        b.append(",\"source_mapping\":").append(Json.str(mapping(t.sourceMapping(), t.sourceEam())));
        b.append(",\"destination_mapping\":").append(Json.str(mapping(t.destinationMapping(), t.destinationEam())));
        b.append(",\"hairpinned\":").append(t.hairpinned());
        if (nat != null) {
            b.append(",\"nat64\":").append(Json.str(natText(nat)));
        }
        if (!alg.isEmpty()) {
            b.append(",\"ftp_alg\":").append(Json.str(alg));
        }
        b.append(",\"out\":[");
        for (int i = 0; i < outputs.size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            summary(b, outputs.get(i));
        }
        b.append("]}");
        out.println(b);
    }

    private static void summary(StringBuilder b, PacketSummary p) {
        b.append("{\"family\":").append(Json.str(p.family()))
                .append(",\"src\":").append(Json.str(p.source()))
                .append(",\"dst\":").append(Json.str(p.destination()))
                .append(",\"protocol\":").append(Json.str(p.protocol()))
                .append(",\"detail\":").append(Json.str(p.detail()))
                .append(",\"length\":").append(p.length()).append('}');
    }

    private String mapping(MappingKind kind, int eamIndex) {
        return switch (kind) {
            case NONE -> "";
            case POOL6 -> "pool6 " + settings.pool6().prefix();
            case EAM -> {
                EamTable.Eam e = settings.eam().entry(eamIndex);
                yield "EAM #" + eamIndex + " " + e.ipv6() + " <-> " + e.ipv4();
            }
            case RFC6791 -> "RFC 6791 address (untranslatable ICMP error source)";
            case OWN -> "translator's own address";
            case DYNAMIC -> settings.eam().isEmpty() && nat64 ? "NAT64 BIB entry" : "dynamic pool binding";
        };
    }
}
