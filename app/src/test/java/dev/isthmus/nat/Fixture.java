package dev.isthmus.nat;

import dev.isthmus.addr.EamTable;
import dev.isthmus.addr.Ipv4Pool;
import dev.isthmus.addr.Rfc6052Prefix;
import dev.isthmus.wire.Ipv4Address;
import dev.isthmus.wire.Ipv6Address;
import dev.isthmus.xlat.NanoClock;
import dev.isthmus.xlat.XlatCounters;
import dev.isthmus.xlat.XlatSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Addresses from the documentation ranges, a controllable clock, and a recording listener. */
final class Fixture {
    static final long X_HI = Ipv6Address.parse("2001:db8::1").hi();
    static final long X_LO = Ipv6Address.parse("2001:db8::1").lo();
    static final long X2_LO = Ipv6Address.parse("2001:db8::2").lo();
    static final int Z = Ipv4Address.parse("198.51.100.7");
    static final int Z2 = Ipv4Address.parse("198.51.100.8");
    static final int T = Ipv4Address.parse("192.0.2.2");
    static final int ACK = 0x10;
    static final int SYN = TcpState.SYN;
    static final int FIN = TcpState.FIN | ACK;
    static final int RST = TcpState.RST;

    static Pool4 pool() {
        return Pool4.of("192.0.2.2/32");
    }

    static Nat64Settings.Builder settings() {
        return Nat64Settings.builder(pool());
    }

    static long nanos(Duration d) {
        return d.toNanos();
    }

    /**
     * A stateful translator over {@code table} with pool6 {@code pool6}, no EAM, MTUs 1500, the
     * translator's own addresses 192.0.2.1 and 2001:db8:64::c000:201.
     */
    static Nat64Translator translator(Nat64Table table, String pool6, NanoClock clock) {
        return translator(table, pool6, clock, new XlatCounters());
    }

    static Nat64Translator translator(Nat64Table table, String pool6, NanoClock clock, XlatCounters counters) {
        XlatSettings s = new XlatSettings(Rfc6052Prefix.parse(pool6), new EamTable(List.of()), Ipv4Pool.empty(), null,
                -1, -1, true, 1280, null, 1500, 1500, Ipv4Address.parse("192.0.2.1"),
                Ipv6Address.parse("2001:db8:64::c000:201"), XlatSettings.HairpinMode.OFF, true, 0);
        return new Nat64Translator(table, s, counters, clock);
    }

    /** Time starts at an arbitrary value (System.nanoTime may be anything, negative included). */
    static final long T0 = -5_000_000_000L;

    /** Every event as a line, for assertions. */
    static final class Recorder implements Nat64Listener {
        final List<String> events = new ArrayList<>();

        private void add(String kind, NatEvent e) {
            events.add(kind + " " + (e.protocol() == null ? "-" : e.protocol().key()) + " "
                    + new Ipv6Address(e.x6Hi(), e.x6Lo()) + "#" + e.x6Port() + " " + Ipv4Address.format(e.t4())
                    + "#" + e.t4Port() + " " + Ipv4Address.format(e.z4()) + "#" + e.z4Port()
                    + (e.end() == null ? "" : " " + e.end()));
        }

        @Override public void sessionStarted(NatEvent e) { add("session-start", e); }
        @Override public void sessionEnded(NatEvent e) { add("session-end", e); }
        @Override public void bibCreated(NatEvent e) { add("bib-create", e); }
        @Override public void bibRemoved(NatEvent e) { add("bib-remove", e); }
        @Override public void probe(NatEvent e) { add("probe", e); }
        @Override public void storedSynExpired(NatEvent e) {
            add("syn-expired", e);
            events.add("syn-bytes " + e.packet().byteSize());
        }

        long count(String prefix) {
            return events.stream().filter(s -> s.startsWith(prefix)).count();
        }
    }

    private Fixture() {}
}
