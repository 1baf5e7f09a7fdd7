package dev.isthmus.control;

import dev.isthmus.alg.ftp.proxy.FtpProxyCounters;
import dev.isthmus.alg.ftp.proxy.FtpRefusal;
import dev.isthmus.alg.http.HttpCounters;
import dev.isthmus.alg.http.HttpRefusal;
import dev.isthmus.alg.smtp.SmtpRefusal;
import dev.isthmus.alg.turn.server.TurnCounters;
import dev.isthmus.alg.turn.server.TurnRefusal;
import dev.isthmus.relay.Refusal;
import dev.isthmus.relay.RelayCounters;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The socket plane's Prometheus series, read at scrape time like the data plane's:
 *
 * <ul>
 *   <li>{@code isthmus_dns64_total{counter}} ({@link Dns64Stats});
 *   <li>{@code isthmus_relay_accepted_total{relay}}, {@code isthmus_relay_active{relay}},
 *       {@code isthmus_relay_idle_closed_total{relay}};
 *   <li>{@code isthmus_relay_refused_total{relay, reason}} per {@code relay.Refusal} key;
 *   <li>{@code isthmus_relay_bytes_total{relay, direction="to-server"|"to-client"}};
 *   <li>{@code isthmus_http_requests_total{kind}},
 *       {@code isthmus_http_refused_total{reason, status}} (status "none": closed at accept),
 *       {@code isthmus_http_bytes_total{direction}}, {@code isthmus_http_connections_total},
 *       {@code isthmus_http_active};
 *   <li>{@code isthmus_ftp_proxy_total{proxy, counter="sessions"|"transfers"|"translated"|"tls-passthrough"|"idle-closed"}},
 *       {@code isthmus_ftp_proxy_active{proxy}}, {@code isthmus_ftp_proxy_refused_total{proxy, reason}}
 *       per {@code FtpRefusal} key, {@code isthmus_ftp_proxy_bytes_total{proxy, direction}} (data connections);
 *   <li>{@code isthmus_smtp_total{counter="sessions"|"accepted"|"accepted-recipients"|"accepted-bytes"|"tls"|
 *       "authenticated"|"delivered"|"deferred"|"bounced"|"attempts"|"dsns"}}, {@code isthmus_smtp_active},
 *       {@code isthmus_smtp_refused_total{reason}} per {@code SmtpRefusal} key, {@code isthmus_smtp_queue_size},
 *       {@code isthmus_smtp_queue_oldest_seconds};
 *   <li>the SIP proxy's and its media relay's ({@link SipStats});
 *   <li>{@code isthmus_turn_total{counter="bindings"|"allocations"|"expired"|"permissions"|"channels"}},
 *       {@code isthmus_turn_active}, {@code isthmus_turn_refused_total{reason}} per {@code TurnRefusal} key,
 *       {@code isthmus_turn_packets_total{direction="to-peer"|"to-client"}},
 *       {@code isthmus_turn_bytes_total{direction}}.
 * </ul>
 */
final class SocketPlaneMetrics {
    private SocketPlaneMetrics() {}

    static void register(PrometheusRegistry registry, SocketPlaneStats s) {
        if (s.dns64() != null) {
            Dns64Stats.register(registry, s.dns64());
        }
        if (!s.relays().isEmpty()) {
            relays(registry, s);
        }
        if (s.http() != null) {
            http(registry, s.http());
        }
        if (!s.ftpProxies().isEmpty()) {
            ftpProxies(registry, s);
        }
        if (s.smtp() != null) {
            smtp(registry, s);
        }
        if (s.sip() != null) {
            SipStats.register(registry, s.sip(), s.sipMedia());
        }
        if (s.turn() != null) {
            turn(registry, s.turn());
        }
    }

    private static void turn(PrometheusRegistry registry, TurnCounters t) {
        CounterWithCallback.builder().name("isthmus_turn_total")
                .help("TURN server events: STUN bindings answered, allocations made and expired, permissions and"
                        + " channels installed or refreshed")
                .labelNames("counter")
                .callback(cb -> {
                    cb.call(t.bindings(), "bindings");
                    cb.call(t.allocations(), "allocations");
                    cb.call(t.expired(), "expired");
                    cb.call(t.permissions(), "permissions");
                    cb.call(t.channels(), "channels");
                }).register(registry);
        GaugeWithCallback.builder().name("isthmus_turn_active").help("TURN allocations held")
                .callback(cb -> cb.call(t.active())).register(registry);
        CounterWithCallback.builder().name("isthmus_turn_refused_total")
                .help("Requests the TURN server refused and packets it dropped, per reason").labelNames("reason")
                .callback(cb -> {
                    for (TurnRefusal x : TurnRefusal.values()) {
                        cb.call(t.refused(x), x.key());
                    }
                }).register(registry);
        CounterWithCallback.builder().name("isthmus_turn_packets_total")
                .help("Datagrams the TURN server relayed, per direction").labelNames("direction")
                .callback(cb -> {
                    cb.call(t.packetsToPeer(), "to-peer");
                    cb.call(t.packetsToClient(), "to-client");
                }).register(registry);
        CounterWithCallback.builder().name("isthmus_turn_bytes_total")
                .help("Application bytes the TURN server relayed, per direction").labelNames("direction")
                .callback(cb -> {
                    cb.call(t.bytesToPeer(), "to-peer");
                    cb.call(t.bytesToClient(), "to-client");
                }).register(registry);
    }

    private static void smtp(PrometheusRegistry registry, SocketPlaneStats s) {
        var in = s.smtp();
        var out = s.smtpDelivery();
        CounterWithCallback.builder().name("isthmus_smtp_total")
                .help("SMTP relay events: sessions, messages accepted (and their recipients, bytes), STARTTLS, AUTH;"
                        + " recipients delivered, deferred, bounced; delivery attempts; DSNs sent; delivery connections opened,"
                        + " reused, found closed on reuse")
                .labelNames("counter")
                .callback(cb -> {
                    cb.call(in.sessions(), "sessions");
                    cb.call(in.accepted(), "accepted");
                    cb.call(in.acceptedRecipients(), "accepted-recipients");
                    cb.call(in.acceptedBytes(), "accepted-bytes");
                    cb.call(in.tls(), "tls");
                    cb.call(in.authenticated(), "authenticated");
                    cb.call(in.refusalTableEvictions(), "refusal-table-evictions");
                    cb.call(out.delivered(), "delivered");
                    cb.call(out.deferred(), "deferred");
                    cb.call(out.bounced(), "bounced");
                    cb.call(out.attempts(), "attempts");
                    cb.call(out.dsns(), "dsns");
                    cb.call(out.connections(), "connections");
                    cb.call(out.connectionsReused(), "connections-reused");
                    cb.call(out.connectionsStale(), "connections-stale");
                }).register(registry);
        GaugeWithCallback.builder().name("isthmus_smtp_active").help("SMTP client connections open")
                .callback(cb -> cb.call(in.active())).register(registry);
        CounterWithCallback.builder().name("isthmus_smtp_refused_total")
                .help("Clients, commands and messages the SMTP relay refused, per reason").labelNames("reason")
                .callback(cb -> {
                    for (SmtpRefusal x : SmtpRefusal.values()) {
                        cb.call(in.refused(x), x.key());
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("isthmus_smtp_queue_size").help("Messages in the SMTP relay's queue")
                .callback(cb -> cb.call(out.queueSize())).register(registry);
        GaugeWithCallback.builder().name("isthmus_smtp_queue_oldest_seconds")
                .help("Age of the oldest message in the SMTP relay's queue")
                .callback(cb -> cb.call(out.oldestAge().toSeconds())).register(registry);
    }

    private static void ftpProxies(PrometheusRegistry registry, SocketPlaneStats s) {
        CounterWithCallback.builder().name("isthmus_ftp_proxy_total")
                .help("FTP proxy events: sessions, transfers, data commands translated, TLS passed through, idle closes")
                .labelNames("proxy", "counter")
                .callback(cb -> {
                    for (FtpProxyCounters f : s.ftpProxies()) {
                        cb.call(f.sessions(), f.name(), "sessions");
                        cb.call(f.transfers(), f.name(), "transfers");
                        cb.call(f.translated(), f.name(), "translated");
                        cb.call(f.tlsPassthrough(), f.name(), "tls-passthrough");
                        cb.call(f.idleClosed(), f.name(), "idle-closed");
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("isthmus_ftp_proxy_active")
                .help("Control connections an FTP proxy has open").labelNames("proxy")
                .callback(cb -> s.ftpProxies().forEach(f -> cb.call(f.active(), f.name()))).register(registry);
        CounterWithCallback.builder().name("isthmus_ftp_proxy_refused_total")
                .help("Clients, commands and data connections an FTP proxy refused, per reason")
                .labelNames("proxy", "reason")
                .callback(cb -> {
                    for (FtpProxyCounters f : s.ftpProxies()) {
                        for (FtpRefusal x : FtpRefusal.values()) {
                            cb.call(f.refused(x), f.name(), x.key());
                        }
                    }
                }).register(registry);
        CounterWithCallback.builder().name("isthmus_ftp_proxy_bytes_total")
                .help("Data-connection bytes an FTP proxy copied, per direction").labelNames("proxy", "direction")
                .callback(cb -> {
                    for (FtpProxyCounters f : s.ftpProxies()) {
                        cb.call(f.bytesToServer(), f.name(), "to-server");
                        cb.call(f.bytesToClient(), f.name(), "to-client");
                    }
                }).register(registry);
    }

    private static void relays(PrometheusRegistry registry, SocketPlaneStats s) {
        CounterWithCallback.builder().name("isthmus_relay_accepted_total")
                .help("Connections (UDP: flows) a relay accepted").labelNames("relay")
                .callback(cb -> s.relays().forEach(r -> cb.call(r.accepted(), r.name()))).register(registry);
        GaugeWithCallback.builder().name("isthmus_relay_active")
                .help("Connections (UDP: flows) a relay has open").labelNames("relay")
                .callback(cb -> s.relays().forEach(r -> cb.call(r.active(), r.name()))).register(registry);
        CounterWithCallback.builder().name("isthmus_relay_idle_closed_total")
                .help("Connections (UDP: flows) closed by the idle timeout").labelNames("relay")
                .callback(cb -> s.relays().forEach(r -> cb.call(r.idleClosed(), r.name()))).register(registry);
        CounterWithCallback.builder().name("isthmus_relay_refused_total")
                .help("Clients refused and datagrams dropped by a relay, per reason").labelNames("relay", "reason")
                .callback(cb -> {
                    for (RelayCounters r : s.relays()) {
                        for (Refusal x : Refusal.values()) {
                            cb.call(r.refused(x), r.name(), x.key());
                        }
                    }
                }).register(registry);
        CounterWithCallback.builder().name("isthmus_relay_bytes_total")
                .help("Bytes a relay copied, per direction").labelNames("relay", "direction")
                .callback(cb -> {
                    for (RelayCounters r : s.relays()) {
                        cb.call(r.bytesToServer(), r.name(), "to-server");
                        cb.call(r.bytesToClient(), r.name(), "to-client");
                    }
                }).register(registry);
    }

    private static void http(PrometheusRegistry registry, HttpCounters h) {
        CounterWithCallback.builder().name("isthmus_http_requests_total")
                .help("Requests (CONNECT: tunnels) the HTTP gateway passed on, per kind").labelNames("kind")
                .callback(cb -> {
                    for (HttpCounters.Kind k : HttpCounters.Kind.values()) {
                        cb.call(h.requests(k), k.key());
                    }
                }).register(registry);
        CounterWithCallback.builder().name("isthmus_http_refused_total")
                .help("Requests the HTTP gateway refused, per reason and status code").labelNames("reason", "status")
                .callback(cb -> {
                    for (HttpRefusal x : HttpRefusal.values()) {
                        cb.call(h.refused(x), x.key(), x.statusText());
                    }
                }).register(registry);
        CounterWithCallback.builder().name("isthmus_http_bytes_total")
                .help("Body and tunnel bytes the HTTP gateway copied, per direction").labelNames("direction")
                .callback(cb -> {
                    cb.call(h.bytesToServer(), "to-server");
                    cb.call(h.bytesToClient(), "to-client");
                }).register(registry);
        CounterWithCallback.builder().name("isthmus_http_connections_total")
                .help("Client connections the HTTP gateway accepted")
                .callback(cb -> cb.call(h.connections())).register(registry);
        GaugeWithCallback.builder().name("isthmus_http_active")
                .help("Client connections the HTTP gateway has open")
                .callback(cb -> cb.call(h.active())).register(registry);
    }
}
