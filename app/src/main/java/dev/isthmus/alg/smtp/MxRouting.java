package dev.isthmus.alg.smtp;

import dev.isthmus.wire.Ipv6Address;
import dev.isthmus.addr.Ipv6Prefix;
import java.io.IOException;
import java.net.IDN;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Where mail for a domain goes (RFC 5321 §5.1): the smarthost when one is set; else the domain's
 * MX hosts by preference, or the domain itself when it has no MX (the implicit MX); a null MX
 * (RFC 7505: a single {@code 0 .}) says the domain takes no mail. Each host's addresses come in
 * the order to try: the preferred family first, then the other (the fallback on connection
 * failure). An AAAA under a DNS64 prefix is never used: it was synthesized and leads through a
 * NAT64, so the receiver would see the NAT64's IPv4 address, not ours, in its SPF check; the
 * host's A record is used over IPv4 instead. The prefixes are the configured ones and those
 * {@link Dns64Discovery} learns from the resolver (RFC 7050).
 */
final class MxRouting {
    /** RFC 5321 §4.5.4: mail goes to port 25 of an MX. */
    static final int SMTP_PORT = 25;

    private final SmtpSettings settings;
    private final Resolver resolver;
    private final int port;
    /** RFC 7050 discovery through the same resolver, or null when {@code dns64-discovery = false}. */
    private final Dns64Discovery discovery;

    MxRouting(SmtpSettings settings, Resolver resolver) {
        this(settings, resolver, SMTP_PORT);
    }

    /** With another port than 25 for the MX hosts: tests run their servers on loopback. */
    MxRouting(SmtpSettings settings, Resolver resolver, int port) {
        this(settings, resolver, port,
                settings.dns64Discovery() ? new Dns64Discovery(resolver, java.time.Clock.systemUTC()) : null);
    }

    /** With a discovery of the test's (its clock), or none. */
    MxRouting(SmtpSettings settings, Resolver resolver, int port, Dns64Discovery discovery) {
        this.settings = settings;
        this.resolver = resolver;
        this.port = port;
        this.discovery = discovery;
    }

    /** The configured resolvers, or the system's (/etc/resolv.conf) when none are. */
    static Resolver resolver(List<InetSocketAddress> servers) {
        ExtendedResolver r;
        if (servers.isEmpty()) {
            r = new ExtendedResolver();
        } else {
            List<Resolver> each = new ArrayList<>();
            for (InetSocketAddress s : servers) {
                each.add(new SimpleResolver(s));
            }
            r = new ExtendedResolver(each);
        }
        r.setTimeout(Duration.ofSeconds(5));
        return r;
    }

    /** A host to try and its addresses in the order to try them. */
    record Hop(String name, List<InetSocketAddress> addresses) {}

    /** The routing decision: hops to try in order, or a failure for every recipient. */
    sealed interface Route {}

    record Hops(List<Hop> hops) implements Route {}

    /** No hop: permanent (a null MX, no such domain) or temporary (DNS failed). */
    record Failure(boolean permanent, String reason) implements Route {}

    Route route(String destination) {
        try {
            if (destination.equals(SmtpClient.SMARTHOST)) {
                InetSocketAddress s = settings.smarthost();
                if (!s.isUnresolved()) {
                    return new Hops(List.of(new Hop(s.getAddress().getHostAddress(), List.of(s))));
                }
                return hops(List.of(s.getHostString()), s.getPort());
            }
            Name domain = name(destination);
            Message answer = query(domain, Type.MX);
            if (answer.getRcode() == Rcode.NXDOMAIN) {
                return new Failure(true, "550 5.1.2 Host or domain name not found: " + destination);
            }
            List<MXRecord> mx = new ArrayList<>();
            for (Record r : answer.getSection(Section.ANSWER)) {
                if (r instanceof MXRecord m) {
                    mx.add(m);
                }
            }
            if (mx.size() == 1 && mx.getFirst().getTarget().equals(Name.root)) {
                // RFC 7505 §3: a null MX; §4.1: fail at once with 556 5.1.10.
                return new Failure(true, "556 5.1.10 Domain " + destination + " does not accept mail (null MX)");
            }
            if (mx.isEmpty()) {
                // RFC 5321 §5.1: no MX, so the domain itself is the host (the implicit MX).
                return hops(List.of(domain.toString(true)), port);
            }
            mx.removeIf(m -> m.getTarget().equals(Name.root)); // §7505 §3: a "." beside real MXes is ignored
            // §5.1: hosts of equal preference in random order, spreading the load; the sort is stable.
            java.util.Collections.shuffle(mx);
            mx.sort(Comparator.comparingInt(MXRecord::getPriority));
            List<String> hosts = new ArrayList<>();
            for (MXRecord m : mx) {
                hosts.add(m.getTarget().toString(true));
            }
            return hops(hosts, port);
        } catch (TextParseException e) {
            return new Failure(true, "550 5.1.2 Bad domain name: " + destination);
        } catch (IOException e) {
            return new Failure(false, "Host or domain name lookup failed: " + destination + ": " + e.getMessage());
        }
    }

    private Route hops(List<String> hosts, int port) throws IOException {
        List<Hop> hops = new ArrayList<>();
        String lastError = "no address for " + String.join(", ", hosts);
        List<Ipv6Prefix> dns64 = null; // asked for at the first AAAA: a route without one needs no discovery
        for (String host : hosts) {
            List<InetSocketAddress> v4 = new ArrayList<>();
            List<InetSocketAddress> v6 = new ArrayList<>();
            try {
                Name n = name(host);
                for (Record r : answer(n, Type.A)) {
                    if (r instanceof ARecord a) {
                        v4.add(new InetSocketAddress(a.getAddress(), port));
                    }
                }
                for (Record r : answer(n, Type.AAAA)) {
                    if (r instanceof AAAARecord a) {
                        dns64 = dns64 != null ? dns64 : dns64Prefixes();
                        if (!synthesized(a.getAddress(), dns64)) {
                            v6.add(new InetSocketAddress(a.getAddress(), port));
                        }
                    }
                }
            } catch (IOException e) {
                lastError = "lookup of " + host + " failed: " + e.getMessage();
                continue; // §5.1: a host that cannot be resolved is skipped; the next may do
            }
            List<InetSocketAddress> all = new ArrayList<>(settings.preferIpv6() ? v6 : v4);
            all.addAll(settings.preferIpv6() ? v4 : v6);
            if (!all.isEmpty()) {
                hops.add(new Hop(host, all));
            }
        }
        return hops.isEmpty() ? new Failure(false, lastError) : new Hops(hops);
    }

    /** The configured DNS64 prefixes and those discovered (RFC 7050), used together. */
    List<Ipv6Prefix> dns64Prefixes() {
        if (discovery == null) {
            return settings.dns64Prefixes();
        }
        List<Ipv6Prefix> discovered = discovery.prefixes();
        if (discovered.isEmpty()) {
            return settings.dns64Prefixes();
        }
        List<Ipv6Prefix> all = new ArrayList<>(settings.dns64Prefixes());
        all.addAll(discovered);
        return all;
    }

    /** An address under a DNS64 prefix (RFC 6147): made by a DNS64, not by the domain. */
    static boolean synthesized(InetAddress a, List<Ipv6Prefix> dns64) {
        if (!(a instanceof Inet6Address)) {
            return false;
        }
        Ipv6Address v6 = Ipv6Address.ofBytes(a.getAddress());
        for (Ipv6Prefix p : dns64) {
            if (p.contains(v6)) {
                return true;
            }
        }
        return false;
    }

    private List<Record> answer(Name n, int type) throws IOException {
        Message m = query(n, type);
        int rcode = m.getRcode();
        if (rcode != Rcode.NOERROR && rcode != Rcode.NXDOMAIN) {
            throw new IOException(Rcode.string(rcode));
        }
        return m.getSection(Section.ANSWER);
    }

    private Message query(Name n, int type) throws IOException {
        Message m = resolver.send(Message.newQuery(Record.newRecord(n, type, DClass.IN)));
        int rcode = m.getRcode();
        if (rcode != Rcode.NOERROR && rcode != Rcode.NXDOMAIN) {
            throw new IOException(Rcode.string(rcode) + " looking up " + n);
        }
        return m;
    }

    /** A mail domain as a DNS name: IDNA A-labels for an internationalized one (RFC 6531 §3.2). */
    private static Name name(String domain) throws TextParseException {
        String ascii;
        try {
            ascii = IDN.toASCII(domain.endsWith(".") ? domain : domain + ".", IDN.ALLOW_UNASSIGNED);
        } catch (IllegalArgumentException e) {
            throw new TextParseException(e.getMessage());
        }
        return Name.fromString(ascii.endsWith(".") ? ascii : ascii + ".");
    }

}
