package dev.isthmus.xlat;

/** Which rule translated an address (for {@code --explain} and logs). */
public enum MappingKind {
    NONE,
    /** RFC 6052 embedding in pool6. */
    POOL6,
    /** An explicit address mapping, RFC 7757; the trace carries its index. */
    EAM,
    /** RFC 6791 address for an ICMP error from an untranslatable source. */
    RFC6791,
    /** The translator's own address (source of an error it originated). */
    OWN,
    /** A binding of the dynamic address pool ({@link DynamicBindings}, NAT-PT style, address only). */
    DYNAMIC
}
