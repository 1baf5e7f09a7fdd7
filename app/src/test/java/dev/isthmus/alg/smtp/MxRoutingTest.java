package dev.isthmus.alg.smtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.addr.Ipv6Prefix;
import dev.isthmus.alg.smtp.DeliveryHarness.FakeDns;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RFC 5321 §5.1 routing, RFC 7505 null MX, the family order and the DNS64 exclusion. */
class MxRoutingTest {
    private static final List<Ipv6Prefix> WKP = List.of(Ipv6Prefix.parse("64:ff9b::/96"));

    private static MxRouting routing(FakeDns dns, boolean preferIpv6) {
        return new MxRouting(DeliveryHarness.settings(preferIpv6, WKP, 20, null), dns);
    }

    private static List<String> plan(MxRouting.Route route) {
        return ((MxRouting.Hops) route).hops().stream()
                .flatMap(h -> h.addresses().stream().map(a -> h.name() + "/" + a.getAddress().getHostAddress()))
                .toList();
    }

    @Test
    void mxHostsInPreferenceOrderNotAnswerOrder() {
        FakeDns dns = new FakeDns().mx("example.com", 20, "mx2.example.com").mx("example.com", 10, "mx1.example.com")
                .a("mx1.example.com", "192.0.2.1").a("mx2.example.com", "192.0.2.2");
        assertEquals(List.of("mx1.example.com/192.0.2.1", "mx2.example.com/192.0.2.2"),
                plan(routing(dns, false).route("example.com")));
    }

    @Test
    void noMxMeansTheDomainItselfIsTheHost() {
        // RFC 5321 §5.1: the implicit MX, with both families.
        FakeDns dns = new FakeDns().a("example.com", "192.0.2.7").aaaa("example.com", "2001:db8::7");
        assertEquals(List.of("example.com/2001:db8:0:0:0:0:0:7", "example.com/192.0.2.7"),
                plan(routing(dns, true).route("example.com")));
    }

    @Test
    void nullMxFailsPermanently() {
        // RFC 7505 §3: "0 ." alone says the domain accepts no mail; §4.1: 556 5.1.10.
        FakeDns dns = new FakeDns().mx("example.com", 0, ".").a("example.com", "192.0.2.7");
        MxRouting.Failure f = (MxRouting.Failure) routing(dns, false).route("example.com");
        assertTrue(f.permanent());
        assertTrue(f.reason().startsWith("556 5.1.10"), f.reason());
    }

    @Test
    void unknownDomainFailsPermanently() {
        MxRouting.Failure f = (MxRouting.Failure) routing(new FakeDns(), false).route("nowhere.test");
        assertTrue(f.permanent());
        assertTrue(f.reason().startsWith("550 5.1.2"), f.reason());
    }

    @Test
    void mxWithoutAddressesIsATemporaryFailure() {
        FakeDns dns = new FakeDns().mx("example.com", 10, "mx.example.com").a("other.example.com", "192.0.2.9");
        // mx.example.com is NXDOMAIN in the fake: no address, maybe later.
        MxRouting.Failure f = (MxRouting.Failure) routing(dns, false).route("example.com");
        assertFalse(f.permanent());
    }

    @Test
    void preferredFamilyFirstThenTheOther() {
        FakeDns dns = new FakeDns().mx("example.com", 10, "mx.example.com").a("mx.example.com", "192.0.2.1")
                .aaaa("mx.example.com", "2001:db8::1");
        assertEquals(List.of("mx.example.com/192.0.2.1", "mx.example.com/2001:db8:0:0:0:0:0:1"),
                plan(routing(dns, false).route("example.com")));
        assertEquals(List.of("mx.example.com/2001:db8:0:0:0:0:0:1", "mx.example.com/192.0.2.1"),
                plan(routing(dns, true).route("example.com")));
    }

    @Test
    void synthesizedAaaaIsNeverUsedTheARecordIs() {
        // A DNS64 answered 64:ff9b::c000:201 for 192.0.2.1: over it the receiver's SPF would see the NAT64.
        FakeDns dns = new FakeDns().mx("example.com", 10, "mx.example.com").a("mx.example.com", "192.0.2.1")
                .aaaa("mx.example.com", "64:ff9b::c000:201");
        assertEquals(List.of("mx.example.com/192.0.2.1"), plan(routing(dns, true).route("example.com")));
    }

    @Test
    void onlySynthesizedAaaaLeavesNoHop() {
        FakeDns dns = new FakeDns().mx("example.com", 10, "mx.example.com").aaaa("mx.example.com",
                "64:ff9b::c000:201");
        assertFalse(((MxRouting.Failure) routing(dns, true).route("example.com")).permanent());
    }

    @Test
    void smarthostTakesEverythingWithoutDns() {
        FakeDns dns = new FakeDns();
        MxRouting r = new MxRouting(DeliveryHarness.settings(true, WKP, 20,
                new InetSocketAddress("2001:db8:9::25", 2525)), dns);
        MxRouting.Hops hops = (MxRouting.Hops) r.route(SmtpClient.SMARTHOST);
        assertEquals(List.of(new InetSocketAddress("2001:db8:9::25", 2525)), hops.hops().getFirst().addresses());
        assertEquals(0, dns.queries.get());
    }

    @Test
    void anAaaaUnderADiscoveredPrefixIsSkippedForTheA() {
        // RFC 7050: the resolver's DNS64 uses 2001:db8:64::/96, nothing is configured; its AAAA for
        // mx.example.com (192.0.2.1 synthesized) would go through the NAT64.
        FakeDns dns = new FakeDns().aaaa("ipv4only.arpa", "2001:db8:64::c000:aa").aaaa("ipv4only.arpa",
                        "2001:db8:64::c000:ab").mx("example.com", 10, "mx.example.com").a("mx.example.com", "192.0.2.1")
                .aaaa("mx.example.com", "2001:db8:64::c000:201");
        MxRouting r = new MxRouting(DeliveryHarness.settings(true, List.of(), 20, null), dns);
        assertEquals(List.of("mx.example.com/192.0.2.1"), plan(r.route("example.com")));
    }

    @Test
    void discoveredAndConfiguredPrefixesTogether() {
        // 64:ff9b::/96 configured, 2001:db8:122:344::/64 (u-octet form) discovered; a real AAAA stays.
        FakeDns dns = new FakeDns().aaaa("ipv4only.arpa", "2001:db8:122:344:c0:0:aa00:0")
                .mx("example.com", 10, "mx.example.com").a("mx.example.com", "192.0.2.1")
                .aaaa("mx.example.com", "64:ff9b::c000:201").aaaa("mx.example.com", "2001:db8:122:344:c0:2:100:0")
                .aaaa("mx.example.com", "2001:db8:25::1");
        assertEquals(List.of("mx.example.com/2001:db8:25:0:0:0:0:1", "mx.example.com/192.0.2.1"),
                plan(routing(dns, true).route("example.com")));
    }

    @Test
    void withoutDiscoveryTheAaaaIsUsed() {
        // dns64-discovery = false: only dns64-prefixes count, so the DNS64's AAAA is tried.
        FakeDns dns = new FakeDns().aaaa("ipv4only.arpa", "2001:db8:64::c000:aa")
                .mx("example.com", 10, "mx.example.com").a("mx.example.com", "192.0.2.1")
                .aaaa("mx.example.com", "2001:db8:64::c000:201");
        MxRouting r = new MxRouting(DeliveryHarness.settings(true, List.of(), 20, null), dns, MxRouting.SMTP_PORT, null);
        assertEquals(List.of("mx.example.com/2001:db8:64:0:0:0:c000:201", "mx.example.com/192.0.2.1"),
                plan(r.route("example.com")));
    }

    @Test
    void aFailingDiscoveryDoesNotHoldUpDelivery() {
        // ipv4only.arpa times out: the route is made as before, with the configured prefixes.
        Dns64DiscoveryTest.ScriptedDns failing = new Dns64DiscoveryTest.ScriptedDns();
        failing.answer = q -> {
            throw new java.io.IOException("timed out");
        };
        FakeDns dns = new FakeDns().mx("example.com", 10, "mx.example.com").a("mx.example.com", "192.0.2.1")
                .aaaa("mx.example.com", "64:ff9b::c000:201").aaaa("mx.example.com", "2001:db8:25::1");
        MxRouting r = new MxRouting(DeliveryHarness.settings(true, WKP, 20, null), dns, MxRouting.SMTP_PORT,
                new Dns64Discovery(failing, java.time.Clock.systemUTC()));
        assertEquals(List.of("mx.example.com/2001:db8:25:0:0:0:0:1", "mx.example.com/192.0.2.1"),
                plan(r.route("example.com")));
        assertEquals(1, failing.queries.get());
    }
}
