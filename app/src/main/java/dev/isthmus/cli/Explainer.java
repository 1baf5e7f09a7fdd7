package dev.isthmus.cli;

import dev.isthmus.addr.EamTable;
import dev.isthmus.nat.NatProtocol;
import dev.isthmus.nat.NatResult;
import dev.isthmus.nat.NatVerdict;
import dev.isthmus.wire.Ipv4Address;
import dev.isthmus.wire.Ipv6Address;
import dev.isthmus.wire.PacketSink;
import dev.isthmus.wire.PacketSummary;
import dev.isthmus.xlat.MappingKind;
import dev.isthmus.xlat.Trace;
import dev.isthmus.xlat.Verdict;
import dev.isthmus.xlat.XlatSettings;
import java.io.PrintWriter;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code --explain}: one line per input packet saying what it was, which mapping rule applied,
 * the verdict, and what came out (or why nothing did). Text for people, JSON lines for tools.
 * Explaining allocates freely; it is off the fast path by definition.
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
        if (format == Format.JSON) {
            json(t, nat);
        } else {
            text(t, nat);
        }
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

    private void text(Trace t, NatResult nat) {
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

    private void json(Trace t, NatResult nat) {
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
