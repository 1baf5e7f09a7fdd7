package dev.isthmus.alg.sip;

/** A stream's direction attribute (RFC 8866 §6.7); absent at both levels means sendrecv. */
public enum SdpDirection {
    SENDRECV, SENDONLY, RECVONLY, INACTIVE;

    /** The direction an attribute name stands for, or null when it names none. */
    static SdpDirection ofAttribute(String name) {
        return switch (name) {
            case "sendrecv" -> SENDRECV;
            case "sendonly" -> SENDONLY;
            case "recvonly" -> RECVONLY;
            case "inactive" -> INACTIVE;
            default -> null;
        };
    }
}
