package dev.isthmus.alg.sip.proxy;

import dev.isthmus.addr.AddressSet;
import dev.isthmus.alg.sip.NameAddr;
import dev.isthmus.alg.sip.SipHeader;
import dev.isthmus.alg.sip.SipMessage;
import dev.isthmus.alg.sip.SipParseException;
import dev.isthmus.alg.sip.SipUri;
import dev.isthmus.alg.sip.Via;
import dev.isthmus.alg.sip.media.MediaCallStats;
import dev.isthmus.alg.sip.media.MediaRelay;
import dev.isthmus.relay.Families;
import dev.isthmus.relay.RateLimitedLog;
import dev.isthmus.relay.SocketPlane;
import dev.isthmus.relay.TranslatedPrefixes;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The {@code [sip]} proxy: a transaction-stateful proxy (RFC 3261 §16) and registrar (§10.3)
 * between phones of both address families. See the package documentation.
 */
public final class SipProxy implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.isthmus.alg.sip");
    /** RFC 3261 §18.1.1: a request this large goes over a congestion-controlled transport. */
    static final int UDP_LIMIT = 1300;
    /**
     * Calls at once (dialogs Record-Routed and not ended): a bound on the call table, above the
     * media relay's own {@code max-calls} for relayed calls.
     */
    static final int MAX_CALLS = 100_000;
    /** A call with no message for this long is forgotten (its media, if any, times out sooner). */
    static final long CALL_IDLE_MILLIS = 2 * 3600 * 1000L;

    private final SipSettings s;
    private final EventLoop loop;
    private final MediaRelay media;
    private final RateLimitedLog log = new RateLimitedLog(LOG);
    private final Map<String, ProxyTransaction> byServerKey = new HashMap<>();
    private final Map<String, ProxyTransaction> byBranch = new HashMap<>();
    private final Map<String, Call> calls = new HashMap<>();
    private final Registrar registrar;
    private final Router router;
    private final NameResolver resolver = new NameResolver();
    private final SipCounters counters;
    /** The digest authenticator of {@code [[sip.users]]}, or null when there are none. */
    private final DigestAuth auth;
    private SipTransport transport;
    private ScheduledFuture<?> sweeper;
    private long branchSeq;

    private SipProxy(SipSettings s, EventLoop loop, MediaRelay media, TranslatedPrefixes translated) {
        this.s = s;
        this.loop = loop;
        this.media = media;
        this.registrar = new Registrar(s.maxRegistrations(), s.maxExpires().toSeconds());
        this.router = new Router(s, registrar, translated);
        this.counters = new SipCounters(registrar::size, calls::size, byServerKey::size);
        this.auth = s.users().isEmpty() ? null : new DigestAuth(s.domain(), s.users(), s.digestAlgorithms());
    }

    /** Starts the proxy (and its media relay, when {@code [sip.media]} is set) on one of {@code plane}'s loops. */
    public static SipProxy start(SocketPlane plane, SipSettings s) throws IOException {
        return start(plane, s, TranslatedPrefixes.NONE);
    }

    /**
     * As {@link #start(SocketPlane, SipSettings)}; an IPv6 next hop inside {@code translated} (this
     * process's pool6 and EAM) is judged against {@code allow} by the IPv4 address it reaches.
     */
    public static SipProxy start(SocketPlane plane, SipSettings s, TranslatedPrefixes translated) throws IOException {
        MediaRelay media = s.media() == null ? null : MediaRelay.start(plane, s.media());
        SipProxy p = new SipProxy(s, plane.group().next(), media, translated);
        try {
            p.transport = SipTransport.start(plane, p.loop, s, p::received, p.counters);
        } catch (IOException | RuntimeException e) {
            if (media != null) {
                media.close();
            }
            throw e;
        }
        if (media != null) {
            media.onTimeout(callId -> p.loop.execute(() -> p.endCall(callId, "media timeout")));
        }
        p.sweeper = p.loop.scheduleAtFixedRate(p::sweep, 10, 10, TimeUnit.SECONDS);
        LOG.log(System.Logger.Level.INFO, "proxy on " + s.listen().stream().map(Families::text).toList()
                + (s.domain() == null ? "" : ", registrar for " + s.domain())
                + (media == null ? ", no media relay" : ", media relay " + s.relay().text()) + ", clients " + s.allow());
        return p;
    }

    public SipCounters counters() {
        return counters;
    }

    /** The media relay, or null without {@code [sip.media]}. */
    public MediaRelay media() {
        return media;
    }

    /** The calls now, for {@code isthmus show calls}. */
    public List<CallView> calls() {
        try {
            return loop.submit(this::snapshot).get(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the proxy's loop did not answer: " + e, e);
        }
    }

    private List<CallView> snapshot() {
        long now = System.currentTimeMillis();
        Map<String, MediaCallStats> relayed = new HashMap<>();
        if (media != null) {
            media.calls().forEach(x -> relayed.put(x.callId(), x));
        }
        List<CallView> out = new ArrayList<>();
        for (Call c : calls.values()) {
            out.add(new CallView(c.callId, c.caller.toString(), c.callee.toString(), Call.family(c.caller),
                    Call.family(c.callee), c.confirmed, (now - c.startedMillis) / 1000, relayed.get(c.callId)));
        }
        return out;
    }

    @Override
    public void close() {
        if (sweeper != null) {
            sweeper.cancel(false);
        }
        transport.close();
        loop.submit(() -> {
            byServerKey.values().forEach(ProxyTransaction::stopTimers);
            new ArrayList<>(calls.keySet()).forEach(id -> endCall(id, "shutdown"));
        }).awaitUninterruptibly(5, TimeUnit.SECONDS);
        resolver.close();
        if (media != null) {
            media.close();
        }
    }

    // ---- receiving ----

    private void received(SipMessage m, Target from, InetSocketAddress local) {
        try {
            if (m.isRequest()) {
                counters.add(SipCounters.Event.REQUESTS_RECEIVED);
                request(m, from, local);
            } else {
                counters.add(SipCounters.Event.RESPONSES_RECEIVED);
                response(m);
            }
        } catch (SipParseException e) {
            counters.refuse(SipRefusal.MALFORMED);
            log.warn("dropped a message from " + from + ": " + e.getMessage());
        }
    }

    private void request(SipMessage received, Target from, InetSocketAddress local) throws SipParseException {
        SipMessage m = withReceived(received, from.address());
        String method = m.method();
        InetAddress who = AddressSet.unmapped(from.address().getAddress());
        if (!s.allow().contains(who)) {
            refuse(m, from, SipRefusal.CLIENT_NOT_ALLOWED, "client " + Families.text(from.address()) + " is not in allow");
            return;
        }
        if (method.equals("CANCEL")) {
            cancel(m, from);
            return;
        }
        if (method.equals("ACK")) {
            ProxyTransaction invite = byServerKey.get(serverKey(m, "INVITE"));
            if (invite != null && invite.bestStatus >= 300 || Responses.acksOwnResponse(m)) {
                // §17.2.1: the ACK of a non-2xx ends the server transaction (the proxy ACKed
                // downstream itself), or acknowledges a refusal or challenge the proxy made.
                return;
            }
            forwardStatelessly(m);
            return;
        }
        ProxyTransaction same = byServerKey.get(serverKey(m, method));
        if (same != null) {
            // §17.2.1/§17.2.2: a retransmission is answered with the last response, or absorbed.
            counters.add(SipCounters.Event.RETRANSMISSIONS_ABSORBED);
            if (same.lastResponse != null) {
                send(same.lastResponse, same.upstream);
            }
            return;
        }
        if (m.maxForwards() == 0) {
            refuse(m, from, SipRefusal.TOO_MANY_HOPS, null);
            return;
        }
        if (isLoop(m)) {
            refuse(m, from, SipRefusal.LOOP, "call " + m.callId());
            return;
        }
        if (byServerKey.size() >= s.maxTransactions()) {
            refuse(m, from, SipRefusal.TRANSACTIONS_FULL, "max-transactions " + s.maxTransactions() + " reached");
            return;
        }
        if (auth != null && isFromOurUser(m)) {
            // RFC 3261 §22.3: a user of the domain proves who it is to its proxy before a call goes out.
            DigestAuth.Verdict v = authenticate(m, "proxy-authorization");
            if (!v.ok()) {
                challenge(m, from, 407, "Proxy Authentication Required", "Proxy-Authenticate", v.stale());
                return;
            }
            String fromUser = SipUri.parse(NameAddr.uri(m.first("from").value())).userDecoded();
            if (!v.user().equals(fromUser)) {
                refuse(m, from, SipRefusal.NOT_AUTHORIZED, "user " + v.user() + " sends as " + fromUser);
                return;
            }
            m = m.withoutHeaders("proxy-authorization"); // §22.3: the proxy's own credentials stop here
        }
        Router.Route route = router.route(m);
        if (route.local()) {
            local(route.request(), from);
            return;
        }
        if (route.refusal() != null) {
            refuse(m, from, route.refusal(), route.why());
            return;
        }
        ProxyTransaction t = new ProxyTransaction(serverKey(m, method), m, responseTarget(m, from));
        byServerKey.put(t.serverKey, t);
        if (t.invite) {
            // §16.2: a stateful proxy answers an INVITE with 100 at once, stopping the client's retransmissions.
            respond(t, Responses.to(m, 100, "Trying"));
        }
        if (route.unresolved() == null) {
            forward(t, route.request(), route.target(), local);
        } else if (!resolver.resolve(route.unresolved().host(), loop, found -> resolved(t, route, found, local))) {
            refuse(t, SipRefusal.RESOLVER_BUSY, NameResolver.QUEUE + " host name lookups wait already");
        }
    }

    /** A request whose next hop is named by host name, once the name has resolved. */
    private void resolved(ProxyTransaction t, Router.Route named, List<InetAddress> addresses, InetSocketAddress local) {
        if (t.finished()) {
            return;
        }
        Router.Route r = router.resolved(named, addresses);
        if (r.refusal() != null) {
            refuse(t, r.refusal(), r.why());
            return;
        }
        forward(t, r.request(), r.target(), local);
    }

    /** §18.2.1 and RFC 3581 §4: the source address (and port, when asked) in the top Via. */
    private static SipMessage withReceived(SipMessage m, InetSocketAddress source) {
        Via top = m.topVia();
        String host = Router.hostText(source.getAddress());
        if (!top.hasRport() && sameHost(top.host(), host)) {
            return m;
        }
        return m.withTopViaReplaced(top.withReceived(host, source.getPort()));
    }

    private static boolean sameHost(String viaHost, String host) {
        String h = viaHost.startsWith("[") ? viaHost.substring(1, viaHost.length() - 1) : viaHost;
        try {
            return Router.addressOf(h).equals(Router.addressOf(host));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    // ---- requests for the proxy itself: REGISTER, OPTIONS ----

    private void local(SipMessage m, Target from) throws SipParseException {
        switch (m.method()) {
            case "REGISTER" -> register(m, from);
            case "OPTIONS" -> send(Responses.to(m, 200, "OK")
                    .withHeader(SipHeader.of("Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER, UPDATE, PRACK, INFO")), from, m);
            default -> refuse(m, from, SipRefusal.NOT_FOUND, m.method() + " for the proxy itself");
        }
    }

    /** RFC 3261 §10.3. */
    private void register(SipMessage m, Target from) throws SipParseException {
        if (s.domain() == null) {
            refuse(m, from, SipRefusal.NOT_FOUND, "REGISTER without a [sip] domain");
            return;
        }
        SipUri to = SipUri.parse(NameAddr.uri(m.first("to").value()));
        if (!to.host().equalsIgnoreCase(s.domain())) {
            // §10.3 step 3: the To is an address of record of this registrar's domain.
            refuse(m, from, SipRefusal.NOT_FOUND, to + " is not of domain " + s.domain());
            return;
        }
        if (auth != null) {
            // §10.3 step 5, §22.4: only the user itself changes the bindings of its address of record.
            DigestAuth.Verdict v = authenticate(m, "authorization");
            if (!v.ok()) {
                challenge(m, from, 401, "Unauthorized", "WWW-Authenticate", v.stale());
                return;
            }
            if (!v.user().equals(to.userDecoded())) {
                refuse(m, from, SipRefusal.NOT_AUTHORIZED, "user " + v.user() + " registers " + to);
                return;
            }
        }
        String aor = Registrar.aor(to);
        SipHeader expires = m.first("expires");
        long now = System.currentTimeMillis();
        Registrar.Outcome o;
        try {
            long expiresHeader = expires == null ? -1 : parseExpires(expires.value());
            o = registrar.register(aor, m.contacts(), expiresHeader, m.callId(), m.cseq(), from, now);
        } catch (SipParseException e) {
            // §10.3 step 6 (and §21.4.1): the client learns why, rather than retransmitting into silence.
            refuse(m, from, SipRefusal.BAD_REQUEST, e.getMessage());
            return;
        }
        if (o.refusal() == SipRefusal.INTERVAL_TOO_BRIEF) {
            counters.refuse(o.refusal());
            send(Responses.to(m, 423, "Interval Too Brief").withHeader(SipHeader.of("Min-Expires",
                    String.valueOf(Registrar.MIN_EXPIRES))), from, m);
            return;
        }
        if (o.refusal() != null) {
            refuse(m, from, o.refusal(), aor);
            return;
        }
        counters.add(SipCounters.Event.REGISTRATIONS);
        SipMessage ok = Responses.to(m, 200, "OK");
        for (Registrar.Binding b : o.bindings()) {
            ok = ok.withHeader(SipHeader.of("Contact", "<" + b.uri() + ">;expires=" + b.secondsLeft(now)));
        }
        send(ok, from, m);
    }

    /** Whether {@code m} starts something for a user of the domain (an initial request with its From). */
    private boolean isFromOurUser(SipMessage m) throws SipParseException {
        if (m.toTag() != null || m.method().equals("REGISTER") || m.method().equals("OPTIONS")) {
            return false;
        }
        SipUri from = SipUri.parse(NameAddr.uri(m.first("from").value()));
        return from.host().equalsIgnoreCase(s.domain());
    }

    /** The first of {@code m}'s credentials in {@code header} that is right, or why none is. */
    private DigestAuth.Verdict authenticate(SipMessage m, String header) {
        boolean stale = false;
        long now = System.currentTimeMillis();
        for (SipHeader h : m.all(header)) {
            DigestAuth.Verdict v = auth.check(h.value(), m.method(), now);
            if (v.ok()) {
                return v;
            }
            stale |= v.stale();
        }
        return new DigestAuth.Verdict(null, stale);
    }

    /** RFC 3261 §22.1: 401 or 407 with a fresh nonce (stale=true when the client's was right but old). */
    private void challenge(SipMessage m, Target from, int status, String reason, String header, boolean stale) {
        counters.refuse(SipRefusal.AUTHENTICATION_REQUIRED);
        SipMessage r = Responses.to(m, status, reason);
        for (String c : auth.challenges(stale, System.currentTimeMillis())) {
            r = r.withHeader(SipHeader.of(header, c));
        }
        send(r, from, m);
    }

    private static long parseExpires(String v) throws SipParseException {
        String t = v.strip();
        if (t.isEmpty() || t.length() > 10 || !t.chars().allMatch(Character::isDigit)) {
            throw new SipParseException(SipParseException.Reason.BAD_HEADER, "Expires " + v);
        }
        return Long.parseLong(t);
    }

    // ---- forwarding requests (§16.6) ----

    private void forward(ProxyTransaction t, SipMessage m, Target to, InetSocketAddress in) {
        Call call = calls.get(m.callId());
        boolean initialInvite = t.invite && m.toTag() == null;
        if (initialInvite && call == null) {
            try {
                call = newCall(m, t.upstream, to);
            } catch (CallRefused e) {
                refuse(t, e.refusal, e.getMessage());
                return;
            }
        }
        if (call != null) {
            call.lastActivityMillis = System.currentTimeMillis();
            try {
                m = MediaBridge.request(call, m);
            } catch (CallRefused e) {
                refuse(t, e.refusal, e.getMessage());
                if (initialInvite) {
                    endCall(call.callId, "refused");
                }
                return;
            }
        }
        InetSocketAddress out = transport.local(to.address().getAddress());
        m = m.withMaxForwardsDecremented();
        t.branch = Via.MAGIC_COOKIE + loopHash(t.request) + "." + Long.toString(++branchSeq, 36);
        t.downstream = to;
        SipMessage forwarded = hop(m, in, out, t.upstream.stream(), to.stream(), t.branch);
        byte[] bytes = forwarded.toBytes();
        if (!to.stream() && bytes.length > UDP_LIMIT) {
            // §18.1.1: over 1300 bytes (an SDP with many candidates, a long Route set) goes over TCP,
            // and the Via and Record-Route of the hop say so.
            counters.add(SipCounters.Event.SWITCHED_TO_TCP);
            t.downstream = new Target(to.address(), true);
            forwarded = hop(m, in, out, t.upstream.stream(), true, t.branch);
            bytes = forwarded.toBytes();
        }
        t.forwarded = forwarded;
        byBranch.put(t.branch, t);
        if (!transport.send(bytes, t.downstream)) {
            counters.refuse(SipRefusal.SEND_FAILED);
            refuse(t, SipRefusal.NO_ROUTE, "cannot send to " + t.downstream);
            return;
        }
        counters.add(SipCounters.Event.REQUESTS_FORWARDED);
        startTimers(t, bytes);
    }

    /** {@code m} as it leaves for the next hop: Record-Route when it may make a dialog (§16.6 step 4), the proxy's Via. */
    private static SipMessage hop(SipMessage m, InetSocketAddress in, InetSocketAddress out, boolean inTcp, boolean outTcp,
            String branch) {
        SipMessage r = isDialogCreating(m) ? recordRoute(m, in, out, inTcp, outTcp) : m;
        return r.withTopVia(Via.of(outTcp ? "TCP" : "UDP", Router.hostText(out.getAddress()), out.getPort(), branch));
    }

    /** A new call, its media relayed when the families differ (or always); refused when a table is full. */
    private Call newCall(SipMessage m, Target caller, Target callee) throws CallRefused {
        if (calls.size() >= MAX_CALLS) {
            throw new CallRefused(SipRefusal.CALLS_FULL, "call " + m.callId() + ": " + MAX_CALLS + " calls at once");
        }
        boolean crossing = !Call.family(caller).equals(Call.family(callee));
        boolean relayed = media != null && (crossing || s.relay() == SipSettings.RelayMode.ALWAYS);
        if (crossing && media == null) {
            throw new CallRefused(SipRefusal.SDP_NOT_ACCEPTABLE, "call " + m.callId()
                    + " crosses families and [sip.media] is not set");
        }
        dev.isthmus.alg.sip.media.MediaCall mc = null;
        if (relayed) {
            try {
                mc = media.call(m.callId(), caller.address().getAddress(), callee.address().getAddress());
            } catch (dev.isthmus.alg.sip.media.MediaUnavailable e) {
                throw new CallRefused(SipRefusal.MEDIA_UNAVAILABLE, "call " + m.callId() + ": " + e.getMessage());
            }
        }
        Call c = new Call(m.callId(), m.fromTag(), caller, callee, mc, System.currentTimeMillis());
        calls.put(c.callId, c);
        counters.add(SipCounters.Event.CALLS_STARTED);
        if (relayed) {
            counters.add(SipCounters.Event.CALLS_RELAYED);
        }
        LOG.log(System.Logger.Level.INFO, "call " + c.callId + " from " + caller + " to " + callee + " ("
                + Call.family(caller) + " -> " + Call.family(callee) + (relayed ? ", media relayed)" : ", media direct)"));
        return c;
    }

    private void endCall(String callId, String why) {
        Call c = calls.remove(callId);
        if (c == null) {
            return;
        }
        counters.add(SipCounters.Event.CALLS_ENDED);
        if (c.media != null) {
            media.end(callId, why);
        }
        LOG.log(System.Logger.Level.INFO, "call " + callId + " ended (" + why + ") after "
                + (System.currentTimeMillis() - c.startedMillis) / 1000 + " s");
    }

    /** Requests that may create a dialog, whose Record-Route the UAs keep (§12.1.1, RFC 6665 §4.1.1.1). */
    private static boolean isDialogCreating(SipMessage m) {
        if (m.toTag() != null) {
            return false;
        }
        return switch (m.method()) {
            case "INVITE", "SUBSCRIBE", "REFER", "NOTIFY" -> true;
            default -> false;
        };
    }

    /**
     * §16.6 step 4 with RFC 5658 §4: one Record-Route when the request leaves as it came; two when
     * it changes family or transport, the one toward the callee on top (the callee reads the
     * route set from the top, the caller from the bottom, §12.1.1 and §12.1.2), so that each side
     * routes to the proxy in its own family.
     */
    static SipMessage recordRoute(SipMessage m, InetSocketAddress in, InetSocketAddress out, boolean inTcp, boolean outTcp) {
        String inbound = rrUri(in, inTcp);
        String outbound = rrUri(out, outTcp);
        if (inbound.equals(outbound)) {
            return m.withRecordRoute(inbound);
        }
        return m.withRecordRoute(inbound).withRecordRoute(outbound);
    }

    private static String rrUri(InetSocketAddress a, boolean tcp) {
        return "<" + SipUri.of(null, Router.hostText(a.getAddress()), a.getPort(),
                tcp ? List.of(new dev.isthmus.alg.sip.SipParam("transport", "tcp"), new dev.isthmus.alg.sip.SipParam("lr", null))
                        : List.of(new dev.isthmus.alg.sip.SipParam("lr", null))) + ">";
    }

    /** An ACK for a 2xx (or any request matching no transaction of ours) goes on without state (§16.11). */
    private void forwardStatelessly(SipMessage m) throws SipParseException {
        if (m.maxForwards() == 0) {
            return;
        }
        Router.Route route = router.route(m);
        if (route.unresolved() != null) {
            if (!resolver.resolve(route.unresolved().host(), loop, found -> sendStateless(m, router.resolved(route, found)))) {
                counters.refuse(SipRefusal.RESOLVER_BUSY);
            }
            return;
        }
        sendStateless(m, route);
    }

    private void sendStateless(SipMessage m, Router.Route route) {
        if (route.target() == null) {
            counters.refuse(route.refusal() == null ? SipRefusal.NOT_FOUND : route.refusal());
            return;
        }
        SipMessage out = route.request();
        Call call = calls.get(m.callId());
        if (call != null) {
            call.lastActivityMillis = System.currentTimeMillis();
            try {
                out = MediaBridge.request(call, out);
            } catch (CallRefused e) {
                counters.refuse(e.refusal);
                log.warn("" + m.method() + " of call " + m.callId() + ": " + e.getMessage());
            }
        }
        Target to = route.target();
        InetSocketAddress local = transport.local(to.address().getAddress());
        // §16.11: the branch of a stateless hop is a function of the request's own, so a retransmission gets the same.
        String branch = Via.MAGIC_COOKIE + loopHash(m) + ".s" + HexFormat.of().toHexDigits(String.valueOf(m.topVia().branch()).hashCode());
        out = out.withMaxForwardsDecremented()
                .withTopVia(Via.of(to.stream() ? "TCP" : "UDP", Router.hostText(local.getAddress()), local.getPort(), branch));
        if (send(out.toBytes(), to)) {
            counters.add(SipCounters.Event.REQUESTS_FORWARDED);
        }
    }

    // ---- CANCEL (§16.10) ----

    private void cancel(SipMessage m, Target from) {
        ProxyTransaction invite = byServerKey.get(serverKey(m, "INVITE"));
        if (invite == null) {
            refuse(m, from, SipRefusal.NO_TRANSACTION, "CANCEL of call " + m.callId());
            return;
        }
        send(Responses.to(m, 200, "OK"), from, m);
        if (invite.finished() || invite.cancelled) {
            return;
        }
        if (invite.bestStatus >= 100) {
            sendCancel(invite);
        } else {
            invite.cancelPending = true; // §9.1: no CANCEL before a provisional response
        }
    }

    private void sendCancel(ProxyTransaction t) {
        t.cancelled = true;
        t.cancelPending = false;
        send(Responses.cancel(t.forwarded).toBytes(), t.downstream);
    }

    // ---- responses (§16.7) ----

    private void response(SipMessage m) throws SipParseException {
        Via top = m.topVia();
        ProxyTransaction t = byBranch.get(top.branch());
        if (!isOurVia(top)) {
            counters.refuse(SipRefusal.UNMATCHED_RESPONSE);
            return;
        }
        SipMessage up = m.withoutTopVia();
        if (up.first("via") == null || "CANCEL".equals(m.cseqMethod()) || "ACK".equals(m.cseqMethod())) {
            return; // the answer to a request of the proxy's own
        }
        int status = m.status();
        if (t == null) {
            // §16.7 and RFC 6026 §7.2: a 2xx to an INVITE whose transaction is gone is still passed on.
            if (status / 100 == 2 && "INVITE".equals(m.cseqMethod())) {
                forwardResponse(up, upstreamOf(up, null));
            } else {
                counters.refuse(SipRefusal.UNMATCHED_RESPONSE);
            }
            return;
        }
        if (t.finished()) {
            if (status / 100 == 2 && t.invite) {
                forwardResponse(withMedia(up), t.upstream); // a 2xx retransmission, or another 2xx
            } else if (t.invite && status >= 300) {
                send(Responses.ack(t.forwarded, m).toBytes(), t.downstream);
            }
            return;
        }
        if (status < 200) {
            provisional(t, status);
            if (status == 100) {
                return; // §16.7 step 3: a 100 is not forwarded
            }
        }
        up = withMedia(up);
        byte[] bytes = up.toBytes();
        if (status >= 200) {
            t.bestStatus = status;
            t.stopTimers();
            if (t.invite && status >= 300) {
                send(Responses.ack(t.forwarded, m).toBytes(), t.downstream);
            }
            linger(t);
            callAfterFinal(t, up, status);
        }
        t.lastResponse = bytes;
        if (send(bytes, t.upstream)) {
            counters.add(SipCounters.Event.RESPONSES_FORWARDED);
        }
    }

    private void provisional(ProxyTransaction t, int status) {
        if (t.bestStatus < status) {
            t.bestStatus = status;
        }
        if (t.retransmit != null) {
            t.retransmit.cancel(false);
            t.retransmit = null;
        }
        if (t.invite) {
            // Timer C replaces Timer B once the INVITE is known to be ringing (§16.6 step 11, §16.7 step 2).
            if (t.timeout != null) {
                t.timeout.cancel(false);
            }
            t.timeout = loop.schedule(() -> timeout(t), ProxyTransaction.TIMER_C_MILLIS, TimeUnit.MILLISECONDS);
            if (t.cancelPending) {
                sendCancel(t);
            }
        }
    }

    private SipMessage withMedia(SipMessage response) {
        Call call = calls.get(response.callId());
        if (call == null) {
            return response;
        }
        call.lastActivityMillis = System.currentTimeMillis();
        try {
            return MediaBridge.response(call, response);
        } catch (CallRefused e) {
            // A response cannot be refused: it goes on unchanged, its media will not flow (counted, logged).
            counters.refuse(e.refusal);
            log.warn("answer of call " + call.callId + " not rewritten: " + e.getMessage());
            return response;
        }
    }

    private void callAfterFinal(ProxyTransaction t, SipMessage response, int status) {
        Call call = calls.get(response.callId());
        if (call == null) {
            return;
        }
        String method = t.request.method();
        if (method.equals("BYE")) {
            endCall(call.callId, "bye");
        } else if (t.invite && status / 100 == 2) {
            call.confirmed = true;
        } else if (t.invite && !call.confirmed && t.request.toTag() == null) {
            endCall(call.callId, status + (t.cancelled ? " after cancel" : ""));
        }
    }

    private void forwardResponse(SipMessage up, Target to) {
        if (send(up.toBytes(), to)) {
            counters.add(SipCounters.Event.RESPONSES_FORWARDED);
        }
    }

    /** §18.2.2: where a response goes by its (new) top Via: received and rport, else the sent-by. */
    private static Target upstreamOf(SipMessage m, Target fallback) {
        Via v = m.topVia();
        String host = v.received() != null ? v.received() : v.host();
        InetAddress a;
        try {
            a = Router.addressOf(host.startsWith("[") ? host.substring(1, host.length() - 1) : host);
        } catch (IllegalArgumentException e) {
            return fallback;
        }
        int port = v.rport() > 0 ? v.rport() : v.port() > 0 ? v.port() : 5060;
        return new Target(new InetSocketAddress(a, port), !v.transport().equalsIgnoreCase("UDP"));
    }

    private boolean isOurVia(Via v) {
        String h = v.host().startsWith("[") ? v.host().substring(1, v.host().length() - 1) : v.host();
        InetAddress a;
        try {
            a = Router.addressOf(h);
        } catch (IllegalArgumentException e) {
            return false;
        }
        return router.isOurAddress(new InetSocketAddress(a, v.port() < 0 ? 5060 : v.port()));
    }

    // ---- timers ----

    private void startTimers(ProxyTransaction t, byte[] bytes) {
        if (!t.downstream.stream()) {
            t.retransmit = loop.schedule(() -> retransmit(t, bytes), t.retransmitInterval, TimeUnit.MILLISECONDS);
        }
        t.timeout = loop.schedule(() -> timeout(t), ProxyTransaction.TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Timers A and E (§17.1.1.2, §17.1.2.2): doubling from T1; non-INVITE capped at T2. */
    private void retransmit(ProxyTransaction t, byte[] bytes) {
        if (t.finished() || t.retransmit == null) {
            return;
        }
        counters.add(SipCounters.Event.RETRANSMISSIONS_SENT);
        send(bytes, t.downstream);
        t.retransmitInterval = t.invite ? t.retransmitInterval * 2
                : Math.min(t.retransmitInterval * 2, ProxyTransaction.T2_MILLIS);
        t.retransmit = loop.schedule(() -> retransmit(t, bytes), t.retransmitInterval, TimeUnit.MILLISECONDS);
    }

    /** Timers B, C and F: no final response in time. */
    private void timeout(ProxyTransaction t) {
        if (t.finished()) {
            return;
        }
        t.stopTimers();
        counters.refuse(SipRefusal.TIMEOUT);
        log.warn("no final response to " + t.request.method() + " of call " + t.request.callId() + " from "
                + t.downstream + " in time");
        if (t.invite) {
            if (t.bestStatus >= 100 && !t.cancelled) {
                sendCancel(t); // §16.8: Timer C cancels the branch
            }
            respond(t, Responses.to(t.request, 408, "Request Timeout"));
            t.bestStatus = 408;
            callAfterFinal(t, t.request, 408);
        } else {
            // RFC 4320 §4.2: a stateful element never answers a non-INVITE with 408; it ends silently.
            t.bestStatus = 408;
        }
        linger(t);
    }

    /** A finished transaction stays {@link ProxyTransaction#LINGER_MILLIS} to absorb retransmissions and the ACK of a non-2xx. */
    private void linger(ProxyTransaction t) {
        loop.schedule(() -> {
            byServerKey.remove(t.serverKey, t);
            byBranch.remove(t.branch, t);
        }, ProxyTransaction.LINGER_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void sweep() {
        long now = System.currentTimeMillis();
        registrar.expire(now);
        for (Call c : new ArrayList<>(calls.values())) {
            if (now - c.lastActivityMillis > CALL_IDLE_MILLIS) {
                endCall(c.callId, "no signalling for " + CALL_IDLE_MILLIS / 1000 + " s");
            }
        }
    }

    // ---- sending ----

    private void respond(ProxyTransaction t, SipMessage response) {
        byte[] bytes = response.toBytes();
        t.lastResponse = bytes;
        send(bytes, t.upstream);
    }

    /** A response of the proxy's own to request {@code req} (no transaction kept). */
    private void send(SipMessage response, Target from, SipMessage req) {
        send(response.toBytes(), responseTarget(req, from));
    }

    /** §18.2.2: over TCP back on the connection (the source); over UDP by received/rport, which is the source. */
    private static Target responseTarget(SipMessage req, Target from) {
        if (from.stream()) {
            return from;
        }
        Target byVia = upstreamOf(req, from);
        return byVia == null ? from : byVia;
    }

    private boolean send(byte[] bytes, Target to) {
        if (to == null || !transport.send(bytes, to)) {
            counters.refuse(SipRefusal.SEND_FAILED);
            return false;
        }
        return true;
    }

    private void refuse(SipMessage m, Target from, SipRefusal r, String why) {
        counters.refuse(r);
        if (why != null) {
            log.warn("" + r.status() + " to " + m.method() + " from " + from + ": " + why);
        }
        if (r.status() != 0 && !m.method().equals("ACK")) {
            send(Responses.to(m, r.status(), r.reasonPhrase()), from, m);
        }
    }

    private void refuse(ProxyTransaction t, SipRefusal r, String why) {
        counters.refuse(r);
        log.warn("" + r.status() + " to " + t.request.method() + " of call " + t.request.callId() + ": " + why);
        t.stopTimers();
        t.bestStatus = r.status();
        respond(t, Responses.to(t.request, r.status(), r.reasonPhrase()));
        linger(t);
    }

    // ---- keys ----

    /** §17.2.3: a server transaction is its top Via's branch and sent-by, and the method (ACK and CANCEL matching INVITE's). */
    private static String serverKey(SipMessage m, String method) {
        Via v = m.topVia();
        return v.branch() + "|" + v.host().toLowerCase(Locale.ROOT) + ":" + v.port() + "|" + method;
    }

    /**
     * §16.6 step 8 / §16.3 step 4: a hash of what makes a request the same request at every pass
     * through the proxy (Request-URI as received, tags, Call-ID, CSeq number, Route), carried in the
     * proxy's branch: a request that comes back with it unchanged is a loop, one with a new
     * Request-URI a spiral.
     */
    private static String loopHash(SipMessage m) {
        int h = (m.requestUri() + "|" + m.fromTag() + "|" + m.toTag() + "|" + m.callId() + "|" + m.cseq() + "|"
                + m.all("route").stream().map(SipHeader::value).toList()).hashCode();
        return HexFormat.of().toHexDigits(h);
    }

    private boolean isLoop(SipMessage m) {
        String mark = Via.MAGIC_COOKIE + loopHash(m) + ".";
        for (Via v : m.vias()) {
            if (isOurVia(v) && v.branch() != null && v.branch().startsWith(mark)) {
                return true;
            }
        }
        return false;
    }
}
