package dev.isthmus.wire.pcap;

/**
 * Why {@link CaptureReader#next} passed over a well-formed record instead of returning it.
 *
 * <p>None of these is an error in the file: a capture legitimately holds ARP, LLDP or frames from
 * an interface of another link type. Each has a counter ({@link CaptureReader#skipped}) so the
 * offline translator can say where the missing packets went.
 */
public enum SkipReason {
    /** The frame carries something other than IPv4 or IPv6 (ARP, LLDP, netlink, an unknown version). */
    NOT_IP,
    /** The captured bytes end inside the link-layer header, so the payload type is unknown. */
    LINK_HEADER_TRUNCATED,
    /** The file or interface uses a link type this reader does not decode ({@link LinkType#isSupported}). */
    UNSUPPORTED_LINK_TYPE,
    /** The IP packet does not fit behind the headroom of the caller's {@code PacketBuffer}. */
    TOO_LARGE_FOR_BUFFER
}
