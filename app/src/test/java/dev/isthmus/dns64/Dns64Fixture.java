package dev.isthmus.dns64;

import dev.isthmus.addr.Ipv4Prefix;
import dev.isthmus.addr.Ipv6Prefix;
import dev.isthmus.addr.Rfc6052Prefix;
import dev.isthmus.wire.Ipv6Address;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * A {@link QueryHandler} over a {@link FakeUpstream} with the lab's prefix 2001:db8:64::/96 and
 * a clock the test moves. Clients in 2001:db8:6::/64 and loopback are allowed.
 */
final class Dns64Fixture {
    static final InetAddress CLIENT = address("2001:db8:6::2");
    static final InetAddress STRANGER = address("2001:db8:99::2");

    final FakeUpstream upstream = new FakeUpstream();
    final Dns64Counters counters = new Dns64Counters();
    final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    final QueryHandler handler;

    Dns64Fixture() {
        this(settings(List.of("2001:db8:64::/96"), 0));
    }

    Dns64Fixture(Dns64Settings s) {
        this(s, true);
    }

    /** With {@code fastPath} false the handler parses every query (the reference for the fast path). */
    Dns64Fixture(Dns64Settings s, boolean fastPath) {
        handler = new QueryHandler(s, new Dns64Resolver(upstream, new Synthesis(s, counters), counters), counters,
                nanos::get, fastPath);
    }

    static Dns64Settings settings(List<String> prefixes, int rateLimit) {
        return new Dns64Settings(
                List.of(new InetSocketAddress(address("::1"), 0)),
                List.of(new InetSocketAddress(address("127.0.0.1"), 53)),
                prefixes.stream().map(Rfc6052Prefix::parse).toList(),
                List.of(Ipv4Prefix.parse("127.0.0.0/8")),
                List.of(Ipv6Prefix.parse("::1/128"), Ipv6Prefix.parse("2001:db8:6::/64")),
                List.of(Ipv4Prefix.parse("0.0.0.0/8"), Ipv4Prefix.parse("127.0.0.0/8"), Ipv4Prefix.parse("169.254.0.0/16"),
                        Ipv4Prefix.parse("224.0.0.0/4"), Ipv4Prefix.parse("240.0.0.0/4")),
                Dns64Settings.DEFAULT_EXCLUDE_AAAA,
                100, 86_400, Duration.ofMillis(200), 10, 10, 10, Duration.ofSeconds(1), Duration.ofSeconds(1),
                rateLimit, 1232);
    }

    /** Asks {@code name TYPE} from {@link #CLIENT} over UDP, with EDNS0 (DO as given) or without. */
    Message ask(String question, boolean edns, boolean dnssecOk, boolean checkingDisabled) {
        return parse(handler.handle(query(question, edns, dnssecOk, checkingDisabled, 0x1234), CLIENT, false));
    }

    /** Asks with EDNS0, DO and CD clear. */
    Message ask(String question) {
        return ask(question, true, false, false);
    }

    static byte[] query(String question, boolean edns, boolean dnssecOk, boolean checkingDisabled, int id) {
        String[] q = question.split(" ");
        Message m = Message.newQuery(Record.newRecord(FakeUpstream.name(q[0]), Type.value(q[1]), DClass.IN));
        m.getHeader().setID(id);
        if (checkingDisabled) {
            m.getHeader().setFlag(Flags.CD);
        }
        if (edns) {
            m.addRecord(new OPTRecord(4096, 0, 0, dnssecOk ? ExtendedFlags.DO : 0), Section.ADDITIONAL);
        }
        return m.toWire();
    }

    static Message parse(byte[] answer) {
        if (answer == null) {
            return null;
        }
        try {
            return new Message(answer);
        } catch (IOException e) {
            throw new AssertionError("the answer does not parse", e);
        }
    }

    /** The answer section as zone-file lines, in order, with single spaces and IPv6 addresses in RFC 5952 form. */
    static List<String> answer(Message m) {
        return m.getSection(Section.ANSWER).stream().map(Dns64Fixture::line).toList();
    }

    static String line(Record r) {
        if (r.getType() == Type.AAAA) {
            return r.getName() + " " + r.getTTL() + " IN AAAA " + Ipv6Address.ofBytes(r.rdataToWireCanonical());
        }
        return r.toString().replaceAll("\\s+", " ");
    }

    static InetAddress address(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new AssertionError(s, e);
        }
    }
}
