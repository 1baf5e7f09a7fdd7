package dev.isthmus.alg.sip;

import dev.isthmus.alg.sip.SipParseException.Reason;
import dev.isthmus.wire.Ipv6Address;
import java.util.ArrayList;
import java.util.List;

/**
 * A SIP or SIPS URI (RFC 3261 §19.1, grammar §25.1):
 * {@code sip:user:password@host:port;uri-parameters?headers}, the host a name, an IPv4 address or
 * a bracketed IPv6 reference (RFC 5118). The text is kept as written, so {@link #toString} gives
 * back the input byte for byte; the parts are read from it. The user part keeps its escapes
 * ({@link #user}); {@link #userDecoded} undoes them (§19.1.2).
 */
public final class SipUri {
    /** Longest URI text read: a bound on work, well over any real URI (RFC 4475 §3.1.1.8 has ~300). */
    public static final int MAX_LENGTH = 4096;

    /** Characters of {@code user-unreserved} and {@code mark} besides alphanum (§25.1). */
    private static final String USER_CHARS = "-_.!~*'()&=+$,;?/";

    /** {@code password}: unreserved / escaped / {@code &=+$,}. */
    private static final String PASSWORD_CHARS = "-_.!~*'()&=+$,";

    /** {@code paramchar}: param-unreserved {@code []/:&+$} and unreserved. */
    private static final String PARAM_CHARS = "[]/:&+$-_.!~*'()";

    /** {@code hnv-unreserved} {@code []/?:+$}, unreserved, and the {@code =} and {@code &} between them. */
    private static final String HEADER_CHARS = "[]/?:+$-_.!~*'()=&";

    private final String text;
    private final boolean secure;
    private final String user;
    private final String password;
    private final HostPort hostPort;
    private final List<SipParam> params;
    private final String headers;

    private SipUri(String text, boolean secure, String user, String password, HostPort hostPort,
            List<SipParam> params, String headers) {
        this.text = text;
        this.secure = secure;
        this.user = user;
        this.password = password;
        this.hostPort = hostPort;
        this.params = params;
        this.headers = headers;
    }

    /** Whether {@code text} starts with {@code sip:} or {@code sips:}, in any case (§19.1.1, schemes are case-insensitive). */
    public static boolean isSipScheme(String text) {
        return text.regionMatches(true, 0, "sip:", 0, 4) || text.regionMatches(true, 0, "sips:", 0, 5);
    }

    /** Reads a {@code sip:} or {@code sips:} URI. */
    public static SipUri parse(String text) throws SipParseException {
        if (text.length() > MAX_LENGTH) {
            throw new SipParseException(Reason.BAD_URI, "longer than " + MAX_LENGTH);
        }
        if (!isSipScheme(text)) {
            throw new SipParseException(Reason.BAD_URI, "not a sip: or sips: URI");
        }
        boolean secure = text.charAt(3) == 's' || text.charAt(3) == 'S';
        String rest = text.substring(secure ? 5 : 4);
        if (!SipText.escapesValid(rest)) {
            throw new SipParseException(Reason.BAD_URI, "bad % escape");
        }
        // Neither parameters nor headers may hold an unescaped '@' (§25.1), so the first one ends
        // the userinfo even when the user part holds ';' or '?' (RFC 4475 §3.1.1.2).
        String user = null;
        String password = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            String userinfo = rest.substring(0, at);
            rest = rest.substring(at + 1);
            int colon = userinfo.indexOf(':');
            user = colon < 0 ? userinfo : userinfo.substring(0, colon);
            password = colon < 0 ? null : userinfo.substring(colon + 1);
            if (user.isEmpty() || !allowed(user, USER_CHARS)
                    || password != null && !allowed(password, PASSWORD_CHARS)) {
                throw new SipParseException(Reason.BAD_URI, "bad userinfo");
            }
        }
        String headers = null;
        int question = rest.indexOf('?');
        if (question >= 0) {
            headers = rest.substring(question + 1);
            rest = rest.substring(0, question);
            if (headers.isEmpty() || !allowed(headers, HEADER_CHARS)) {
                throw new SipParseException(Reason.BAD_URI, "bad headers");
            }
        }
        // The ';' of a parameter cannot stand inside an IPv6 reference, so the first one ends the host.
        int semi = rest.indexOf(';');
        HostPort hostPort = HostPort.parse(semi < 0 ? rest : rest.substring(0, semi), Reason.BAD_URI);
        List<SipParam> params = new ArrayList<>();
        if (semi >= 0) {
            for (String p : rest.substring(semi + 1).split(";", -1)) {
                int eq = p.indexOf('=');
                String name = eq < 0 ? p : p.substring(0, eq);
                String value = eq < 0 ? null : p.substring(eq + 1);
                if (name.isEmpty() || !allowed(name, PARAM_CHARS)
                        || value != null && (value.isEmpty() || !allowed(value, PARAM_CHARS))) {
                    throw new SipParseException(Reason.BAD_URI, "bad parameter");
                }
                params.add(new SipParam(name, value));
            }
        }
        return new SipUri(text, secure, user, password, hostPort, List.copyOf(params), headers);
    }

    /** A {@code sip:} URI to the host (name, IPv4 or IPv6 text without brackets) and port (-1 for none). */
    public static SipUri of(String user, String host, int port, List<SipParam> params) {
        StringBuilder sb = new StringBuilder("sip:");
        if (user != null) {
            sb.append(user).append('@');
        }
        sb.append(host.indexOf(':') >= 0 ? "[" + Ipv6Address.parse(host) + "]" : host);
        if (port >= 0) {
            sb.append(':').append(port);
        }
        for (SipParam p : params) {
            sb.append(';').append(p);
        }
        try {
            return parse(sb.toString());
        } catch (SipParseException e) {
            throw new IllegalArgumentException("not a SIP URI: " + sb, e);
        }
    }

    private static boolean allowed(String s, String extra) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!SipText.isAlphanum(c) && c != '%' && extra.indexOf(c) < 0) {
                return false;
            }
        }
        return true;
    }

    /** True for {@code sips:}. */
    public boolean secure() {
        return secure;
    }

    /** The user part as written, escapes kept; null when there is none. */
    public String user() {
        return user;
    }

    /** The user part with its {@code %HH} escapes decoded, one char per byte; null when there is none. */
    public String userDecoded() {
        return user == null ? null : SipText.unescape(user);
    }

    /** The password as written, or null. */
    public String password() {
        return password;
    }

    /** The host as written, an IPv6 reference without its brackets. */
    public String host() {
        return hostPort.host();
    }

    /** The address of an IPv6 reference, or null for a name or IPv4 address. */
    public Ipv6Address ipv6() {
        return hostPort.ipv6();
    }

    /** The port, or -1 when the URI has none. */
    public int port() {
        return hostPort.port();
    }

    /** {@code host[:port]}, an IPv6 reference in brackets. */
    public String hostPort() {
        return hostPort.toString();
    }

    public List<SipParam> params() {
        return params;
    }

    /** The value of parameter {@code name} (case-insensitive), "" for one without a value, null when absent. */
    public String param(String name) {
        return SipParam.find(params, name);
    }

    /** The headers after {@code ?} as written, or null. */
    public String headers() {
        return headers;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SipUri u && text.equals(u.text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    /** The URI as written. */
    @Override
    public String toString() {
        return text;
    }
}
