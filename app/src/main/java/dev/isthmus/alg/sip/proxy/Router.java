package dev.isthmus.alg.sip.proxy;

import dev.isthmus.addr.AddressSet;
import dev.isthmus.alg.sip.NameAddr;
import dev.isthmus.alg.sip.SipMessage;
import dev.isthmus.alg.sip.SipParseException;
import dev.isthmus.alg.sip.SipUri;
import dev.isthmus.relay.TranslatedPrefixes;
import dev.isthmus.wire.Ipv6Address;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a request goes (RFC 3261 §16.4, §16.5): past the proxy's own Route entries to the next
 * Route, to the contact the registrar holds for a Request-URI of the domain, or to the
 * Request-URI's address; every next hop checked against {@code allow}. Host names are not resolved
 * (RFC 3263 is not done). Used on the proxy's event loop.
 */
final class Router {
    private final SipSettings s;
    private final Registrar registrar;
    private final TranslatedPrefixes translated;

    Router(SipSettings s, Registrar registrar, TranslatedPrefixes translated) {
        this.s = s;
        this.registrar = registrar;
        this.translated = translated;
    }

    /**
     * Where a request goes: a target and the request with its Request-URI and Route as forwarded,
     * the proxy itself ({@code local}), a host name to resolve first ({@code unresolved}: the next
     * hop's URI, see {@link #resolved}), or a refusal.
     */
    record Route(SipMessage request, Target target, SipRefusal refusal, String why, boolean local, SipUri unresolved) {
        static Route to(SipMessage m, Target t) {
            return new Route(m, t, null, null, false, null);
        }

        static Route refused(SipRefusal r, String why) {
            return new Route(null, null, r, why, false, null);
        }

        static Route named(SipMessage m, SipUri next) {
            return new Route(m, null, null, null, false, next);
        }
    }

    /** Where {@code m} goes (RFC 3261 §16.4, §16.5): a next hop, the proxy itself, or a refusal. */
    Route route(SipMessage m) throws SipParseException {
        // §16.4: the proxy's own loose routes (two of them after a double Record-Route, RFC 5658) come off.
        List<String> routes = new ArrayList<>(m.routes());
        while (!routes.isEmpty() && isOurs(uriOf(routes.getFirst()))) {
            m = m.withoutTopRoute();
            routes.removeFirst();
        }
        if (!routes.isEmpty()) {
            return target(m, uriOf(routes.getFirst()));
        }
        if (!SipUri.isSipScheme(m.requestUri())) {
            return Route.refused(SipRefusal.NOT_FOUND, "Request-URI " + m.requestUri() + " is not a SIP URI");
        }
        SipUri ruri = SipUri.parse(m.requestUri());
        boolean ourDomain = s.domain() != null && ruri.host().equalsIgnoreCase(s.domain());
        if (!ourDomain && !isOurHost(ruri)) {
            return target(m, ruri);
        }
        if (ruri.user() == null || m.method().equals("REGISTER") && ourDomain) {
            return new Route(m, null, null, null, true, null);
        }
        if (s.domain() == null) {
            return Route.refused(SipRefusal.NOT_FOUND, "no [sip] domain: " + ruri + " cannot be looked up");
        }
        String aor = Registrar.aor(SipUri.of(ruri.user(), s.domain(), -1, List.of()));
        Registrar.Binding b = registrar.lookup(aor, System.currentTimeMillis());
        if (b == null) {
            return Route.refused(SipRefusal.NOT_FOUND, aor + " is not registered");
        }
        // §16.5: the Request-URI becomes the registered contact, and the request goes there; to
        // where the REGISTER came from when the contact names a host by name (a phone's own name
        // rarely resolves; a phone behind a NAT that registers its private address is not helped:
        // that takes RFC 5626, not done).
        SipMessage retargeted = m.withRequestUri(b.uri());
        Route byContact = target(retargeted, SipUri.parse(b.uri()));
        return byContact.unresolved() != null ? checked(retargeted, b.source()) : byContact;
    }

    /** The next hop named by {@code uri}: its address literal, or its host name to resolve. */
    private Route target(SipMessage m, SipUri uri) {
        InetAddress a = literal(uri);
        return a == null ? Route.named(m, uri) : target(m, uri, a);
    }

    private Route target(SipMessage m, SipUri uri, InetAddress a) {
        boolean tcp = "tcp".equalsIgnoreCase(uri.param("transport"));
        return checked(m, new Target(new InetSocketAddress(a, uri.port() < 0 ? 5060 : uri.port()), tcp));
    }

    /**
     * A named next hop with the addresses its name resolved to: the first of a family the proxy
     * has a listen address of (RFC 3263 §4.2's A/AAAA step without NAPTR and SRV, which are not
     * done: the URI's port, else 5060, and its transport parameter, else UDP).
     */
    Route resolved(Route named, List<InetAddress> addresses) {
        SipUri uri = named.unresolved();
        if (addresses.isEmpty()) {
            return Route.refused(SipRefusal.NOT_FOUND, "host " + uri.host() + " does not resolve");
        }
        for (InetAddress a : addresses) {
            if (listenOf(s.listen(), a) != null) {
                return target(named.request(), uri, a);
            }
        }
        return Route.refused(SipRefusal.NO_ROUTE, "host " + uri.host() + " has no address of a family the proxy listens on");
    }

    /**
     * Destinations must be in {@code allow} too: the proxy is no open relay. An IPv6 destination
     * inside this process's translation prefixes (pool6, EAM) is judged by the IPv4 address it
     * reaches, so that an IPv4 host outside {@code allow} cannot be reached written as IPv6.
     */
    private Route checked(SipMessage m, Target t) {
        InetAddress a = AddressSet.unmapped(t.address().getAddress());
        TranslatedPrefixes.Translated x = translated.translate(a);
        InetAddress judged = x == null ? a : x.ipv4();
        if (!s.allow().contains(judged) || isOurAddress(t.address())) {
            return Route.refused(SipRefusal.DESTINATION_NOT_ALLOWED, "destination " + t
                    + (x == null ? "" : " (" + judged.getHostAddress() + " by " + x.by() + ")") + " is not in allow");
        }
        if (listenOf(s.listen(), a) == null) {
            return Route.refused(SipRefusal.NO_ROUTE, "no listen address of the family of " + t);
        }
        return Route.to(m, t);
    }

    /** The address of {@code listen} of {@code a}'s family, or null when there is none. */
    static InetSocketAddress listenOf(List<InetSocketAddress> listen, InetAddress a) {
        boolean v6 = AddressSet.unmapped(a) instanceof Inet6Address;
        for (InetSocketAddress l : listen) {
            if ((l.getAddress() instanceof Inet6Address) == v6) {
                return l;
            }
        }
        return null;
    }

    private static SipUri uriOf(String nameAddr) throws SipParseException {
        return SipUri.parse(NameAddr.uri(nameAddr));
    }

    /** The address of a URI's host when it is a literal, else null (a name). */
    static InetAddress literal(SipUri uri) {
        try {
            if (uri.ipv6() != null) {
                return InetAddress.getByAddress(uri.ipv6().toBytes());
            }
            return isDottedQuad(uri.host()) ? Inet4Address.ofLiteral(uri.host()) : null;
        } catch (UnknownHostException | IllegalArgumentException e) {
            return null;
        }
    }

    private boolean isOurs(SipUri uri) {
        InetAddress a = literal(uri);
        if (a == null) {
            return false;
        }
        return isOurAddress(new InetSocketAddress(a, uri.port() < 0 ? 5060 : uri.port()));
    }

    /**
     * A Request-URI naming the proxy: one of its addresses, with its port or none. A URI with
     * another port names another element on the same host (§19.1.4 compares ports), e.g. a phone
     * or a PBX beside the proxy, and is routed there.
     */
    private boolean isOurHost(SipUri uri) {
        InetAddress a = literal(uri);
        return a != null && s.listen().stream()
                .anyMatch(l -> l.getAddress().equals(a) && (uri.port() < 0 || uri.port() == l.getPort()));
    }

    /** One of the proxy's listen addresses and ports. */
    boolean isOurAddress(InetSocketAddress a) {
        return s.listen().stream().anyMatch(l -> l.getAddress().equals(a.getAddress()) && l.getPort() == a.getPort());
    }

    /**
     * An IPv4 or IPv6 literal without brackets. Not {@link InetAddress#ofLiteral}: it tries IPv4
     * first and builds an exception with a stack trace for every IPv6 address, several per message.
     *
     * @throws IllegalArgumentException for anything else
     */
    static InetAddress addressOf(String literal) {
        return literal.indexOf(':') >= 0 ? Inet6Address.ofLiteral(literal) : Inet4Address.ofLiteral(literal);
    }

    private static boolean isDottedQuad(String host) {
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (c != '.' && (c < '0' || c > '9')) {
                return false;
            }
        }
        return !host.isEmpty();
    }

    /** An address as SIP writes it in a host part (RFC 5952 for IPv6, without brackets). */
    static String hostText(InetAddress a) {
        InetAddress u = AddressSet.unmapped(a);
        return u instanceof Inet6Address ? Ipv6Address.ofBytes(u.getAddress()).toString() : u.getHostAddress();
    }
}
