package dev.isthmus.alg.sip;

/**
 * {@code a=rtcp:port [nettype addrtype address]} (RFC 3605 §2.1): where the stream's RTCP
 * goes when it is not the RTP port plus one.
 *
 * @param connection the address, or null when the attribute names only a port (the stream's
 *     {@code c=} address then applies)
 */
public record SdpRtcp(int port, SdpConnection connection) {
    static final String PREFIX = "a=rtcp:";

    static SdpRtcp parse(String value) throws SdpException {
        int sp = value.indexOf(' ');
        int port = SdpFields.port(sp < 0 ? value : value.substring(0, sp));
        if (port < 0) {
            throw new SdpException(SdpException.Reason.BAD_RTCP, SdpFields.quote(value));
        }
        return new SdpRtcp(port, sp < 0 ? null : SdpConnection.parse(value.substring(sp + 1)));
    }

    /** The value after {@code a=rtcp:}. */
    String format() {
        return connection == null ? Integer.toString(port) : port + " " + connection.format();
    }
}
