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
}
