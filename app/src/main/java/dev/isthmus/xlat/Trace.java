package dev.isthmus.xlat;

/**
 * What the translator decided for the last packet: the verdict, the drop reason and which
 * mapping rules it used. Rewritten for every packet (a few field stores, no allocation) so that
 * {@code --explain} and tests can ask why.
 */
public final class Trace {
    Verdict verdict;
    DropReason reason = DropReason.NONE;
    MappingKind source = MappingKind.NONE;
    int sourceEam = -1;
    MappingKind destination = MappingKind.NONE;
    int destinationEam = -1;
    boolean hairpinned;
    int outputs;

    void reset() {
        verdict = null;
        reason = DropReason.NONE;
        source = MappingKind.NONE;
        sourceEam = -1;
        destination = MappingKind.NONE;
        destinationEam = -1;
        hairpinned = false;
        outputs = 0;
    }

    void source(MappingKind kind, int eam) {
        source = kind;
        sourceEam = eam;
    }

    void destination(MappingKind kind, int eam) {
        destination = kind;
        destinationEam = eam;
    }

    public Verdict verdict() {
        return verdict;
    }

    public DropReason reason() {
        return reason;
    }

    public MappingKind sourceMapping() {
        return source;
    }

    /** Index of the EAM entry that mapped the source, or -1. */
    public int sourceEam() {
        return sourceEam;
    }

    public MappingKind destinationMapping() {
        return destination;
    }

    public int destinationEam() {
        return destinationEam;
    }

    public boolean hairpinned() {
        return hairpinned;
    }

    /** Packets handed to the sink for this input (fragments and originated errors included). */
    public int outputs() {
        return outputs;
    }
}
