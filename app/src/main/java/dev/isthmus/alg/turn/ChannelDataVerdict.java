package dev.isthmus.alg.turn;

/** What {@link ChannelDataView#check} found. */
public enum ChannelDataVerdict {
    OK,
    /** Fewer than the 4 header bytes. */
    TOO_SHORT,
    /**
     * The number is outside 0x4000-0x4FFF (RFC 8656 §12: 0x5000-0xFFFF are reserved, to stay
     * clear of RTP, RTCP and DTLS on one port, RFC 7983) or the first two bits are not 01.
     */
    NOT_A_CHANNEL,
    /**
     * Fewer bytes than the length says (with padding, over a stream): over UDP a truncated
     * datagram to drop; over TCP or TLS, wait for more bytes.
     */
    INCOMPLETE,
}
