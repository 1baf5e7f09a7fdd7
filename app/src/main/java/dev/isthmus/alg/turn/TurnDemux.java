package dev.isthmus.alg.turn;

/**
 * What arrived on a TURN port, by its first byte (RFC 7983 §7, as RFC 8656 §12 places
 * ChannelData in it): 0-3 STUN, 20-63 DTLS (TURN over DTLS, RFC 8656 §3.1), 64-79 ChannelData.
 * The two top bits alone (00 STUN, 01 ChannelData, RFC 8656 §12) would take 4-19 and 80-127 too,
 * where RFC 7983 puts ZRTP and nothing: those are {@link #OTHER}, to drop.
 */
public enum TurnDemux {
    STUN,
    DTLS,
    CHANNEL_DATA,
    OTHER;

    /** The kind of a packet whose first byte is {@code firstByte} (0-255). */
    public static TurnDemux classify(int firstByte) {
        if (firstByte >= 0 && firstByte <= 3) {
            return STUN;
        }
        if (firstByte >= 20 && firstByte <= 63) {
            return DTLS;
        }
        if (firstByte >= 64 && firstByte <= 79) {
            return CHANNEL_DATA;
        }
        return OTHER;
    }
}
