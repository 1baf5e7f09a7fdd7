package dev.isthmus.alg.sip;

import java.net.InetAddress;

/**
 * A unicast {@code c=IN IP4|IP6 address} (RFC 8866 §5.7), also the tail of {@code a=rtcp}
 * (RFC 3605 §2.1). The relay needs a literal it can send to: a name (RFC 8866 allows an FQDN)
 * is refused rather than resolved here, and the multicast forms ({@code addr/ttl[/count]} for
 * IPv4, {@code addr[/count]} for IPv6) are refused with their own reason: a unicast relay
 * cannot carry them.
 *
 * @param address an {@link java.net.Inet4Address} for IP4, an {@link java.net.Inet6Address} for IP6
 */
public record SdpConnection(InetAddress address) {

    static SdpConnection parse(String value) throws SdpException {
        String[] f = SdpFields.split(value);
        if (f == null || f.length != 3) {
            throw new SdpException(SdpException.Reason.BAD_CONNECTION, "not three fields: " + SdpFields.quote(value));
        }
        if (!f[0].equals("IN") || !(f[1].equals("IP4") || f[1].equals("IP6"))) {
            throw new SdpException(SdpException.Reason.UNSUPPORTED_NETWORK, f[0] + " " + f[1]);
        }
        boolean ipv6 = f[1].equals("IP6");
        if (f[2].indexOf('/') >= 0) {
            throw new SdpException(SdpException.Reason.MULTICAST, "TTL/count form " + SdpFields.quote(f[2]));
        }
        InetAddress a = SdpFields.literal(f[2], ipv6);
        if (a == null) {
            throw new SdpException(SdpException.Reason.BAD_CONNECTION, "not an " + f[1] + " literal: " + SdpFields.quote(f[2]));
        }
        if (a.isMulticastAddress()) {
            throw new SdpException(SdpException.Reason.MULTICAST, f[2]);
        }
        return new SdpConnection(a);
    }

    /** RFC 3264 §8.4 and RFC 2543: {@code 0.0.0.0} (or {@code ::}) puts the stream on hold. */
    public boolean hold() {
        return address.isAnyLocalAddress();
    }

    /** The value after {@code c=}. */
    String format() {
        return "IN " + SdpFields.addrtype(address) + " " + SdpFields.text(address);
    }
}
