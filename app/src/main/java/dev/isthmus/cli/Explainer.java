package dev.isthmus.cli;

import dev.isthmus.addr.EamTable;
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
    private final List<PacketSummary> outputs = new ArrayList<>();
    private PacketSummary input;
    private long record;

    Explainer(Format format, PrintWriter out, XlatSettings settings) {
        this.format = format;
        this.out = out;
        this.settings = settings;
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
        if (format == Format.JSON) {
            json(t);
        } else {
            text(t);
        }
    }

    private void text(Trace t) {
        StringBuilder b = new StringBuilder(256);
        b.append('#').append(record).append(' ').append(input);
        String src = mapping(t.sourceMapping(), t.sourceEam());
        String dst = mapping(t.destinationMapping(), t.destinationEam());
        if (!src.isEmpty() || !dst.isEmpty()) {
            b.append(" | src ").append(src.isEmpty() ? "-" : src).append(", dst ").append(dst.isEmpty() ? "-" : dst);
        }
        if (t.hairpinned()) {
            b.append(" | hairpinned (RFC 7757 §4.2)");
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

    private void json(Trace t) {
        StringBuilder b = new StringBuilder(384);
        b.append("{\"record\":").append(record);
        b.append(",\"in\":");
        summary(b, input);
        b.append(",\"verdict\":").append(Json.str(t.verdict().name().toLowerCase(Locale.ROOT).replace('_', '-')));
        b.append(",\"reason\":").append(t.verdict() == Verdict.TRANSLATED ? "null" : Json.str(t.reason().key()));
        b.append(",\"source_mapping\":").append(Json.str(mapping(t.sourceMapping(), t.sourceEam())));
        b.append(",\"destination_mapping\":").append(Json.str(mapping(t.destinationMapping(), t.destinationEam())));
        b.append(",\"hairpinned\":").append(t.hairpinned());
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
            case DYNAMIC -> "dynamic pool binding";
        };
    }
}
