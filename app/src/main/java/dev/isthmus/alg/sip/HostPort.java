package dev.isthmus.alg.sip;

import dev.isthmus.alg.sip.SipParseException.Reason;
import dev.isthmus.wire.Ipv6Address;

/**
 * RFC 3261 §25.1 {@code hostport}: a host name, an IPv4 address or a bracketed IPv6 reference, and
 * an optional port. {@code host} is as written, without the brackets of an IPv6 reference, whose
 * address is {@code ipv6} (null otherwise); {@code port} is -1 when absent.
 */
record HostPort(String host, Ipv6Address ipv6, int port) {
    /** Longest host name: RFC 1035 §2.3.4 allows 255 octets. */
    static final int MAX_HOST_LENGTH = 255;

    /**
     * Reads {@code host[:port]}. RFC 5118 §4.2: an IPv6 address without brackets is refused (its
     * colons would be read as a port); §4.3: {@code [2001:db8::10:5070]} is an address, not a port.
     * A zone index ({@code %eth0}) is not in the grammar of an IPv6reference and is refused.
     */
    static HostPort parse(String s, Reason reason) throws SipParseException {
        String host;
        Ipv6Address ipv6 = null;
        String portText = null;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                throw new SipParseException(reason, "unterminated IPv6 reference");
            }
            host = s.substring(1, close);
            ipv6 = ipv6(host, reason);
            String rest = s.substring(close + 1);
            if (!rest.isEmpty()) {
                if (rest.charAt(0) != ':') {
                    throw new SipParseException(reason, "text after an IPv6 reference");
                }
                portText = rest.substring(1);
            }
        } else {
            int colon = s.indexOf(':');
            host = colon < 0 ? s : s.substring(0, colon);
            portText = colon < 0 ? null : s.substring(colon + 1);
            if (!isHostname(host) && !isIpv4(host)) {
                throw new SipParseException(reason, "not a host name or IPv4 address");
            }
        }
        int port = -1;
        if (portText != null) {
            port = (int) SipText.boundedNumber(portText, 65535);
            if (port < 0) {
                throw new SipParseException(reason, "bad port");
            }
        }
        return new HostPort(host, ipv6, port);
    }

    static Ipv6Address ipv6(String text, Reason reason) throws SipParseException {
        try {
            return Ipv6Address.parse(text);
        } catch (IllegalArgumentException e) {
            throw new SipParseException(reason, "bad IPv6 address");
        }
    }

    /** {@code hostname = *( domainlabel "." ) toplabel [ "." ]}, the top label starting with a letter. */
    static boolean isHostname(String s) {
        if (s.isEmpty() || s.length() > MAX_HOST_LENGTH) {
            return false;
        }
        String body = s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
        String[] labels = body.split("\\.", -1);
        for (String label : labels) {
            if (label.isEmpty() || label.charAt(0) == '-' || label.charAt(label.length() - 1) == '-') {
                return false;
            }
            for (int i = 0; i < label.length(); i++) {
                char c = label.charAt(i);
                if (!SipText.isAlphanum(c) && c != '-') {
                    return false;
                }
            }
        }
        char top = labels[labels.length - 1].charAt(0);
        return top >= 'a' && top <= 'z' || top >= 'A' && top <= 'Z';
    }

    /** {@code IPv4address = 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT}, each at most 255. */
    static boolean isIpv4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (p.length() > 3 || SipText.boundedNumber(p, 255) < 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        String h = ipv6 == null ? host : "[" + host + "]";
        return port < 0 ? h : h + ":" + port;
    }
}
