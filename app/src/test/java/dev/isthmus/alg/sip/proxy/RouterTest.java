package dev.isthmus.alg.sip.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.isthmus.addr.AddressSet;
import dev.isthmus.addr.EamTable;
import dev.isthmus.addr.Rfc6052Prefix;
import dev.isthmus.alg.sip.SipMessage;
import dev.isthmus.relay.TranslatedPrefixes;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The next-hop rules of {@link Router} that need no sockets: allow, and addresses in this process's pool6. */
class RouterTest {
    static final TranslatedPrefixes POOL6 = new TranslatedPrefixes(List.of(Rfc6052Prefix.parse("64:ff9b::/96")),
            EamTable.empty());
    static final SipSettings SETTINGS = new SipSettings(
            List.of(new InetSocketAddress("2001:db8:6::1", 5060), new InetSocketAddress("198.51.100.1", 5060)),
            AddressSet.parse(List.of("2001:db8:6::/64", "198.51.100.0/24", "64:ff9b::/96")), "example.test",
            SipSettings.RelayMode.AUTO, null, 10, 10, 10, 10, SipSettings.DEFAULT_MAX_EXPIRES,
            SipSettings.DEFAULT_FIRST_REQUEST_DEADLINE);

    private final Router router = new Router(SETTINGS, new Registrar(10, 3600), POOL6);

    @Test
    void anAddressInPool6IsJudgedByTheIpv4AddressItReaches() throws Exception {
        // 64:ff9b::c633:6402 is 198.51.100.2 (RFC 6052 §2.2): allowed.
        Router.Route ok = router.route(invite("sip:bob@[64:ff9b::c633:6402]"));
        assertNull(ok.refusal());
        assertEquals(new InetSocketAddress("64:ff9b::c633:6402", 5060), ok.target().address());
        // 64:ff9b::a00:1 is 10.0.0.1: not in allow, though 64:ff9b::/96 is.
        assertEquals(SipRefusal.DESTINATION_NOT_ALLOWED, router.route(invite("sip:bob@[64:ff9b::a00:1]")).refusal());
    }

    @Test
    void strangersNamesAndUnregisteredUsersAreNoNextHop() throws Exception {
        assertEquals(SipRefusal.DESTINATION_NOT_ALLOWED, router.route(invite("sip:bob@192.0.2.7")).refusal());
        assertEquals(SipRefusal.NOT_FOUND, router.route(invite("sip:bob@198.51.100.1:5060")).refusal(),
                "the proxy's own address is its domain: bob is looked up, and is not registered");
        Router.Route named = router.route(invite("sip:bob@pbx.example.net:5070;transport=tcp"));
        assertEquals("pbx.example.net", named.unresolved().host(), "a name is resolved off the loop, then judged");
        assertEquals(SipRefusal.NOT_FOUND, router.resolved(named, List.of()).refusal(), "a name that does not resolve");
        Router.Route reached = router.resolved(named, List.of(InetAddress.ofLiteral("192.0.2.9"), InetAddress.ofLiteral("198.51.100.9")));
        assertEquals(SipRefusal.DESTINATION_NOT_ALLOWED, reached.refusal(), "the first address of a family the proxy has is taken, and judged");
        Router.Route ok = router.resolved(named, List.of(InetAddress.ofLiteral("198.51.100.9")));
        assertEquals(new Target(new InetSocketAddress("198.51.100.9", 5070), true), ok.target());
        assertEquals(SipRefusal.NOT_FOUND, router.route(invite("sip:bob@example.test")).refusal(), "not registered");
        assertEquals(new InetSocketAddress("198.51.100.9", 5070),
                router.route(invite("sip:bob@198.51.100.9:5070")).target().address());
    }

    private static SipMessage invite(String ruri) throws Exception {
        return SipMessage.parseDatagram(SipLab.sip("""
                INVITE %s SIP/2.0
                Via: SIP/2.0/UDP [2001:db8:6::2]:5060;branch=z9hG4bKr1
                Max-Forwards: 70
                To: <%s>
                From: <sip:alice@example.test>;tag=1
                Call-ID: router@test
                CSeq: 1 INVITE
                Content-Length: *

                """.formatted(ruri, ruri)).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    }
}
