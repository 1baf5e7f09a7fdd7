package dev.isthmus.wire.pcap;

/**
 * Link-layer header types of capture files (the tcpdump.org LINKTYPE registry, which
 * draft-ietf-opsawg-pcaplinktype turns into an IANA registry) that {@link CaptureReader} decodes
 * down to the IP packet, plus the old DLT values still found in files.
 *
 * <p>A LINKTYPE value is what a file stores; a DLT value is what one operating system's capture API
 * used, and for a few types they differ between systems. libpcap writes the LINKTYPE value, but
 * files written by old or foreign tools carry the raw-IP DLT values 12 and 14 directly, so the
 * reader accepts those as raw IP too.
 */
public final class LinkType {
    /** BSD loopback: a 4-byte address family in the capturing host's byte order, then the packet. */
    public static final int NULL = 0;
    /** Ethernet II (or 802.3) frame without preamble and, normally, without FCS. */
    public static final int ETHERNET = 1;
    /** DLT_RAW on most systems (raw IP, version taken from the first nibble). */
    public static final int DLT_RAW_12 = 12;
    /** DLT_RAW on OpenBSD (raw IP, version taken from the first nibble). */
    public static final int DLT_RAW_14 = 14;
    /** Raw IP: the packet starts with an IPv4 or IPv6 header, told apart by the version nibble. */
    public static final int RAW = 101;
    /** OpenBSD loopback: like {@link #NULL} but the address family is in network byte order. */
    public static final int LOOP = 108;
    /** Linux "cooked" capture v1, 16-byte header ({@code tcpdump -i any} before libpcap 1.10). */
    public static final int LINUX_SLL = 113;
    /** Raw IPv4, no link-layer header. */
    public static final int IPV4 = 228;
    /** Raw IPv6, no link-layer header. */
    public static final int IPV6 = 229;
    /** Linux "cooked" capture v2, 20-byte header ({@code tcpdump -i any} from libpcap 1.10). */
    public static final int LINUX_SLL2 = 276;

    private LinkType() {}

    /** True for the link types whose frames {@link CaptureReader} can decode to an IP packet. */
    public static boolean isSupported(int linkType) {
        return switch (linkType) {
            case NULL, ETHERNET, DLT_RAW_12, DLT_RAW_14, RAW, LOOP, LINUX_SLL, IPV4, IPV6, LINUX_SLL2 -> true;
            default -> false;
        };
    }

    /** The registry name ({@code LINKTYPE_ETHERNET}), or {@code LINKTYPE_<n>} for one not known here. */
    public static String name(int linkType) {
        return switch (linkType) {
            case NULL -> "LINKTYPE_NULL";
            case ETHERNET -> "LINKTYPE_ETHERNET";
            case DLT_RAW_12, DLT_RAW_14 -> "DLT_RAW(" + linkType + ")";
            case RAW -> "LINKTYPE_RAW";
            case LOOP -> "LINKTYPE_LOOP";
            case LINUX_SLL -> "LINKTYPE_LINUX_SLL";
            case IPV4 -> "LINKTYPE_IPV4";
            case IPV6 -> "LINKTYPE_IPV6";
            case LINUX_SLL2 -> "LINKTYPE_LINUX_SLL2";
            default -> "LINKTYPE_" + linkType;
        };
    }
}
