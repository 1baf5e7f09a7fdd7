package dev.isthmus.xlat;

/** Translation paths that have their own counter (direction × what was translated). */
public enum Path {
    TCP_64, UDP_64, ICMP_INFO_64, ICMP_ERROR_64, OTHER_64, FRAGMENT_64,
    TCP_46, UDP_46, ICMP_INFO_46, ICMP_ERROR_46, OTHER_46, FRAGMENT_46,
    HAIRPIN,
    /** ICMP errors the translator itself originated. */
    ORIGINATED_ICMPV4, ORIGINATED_ICMPV6,
    ICMP_ERROR_RATE_LIMITED;

    public String key() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
