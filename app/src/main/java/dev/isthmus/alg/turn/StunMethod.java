package dev.isthmus.alg.turn;

/**
 * STUN methods (RFC 8489 §18.2, RFC 8656 §17): 12-bit numbers, kept as {@code int} so that a
 * message with a method we do not implement still decodes and can be answered.
 */
public final class StunMethod {
    public static final int BINDING = 0x001;
    public static final int ALLOCATE = 0x003;
    public static final int REFRESH = 0x004;
    public static final int SEND = 0x006;
    public static final int DATA = 0x007;
    public static final int CREATE_PERMISSION = 0x008;
    public static final int CHANNEL_BIND = 0x009;

    /** The method field is 12 bits wide (RFC 8489 §5). */
    public static final int MAX = 0xFFF;

    private StunMethod() {}

    /** The RFC's name of {@code method}, or its number in hex. */
    public static String name(int method) {
        return switch (method) {
            case BINDING -> "Binding";
            case ALLOCATE -> "Allocate";
            case REFRESH -> "Refresh";
            case SEND -> "Send";
            case DATA -> "Data";
            case CREATE_PERMISSION -> "CreatePermission";
            case CHANNEL_BIND -> "ChannelBind";
            default -> String.format("0x%03x", method);
        };
    }

    /**
     * The message type field (RFC 8489 §5, figure 3): the method's bits M11..M0 interleaved with
     * the class bits C1 (bit 8) and C0 (bit 4); the two top bits stay zero.
     */
    static int messageType(int method, StunClass cls) {
        int c = cls.bits();
        return (method & 0x00F) | (method & 0x070) << 1 | (method & 0xF80) << 2
                | (c & 1) << 4 | (c & 2) << 7;
    }

    /** The method of a message type, inverse of {@link #messageType}. */
    static int methodOf(int type) {
        return (type & 0x000F) | (type & 0x00E0) >> 1 | (type & 0x3E00) >> 2;
    }

    /** The class of a message type, inverse of {@link #messageType}. */
    static StunClass classOf(int type) {
        return StunClass.ofBits((type >> 4 & 1) | (type >> 7 & 2));
    }
}
