package dev.isthmus.alg.sip;

import java.net.InetAddress;

/**
 * {@code o=username sess-id sess-version nettype addrtype unicast-address} (RFC 8866 §5.2).
 * The address is kept as text: stacks write names, private or stale addresses there, and the
 * relay overwrites it with its own anyway, so only the field count and the two numbers are
 * checked.
 */
public record SdpOrigin(String username, String sessionId, String version, String nettype, String addrtype,
        String address) {

    static SdpOrigin parse(String value) throws SdpException {
        String[] f = SdpFields.split(value);
        if (f == null || f.length != 6 || !SdpFields.digits(f[1]) || !SdpFields.digits(f[2])) {
            throw new SdpException(SdpException.Reason.BAD_ORIGIN, SdpFields.quote(value));
        }
        return new SdpOrigin(f[0], f[1], f[2], f[3], f[4], f[5]);
    }

    /** This origin with the relay's address: nettype IN and the address's addrtype. */
    SdpOrigin withAddress(InetAddress a) {
        return new SdpOrigin(username, sessionId, version, "IN", SdpFields.addrtype(a), SdpFields.text(a));
    }

    SdpOrigin withVersion(String v) {
        return new SdpOrigin(username, sessionId, v, nettype, addrtype, address);
    }

    /** The value after {@code o=}. */
    String format() {
        return String.join(" ", username, sessionId, version, nettype, addrtype, address);
    }
}
