package dev.isthmus.alg.sip;

import dev.isthmus.alg.sip.SipParseException.Reason;
import dev.isthmus.wire.Ipv6Address;
import java.util.ArrayList;
import java.util.List;

/**
 * One {@code via-parm} of a Via header (RFC 3261 §20.42, grammar §25.1):
 * {@code SIP/2.0/UDP host:port;branch=z9hG4bK...;received=...;rport=...}, white space allowed
 * around {@code /}, {@code :}, {@code ;} and {@code =} (SWS). The sent-by host may be a bracketed
 * IPv6 reference; {@code rport} may stand without a value (RFC 3581 §3). The text is kept as
 * given, so {@link #toString} writes it back unchanged.
 */
public final class Via {
    /** The branch of every RFC 3261 transaction starts with this cookie (§8.1.1.7). */
    public static final String MAGIC_COOKIE = "z9hG4bK";

    private final String text;
    private final String protocol;
    private final String version;
    private final String transport;
    private final HostPort sentBy;
    private final List<SipParam> params;

    private Via(String text, String protocol, String version, String transport, HostPort sentBy, List<SipParam> params) {
        this.text = text;
        this.protocol = protocol;
        this.version = version;
        this.transport = transport;
        this.sentBy = sentBy;
        this.params = params;
    }

    /** Reads one via-parm, unfolded (see {@link SipText#unfold}) and without the commas of its list. */
    public static Via parse(String text) throws SipParseException {
        Cursor c = new Cursor(text);
        c.skipWsp();
        String protocol = c.token();
        c.expect('/');
        String version = c.token();
        c.expect('/');
        String transport = c.token();
        if (!c.skipWsp()) {
            throw bad("no white space before sent-by");
        }
        int hostStart = c.pos;
        if (c.peek() == '[') {
            int close = text.indexOf(']', c.pos);
            if (close < 0) {
                throw bad("unterminated IPv6 reference");
            }
            c.pos = close + 1;
        } else {
            while (c.more() && (SipText.isAlphanum(c.peek()) || c.peek() == '.' || c.peek() == '-')) {
                c.pos++;
            }
        }
        String host = text.substring(hostStart, c.pos);
        c.skipWsp();
        String hostPort = host;
        if (c.more() && c.peek() == ':') {
            c.pos++;
            c.skipWsp();
            int portStart = c.pos;
            while (c.more() && c.peek() >= '0' && c.peek() <= '9') {
                c.pos++;
            }
            hostPort = host + ":" + text.substring(portStart, c.pos);
            c.skipWsp();
        }
        HostPort sentBy = HostPort.parse(hostPort, Reason.BAD_VIA);
        List<SipParam> params = new ArrayList<>();
        while (c.more()) {
            c.expect(';');
            String name = c.token();
            String value = null;
            c.skipWsp();
            if (c.more() && c.peek() == '=') {
                c.pos++;
                c.skipWsp();
                value = c.paramValue();
                c.skipWsp();
            }
            params.add(new SipParam(name, value));
        }
        Via via = new Via(text, protocol, version, transport, sentBy, List.copyOf(params));
        via.checkParams();
        return via;
    }

    /**
     * A Via for this proxy's own hop: {@code SIP/2.0/TRANSPORT host:port;branch=BRANCH}; an IPv6
     * host (text with a colon) is written in brackets in RFC 5952 form.
     */
    public static Via of(String transport, String host, int port, String branch) {
        String h = host.indexOf(':') >= 0 ? "[" + Ipv6Address.parse(host) + "]" : host;
        return build("SIP/2.0/" + transport + " " + h + (port < 0 ? "" : ":" + port) + ";branch=" + branch);
    }

    private static Via build(String text) {
        try {
            return parse(text);
        } catch (SipParseException e) {
            throw new IllegalArgumentException("not a Via: " + text, e);
        }
    }

    /** RFC 3261 §20.42 / RFC 3581 §3: the values of the parameters a proxy reads. */
    private void checkParams() throws SipParseException {
        for (SipParam p : params) {
            String v = p.value();
            if (p.is("branch") && (v == null || !SipText.isToken(v))) {
                throw bad("branch is not a token");
            }
            if (p.is("received") && (v == null || !isAddress(v))) {
                throw bad("received is not an address");
            }
            if (p.is("rport") && v != null && SipText.boundedNumber(v, 65535) < 0) {
                throw bad("rport is not a port");
            }
            if (p.is("ttl") && (v == null || SipText.boundedNumber(v, 255) < 0)) {
                throw bad("ttl is not 0-255");
            }
        }
    }

    /**
     * {@code received = IPv4address / IPv6address} (§20.42). RFC 5118 §4.5: an IPv6 address in
     * brackets is not of the grammar but is to be accepted, so both forms are.
     */
    private static boolean isAddress(String v) {
        if (HostPort.isIpv4(v)) {
            return true;
        }
        String inner = v.startsWith("[") && v.endsWith("]") ? v.substring(1, v.length() - 1) : v;
        try {
            Ipv6Address.parse(inner);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static SipParseException bad(String detail) {
        return new SipParseException(Reason.BAD_VIA, detail);
    }

    /** {@code SIP}, as written. */
    public String protocol() {
        return protocol;
    }

    /** {@code 2.0}, as written. */
    public String version() {
        return version;
    }

    /** {@code UDP}, {@code TCP}, {@code TLS}, ... as written; compare ignoring case. */
    public String transport() {
        return transport;
    }

    /** The sent-by host as written, an IPv6 reference without brackets. */
    public String host() {
        return sentBy.host();
    }

    /** The sent-by address when it is an IPv6 reference, else null. */
    public Ipv6Address ipv6() {
        return sentBy.ipv6();
    }

    /** The sent-by port, or -1 when absent (the transport's default applies, §18.2.2). */
    public int port() {
        return sentBy.port();
    }

    public List<SipParam> params() {
        return params;
    }

    /** The value of parameter {@code name} (case-insensitive), "" for one without a value, null when absent. */
    public String param(String name) {
        return SipParam.find(params, name);
    }

    /** The branch, or null (an RFC 2543 client, §20.42). */
    public String branch() {
        return param("branch");
    }

    /** The received address, brackets of RFC 5118 §4.5 removed, or null. */
    public String received() {
        String v = param("received");
        return v != null && v.startsWith("[") ? v.substring(1, v.length() - 1) : v;
    }

    /** Whether an {@code rport} parameter is present, with or without a value (RFC 3581 §3). */
    public boolean hasRport() {
        return param("rport") != null;
    }

    /** The rport value, or -1 when absent or without a value. */
    public int rport() {
        String v = param("rport");
        return v == null || v.isEmpty() ? -1 : Integer.parseInt(v);
    }

    /**
     * This Via with {@code received} (RFC 3261 §18.2.1) and, when the client asked for it with an
     * empty {@code rport}, the source port (RFC 3581 §4) set: existing values are replaced, others
     * kept in order. {@code receivedHost} is IPv4 or IPv6 text, written without brackets as the
     * grammar says.
     */
    public Via withReceived(String receivedHost, int sourcePort) {
        StringBuilder sb = new StringBuilder();
        sb.append(protocol).append('/').append(version).append('/').append(transport).append(' ').append(sentBy);
        boolean receivedSet = false;
        for (SipParam p : params) {
            if (p.is("received")) {
                continue;
            }
            sb.append(';');
            if (p.is("rport")) {
                sb.append(p.name()).append('=').append(sourcePort);
                sb.append(";received=").append(receivedHost);
                receivedSet = true;
            } else {
                sb.append(p);
            }
        }
        if (!receivedSet) {
            sb.append(";received=").append(receivedHost);
        }
        return build(sb.toString());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Via v && text.equals(v.text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    /** The via-parm as given. */
    @Override
    public String toString() {
        return text;
    }

    /** A position in a via-parm's text. */
    private static final class Cursor {
        private final String s;
        private int pos;

        Cursor(String s) {
            this.s = s;
        }

        boolean more() {
            return pos < s.length();
        }

        char peek() {
            return s.charAt(pos);
        }

        /** Skips SP and HTAB; true if there was any. */
        boolean skipWsp() {
            int start = pos;
            while (more() && SipText.isWsp(peek())) {
                pos++;
            }
            return pos > start;
        }

        /** SWS c SWS. */
        void expect(char ch) throws SipParseException {
            skipWsp();
            if (!more() || peek() != ch) {
                throw bad("expected '" + ch + "' at " + pos);
            }
            pos++;
            skipWsp();
        }

        String token() throws SipParseException {
            int start = pos;
            while (more() && SipText.isTokenChar(peek())) {
                pos++;
            }
            if (pos == start) {
                throw bad("expected a token at " + start);
            }
            return s.substring(start, pos);
        }

        /** {@code gen-value = token / host / quoted-string}: a quoted string or a run of token, ':', '[' and ']'. */
        String paramValue() throws SipParseException {
            int start = pos;
            if (more() && peek() == '"') {
                pos++;
                while (more() && peek() != '"') {
                    pos += peek() == '\\' ? 2 : 1;
                }
                if (!more()) {
                    throw bad("unterminated quoted string");
                }
                pos++;
                return s.substring(start, pos);
            }
            while (more() && (SipText.isTokenChar(peek()) || peek() == ':' || peek() == '[' || peek() == ']')) {
                pos++;
            }
            if (pos == start) {
                throw bad("expected a value at " + start);
            }
            return s.substring(start, pos);
        }
    }
}
