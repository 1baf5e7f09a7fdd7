package dev.isthmus.control;

import dev.isthmus.addr.Ipv6Prefix;
import dev.isthmus.alg.ftp.FtpAlgCounters;
import dev.isthmus.nat.BibEntry;
import dev.isthmus.nat.FtpAlg;
import dev.isthmus.nat.Nat64Service;
import dev.isthmus.nat.Nat64Table;
import dev.isthmus.nat.NatCounters;
import dev.isthmus.nat.NatProtocol;
import dev.isthmus.nat.NatVerdict;
import dev.isthmus.nat.SessionEntry;
import dev.isthmus.nat.StaticBib;
import dev.isthmus.nat.TableStats;
import dev.isthmus.wire.Ipv4Address;
import dev.isthmus.wire.Ipv6Address;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;
import java.util.Locale;

/**
 * Stateful NAT64 in {@code show stats}, {@code show bib}, {@code show sessions}, {@code bib add|del}
 * and the metrics: table sizes and events ({@link TableStats}) and every worker's count of each
 * {@link NatVerdict} (as {@code isthmus_nat64_packets_total{protocol,verdict}}).
 */
final class Nat64Stats {
    private static final System.Logger LOG = System.getLogger("control");

    private Nat64Stats() {}

    /** The {@code show stats} block. */
    static String text(Nat64Service s) {
        TableStats t = s.table().stats();
        StringBuilder b = new StringBuilder("\nnat64\n");
        line(b, "sessions", t.sessions());
        line(b, "bib-tcp", t.bibTcp());
        line(b, "bib-udp", t.bibUdp());
        line(b, "bib-icmp", t.bibIcmp());
        line(b, "subscribers", t.subscribers());
        line(b, "stored-syns", t.storedSyns());
        line(b, "sessions-created", t.sessionsCreated());
        line(b, "sessions-expired", t.sessionsExpired());
        NatCounters c = s.counters();
        for (NatVerdict v : NatVerdict.values()) {
            long n = c.count(v);
            if (n > 0 || v == NatVerdict.OK) {
                line(b, key(v), n);
            }
        }
        line(b, "fragments-timed-out", c.fragmentsTimedOut());
        line(b, "tcp-probes-sent", s.probesSent());
        line(b, "syn-unreachables-sent", s.synUnreachablesSent());
        line(b, "log-lines-dropped", s.logLinesDropped());
        FtpAlg alg = s.table().ftpAlg();
        if (alg != null) {
            for (FtpAlgCount a : FtpAlgCount.values()) {
                line(b, "ftp-alg-" + a.key, a.of(alg));
            }
        }
        return b.toString();
    }

    /**
     * What {@code show stats} and the metrics say about the FTP ALG (RFC 6384): the control
     * connections followed now, then events — rewritten commands and replies, commands refused
     * with the ALG's own reply, ALGS answered (§11), connections gone transparent after AUTH,
     * segments held ahead of a gap, overlong lines passed unparsed, connections not followed at
     * the limit ({@code FtpAlg.MAX_CONTROL_CONNECTIONS}).
     */
    enum FtpAlgCount {
        SESSIONS("sessions"),
        REWRITTEN("rewritten"),
        REFUSED("refused"),
        ALGS_ANSWERED("algs-answered"),
        TRANSPARENT("transparent"),
        OUT_OF_ORDER("out-of-order"),
        OVERLONG("overlong"),
        NOT_FOLLOWED("not-followed");

        final String key;

        FtpAlgCount(String key) {
            this.key = key;
        }

        long of(FtpAlg alg) {
            FtpAlgCounters c = alg.counters();
            return switch (this) {
                case SESSIONS -> c.sessions.sum();
                case REWRITTEN -> c.rewritten.sum();
                case REFUSED -> c.refused.sum();
                case ALGS_ANSWERED -> c.algsAnswered.sum();
                case TRANSPARENT -> c.transparent.sum();
                case OUT_OF_ORDER -> c.outOfOrder.sum();
                case OVERLONG -> c.overlong.sum();
                case NOT_FOLLOWED -> alg.notFollowed();
            };
        }
    }

    private static void line(StringBuilder b, String key, long v) {
        b.append("  ").append(key).repeat(' ', Math.max(1, 32 - key.length())).append(v).append('\n');
    }

    static String key(NatVerdict v) {
        return v.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** {@code "nat64":{...}} in {@code show stats json}. */
    static void json(JsonWriter j, Nat64Service s) {
        TableStats t = s.table().stats();
        j.name("nat64").beginObject();
        j.name("sessions").value(t.sessions());
        j.name("bib").beginObject().name("tcp").value(t.bibTcp()).name("udp").value(t.bibUdp())
                .name("icmp").value(t.bibIcmp()).endObject();
        j.name("subscribers").value(t.subscribers());
        j.name("stored-syns").value(t.storedSyns());
        j.name("sessions-created").unsigned(t.sessionsCreated());
        j.name("sessions-expired").unsigned(t.sessionsExpired());
        NatCounters c = s.counters();
        j.name("verdicts").beginObject();
        for (NatVerdict v : NatVerdict.values()) {
            j.name(key(v)).unsigned(c.count(v));
        }
        j.endObject();
        j.name("fragments-timed-out").unsigned(c.fragmentsTimedOut());
        j.name("tcp-probes-sent").unsigned(s.probesSent());
        j.name("syn-unreachables-sent").unsigned(s.synUnreachablesSent());
        j.name("log-lines-dropped").unsigned(s.logLinesDropped());
        FtpAlg alg = s.table().ftpAlg();
        if (alg != null) {
            j.name("ftp-alg").beginObject();
            for (FtpAlgCount a : FtpAlgCount.values()) {
                j.name(a.key).unsigned(a.of(alg));
            }
            j.endObject();
        }
        j.endObject();
    }

    /** {@code show bib PROTOCOL|all text|json}. */
    static String bib(Nat64Service s, String protocol, boolean json) {
        List<BibEntry> all = s.table().bib(protocol(protocol));
        if (!json) {
            StringBuilder b = new StringBuilder();
            b.append(String.format("%-5s %-44s %-22s %-7s %s%n", "proto", "ipv6", "ipv4", "kind", "sessions"));
            for (BibEntry e : all) {
                b.append(String.format("%-5s %-44s %-22s %-7s %d%n", e.protocol().key(),
                        "[" + e.x6() + "]:" + e.x6Port(), Ipv4Address.format(e.t4()) + ":" + e.t4Port(),
                        e.isStatic() ? "static" : "dynamic", e.sessions()));
            }
            return b.toString();
        }
        JsonWriter j = new JsonWriter().beginObject().name("bib").beginArray();
        for (BibEntry e : all) {
            j.beginObject();
            j.name("protocol").value(e.protocol().key());
            j.name("ipv6").value(e.x6().toString());
            j.name("ipv6_port").value(e.x6Port());
            j.name("ipv4").value(Ipv4Address.format(e.t4()));
            j.name("ipv4_port").value(e.t4Port());
            j.name("kind").value(e.isStatic() ? "static" : "dynamic");
            j.name("sessions").value(e.sessions());
            j.endObject();
        }
        return j.endArray().endObject().finish();
    }

    /** {@code show sessions PROTOCOL|all IPV6-PREFIX|all text|json}. */
    static String sessions(Nat64Service s, String protocol, String ipv6, boolean json) {
        Ipv6Prefix only = ipv6.equals("all") ? null
                : ipv6.contains("/") ? Ipv6Prefix.parse(ipv6) : new Ipv6Prefix(Ipv6Address.parse(ipv6).hi(),
                        Ipv6Address.parse(ipv6).lo(), 128);
        List<SessionEntry> all = s.table().sessions(protocol(protocol), only, System.nanoTime());
        if (!json) {
            StringBuilder b = new StringBuilder();
            b.append(String.format("%-5s %-44s %-22s %-22s %-12s %s%n", "proto", "ipv6", "ipv4", "remote", "state",
                    "expires"));
            for (SessionEntry e : all) {
                b.append(String.format("%-5s %-44s %-22s %-22s %-12s %ds%n", e.protocol().key(),
                        "[" + e.x6() + "]:" + e.x6Port(), Ipv4Address.format(e.t4()) + ":" + e.t4Port(),
                        Ipv4Address.format(e.z4()) + ":" + e.z4Port(),
                        e.protocol() == NatProtocol.TCP ? e.state().label() : "-", e.expiresInMillis() / 1000));
            }
            return b.toString();
        }
        JsonWriter j = new JsonWriter().beginObject().name("sessions").beginArray();
        for (SessionEntry e : all) {
            j.beginObject();
            j.name("protocol").value(e.protocol().key());
            j.name("ipv6").value(e.x6().toString());
            j.name("ipv6_port").value(e.x6Port());
            j.name("ipv4").value(Ipv4Address.format(e.t4()));
            j.name("ipv4_port").value(e.t4Port());
            j.name("remote").value(Ipv4Address.format(e.z4()));
            j.name("remote_port").value(e.z4Port());
            if (e.protocol() == NatProtocol.TCP) {
                j.name("state").value(e.state().label());
            }
            j.name("expires_ms").value(e.expiresInMillis());
            j.endObject();
        }
        return j.endArray().endObject().finish();
    }

    /** {@code bib add PROTOCOL [IPV6]:PORT IPV4:PORT} / {@code bib del PROTOCOL IPV4:PORT}; the rest stays. */
    static String change(Nat64Service s, boolean add, List<String> args) {
        NatProtocol p = protocol(args.get(0));
        if (p == null) {
            throw new IllegalArgumentException("protocol must be tcp, udp or icmp");
        }
        String v4 = args.get(add ? 2 : 1);
        StaticBib.Endpoint4 e4 = StaticBib.Endpoint4.parse(v4);
        int a4 = e4.address();
        int t = e4.port();
        Nat64Table table = s.table();
        if (!add) {
            if (!table.removeStatic(p, a4, t)) {
                throw new IllegalArgumentException("no static " + p.key() + " BIB entry for " + v4);
            }
            LOG.log(System.Logger.Level.INFO, "nat64: static BIB entry " + p.key() + " " + v4
                    + " removed through the control socket");
            return "";
        }
        String v6 = args.get(1);
        StaticBib.Endpoint6 e6 = StaticBib.Endpoint6.parse(v6);
        Nat64Table.StaticResult r = table.addStatic(p, e6.address().hi(), e6.address().lo(), e6.port(), a4, t);
        if (r != Nat64Table.StaticResult.ADDED) {
            throw new IllegalArgumentException(Nat64Service.describe(r));
        }
        LOG.log(System.Logger.Level.INFO, "nat64: static BIB entry " + p.key() + " " + v6 + " " + v4
                + " added through the control socket");
        return "";
    }

    private static NatProtocol protocol(String word) {
        return switch (word) {
            case "tcp" -> NatProtocol.TCP;
            case "udp" -> NatProtocol.UDP;
            case "icmp" -> NatProtocol.ICMP;
            case "all" -> null;
            default -> throw new IllegalArgumentException("protocol must be tcp, udp, icmp or all, not \"" + word + "\"");
        };
    }

    static void register(PrometheusRegistry registry, Nat64Service s) {
        GaugeWithCallback.builder().name("isthmus_nat64_sessions").help("Live NAT64 sessions")
                .callback(cb -> cb.call(s.table().stats().sessions())).register(registry);
        GaugeWithCallback.builder().name("isthmus_nat64_bib_entries").help("Live NAT64 BIB entries by protocol")
                .labelNames("protocol")
                .callback(cb -> {
                    TableStats t = s.table().stats();
                    cb.call(t.bibTcp(), "tcp");
                    cb.call(t.bibUdp(), "udp");
                    cb.call(t.bibIcmp(), "icmp");
                }).register(registry);
        CounterWithCallback.builder().name("isthmus_nat64_packets_total")
                .help("Packets by the NAT64 table's verdict (translate, or the reason for a drop)")
                .labelNames("protocol", "verdict")
                .callback(cb -> {
                    NatCounters c = s.counters();
                    for (NatProtocol p : NatProtocol.values()) {
                        for (NatVerdict v : NatVerdict.values()) {
                            cb.call(c.count(p, v), p.key(), key(v));
                        }
                    }
                }).register(registry);
        CounterWithCallback.builder().name("isthmus_nat64_fragments_timed_out_total")
                .help("Fragments held for a first fragment that never came within 2 s (RFC 6146 §3.4)")
                .callback(cb -> cb.call(s.counters().fragmentsTimedOut())).register(registry);
        CounterWithCallback.builder().name("isthmus_nat64_originated_total")
                .help("Packets the NAT64's timers originated: TCP probes (RFC 6146 3.5.2.2), ICMPv4 port"
                        + " unreachable for stored SYNs (RFC 5382 REQ-4)")
                .labelNames("kind")
                .callback(cb -> {
                    cb.call(s.probesSent(), "tcp-probe");
                    cb.call(s.synUnreachablesSent(), "syn-unreachable");
                }).register(registry);
        FtpAlg alg = s.table().ftpAlg();
        if (alg != null) {
            GaugeWithCallback.builder().name("isthmus_nat64_ftp_alg_sessions")
                    .help("FTP control connections the NAT64's ALG follows now (RFC 6384)")
                    .callback(cb -> cb.call(FtpAlgCount.SESSIONS.of(alg))).register(registry);
            CounterWithCallback.builder().name("isthmus_nat64_ftp_alg_total")
                    .help("What the NAT64's FTP ALG did (RFC 6384), by event")
                    .labelNames("event")
                    .callback(cb -> {
                        for (FtpAlgCount a : FtpAlgCount.values()) {
                            if (a != FtpAlgCount.SESSIONS) {
                                cb.call(a.of(alg), a.key);
                            }
                        }
                    }).register(registry);
        }
        CounterWithCallback.builder().name("isthmus_nat64_log_lines_dropped_total")
                .help("Session-log lines lost because the log queue was full")
                .callback(cb -> cb.call(s.logLinesDropped())).register(registry);
    }
}
