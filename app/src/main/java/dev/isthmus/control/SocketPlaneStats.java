package dev.isthmus.control;

import dev.isthmus.alg.ftp.proxy.FtpProxyCounters;
import dev.isthmus.alg.ftp.proxy.FtpRefusal;
import dev.isthmus.alg.http.HttpCounters;
import dev.isthmus.alg.http.HttpRefusal;
import dev.isthmus.alg.sip.media.MediaCounters;
import dev.isthmus.alg.sip.proxy.SipCounters;
import dev.isthmus.alg.smtp.DeliveryCounters;
import dev.isthmus.alg.smtp.SmtpCounters;
import dev.isthmus.alg.smtp.SmtpRefusal;
import dev.isthmus.alg.turn.server.TurnCounters;
import dev.isthmus.alg.turn.server.TurnRefusal;
import dev.isthmus.dns64.Dns64Counters;
import dev.isthmus.relay.Refusal;
import dev.isthmus.relay.RelayCounters;
import java.util.List;

/**
 * The live counters of the socket-plane services that {@code show stats} and the metrics report
 * beside the data plane's: the DNS64 server's, the relays', the HTTP gateway's, the FTP proxies' and
 * the SMTP relay's and the TURN server's.
 *
 * @param dns64 the DNS64 server's, or null when there is none
 * @param relays one per {@code [[relay]]}, in file order
 * @param http the HTTP gateway's, or null when there is none
 * @param ftpProxies one per {@code [[ftp.proxy]]}, in file order
 * @param smtp the SMTP relay's server side, or null when there is no {@code [smtp]}
 * @param smtpDelivery the SMTP relay's delivery side, or null when there is no {@code [smtp]}
 * @param sip the SIP proxy's, or null when there is no {@code [sip]}
 * @param sipMedia the SIP media relay's, or null when there is no {@code [sip.media]}
 * @param turn the TURN server's, or null when there is no {@code [turn]}
 */
public record SocketPlaneStats(Dns64Counters dns64, List<RelayCounters> relays, HttpCounters http,
        List<FtpProxyCounters> ftpProxies, SmtpCounters smtp, DeliveryCounters smtpDelivery, SipCounters sip,
        MediaCounters sipMedia, TurnCounters turn) {
    public static final SocketPlaneStats NONE = new SocketPlaneStats(null, List.of(), null);

    public SocketPlaneStats {
        relays = List.copyOf(relays);
        ftpProxies = List.copyOf(ftpProxies);
    }

    /** Without the TURN server. */
    public SocketPlaneStats(Dns64Counters dns64, List<RelayCounters> relays, HttpCounters http,
            List<FtpProxyCounters> ftpProxies, SmtpCounters smtp, DeliveryCounters smtpDelivery, SipCounters sip,
            MediaCounters sipMedia) {
        this(dns64, relays, http, ftpProxies, smtp, smtpDelivery, sip, sipMedia, null);
    }

    /** Without the SIP proxy and the TURN server. */
    public SocketPlaneStats(Dns64Counters dns64, List<RelayCounters> relays, HttpCounters http,
            List<FtpProxyCounters> ftpProxies, SmtpCounters smtp, DeliveryCounters smtpDelivery) {
        this(dns64, relays, http, ftpProxies, smtp, smtpDelivery, null, null, null);
    }

    /** Without the SMTP relay. */
    public SocketPlaneStats(Dns64Counters dns64, List<RelayCounters> relays, HttpCounters http,
            List<FtpProxyCounters> ftpProxies) {
        this(dns64, relays, http, ftpProxies, null, null);
    }

    /** Without FTP proxies. */
    public SocketPlaneStats(Dns64Counters dns64, List<RelayCounters> relays, HttpCounters http) {
        this(dns64, relays, http, List.of());
    }

    boolean isEmpty() {
        return dns64 == null && relays.isEmpty() && http == null && ftpProxies.isEmpty() && smtp == null && sip == null
                && turn == null;
    }

    /**
     * {@code show stats}: the DNS64 block, a block per relay and one for the gateway; refusals that
     * never happened are left out.
     */
    String text() {
        StringBuilder b = new StringBuilder();
        if (dns64 != null) {
            b.append('\n').append(Dns64Stats.text(dns64));
        }
        for (RelayCounters r : relays) {
            b.append("\nrelay ").append(r.name()).append('\n');
            line(b, "accepted", r.accepted());
            line(b, "active", r.active());
            line(b, "bytes-to-server", r.bytesToServer());
            line(b, "bytes-to-client", r.bytesToClient());
            line(b, "idle-closed", r.idleClosed());
            for (Refusal x : Refusal.values()) {
                if (r.refused(x) != 0) {
                    line(b, "refused " + x.key(), r.refused(x));
                }
            }
        }
        if (http != null) {
            b.append("\nhttp\n");
            line(b, "connections", http.connections());
            line(b, "active", http.active());
            for (HttpCounters.Kind k : HttpCounters.Kind.values()) {
                line(b, "requests " + k.key(), http.requests(k));
            }
            line(b, "bytes-to-server", http.bytesToServer());
            line(b, "bytes-to-client", http.bytesToClient());
            for (HttpRefusal x : HttpRefusal.values()) {
                if (http.refused(x) != 0) {
                    line(b, "refused " + x.key() + " (" + x.statusText() + ")", http.refused(x));
                }
            }
        }
        for (FtpProxyCounters f : ftpProxies) {
            b.append("\nftp proxy ").append(f.name()).append('\n');
            line(b, "sessions", f.sessions());
            line(b, "active", f.active());
            line(b, "transfers", f.transfers());
            line(b, "translated", f.translated());
            line(b, "tls-passthrough", f.tlsPassthrough());
            line(b, "bytes-to-server", f.bytesToServer());
            line(b, "bytes-to-client", f.bytesToClient());
            line(b, "idle-closed", f.idleClosed());
            for (FtpRefusal x : FtpRefusal.values()) {
                if (f.refused(x) != 0) {
                    line(b, "refused " + x.key(), f.refused(x));
                }
            }
        }
        if (smtp != null) {
            b.append("\nsmtp\n");
            line(b, "sessions", smtp.sessions());
            line(b, "active", smtp.active());
            line(b, "accepted", smtp.accepted());
            line(b, "accepted-recipients", smtp.acceptedRecipients());
            line(b, "accepted-bytes", smtp.acceptedBytes());
            line(b, "tls", smtp.tls());
            line(b, "authenticated", smtp.authenticated());
            line(b, "refusal-table-evictions", smtp.refusalTableEvictions());
            for (SmtpRefusal x : SmtpRefusal.values()) {
                if (smtp.refused(x) != 0) {
                    line(b, "refused " + x.key(), smtp.refused(x));
                }
            }
            line(b, "delivered", smtpDelivery.delivered());
            line(b, "deferred", smtpDelivery.deferred());
            line(b, "bounced", smtpDelivery.bounced());
            line(b, "attempts", smtpDelivery.attempts());
            line(b, "dsns", smtpDelivery.dsns());
            line(b, "connections", smtpDelivery.connections());
            line(b, "connections-reused", smtpDelivery.connectionsReused());
            line(b, "connections-stale", smtpDelivery.connectionsStale());
            line(b, "queue-size", smtpDelivery.queueSize());
            line(b, "queue-oldest-seconds", smtpDelivery.oldestAge().toSeconds());
        }
        if (sip != null) {
            SipStats.text(b, sip, sipMedia);
        }
        if (turn != null) {
            b.append("\nturn\n");
            line(b, "bindings", turn.bindings());
            line(b, "allocations", turn.allocations());
            line(b, "active", turn.active());
            line(b, "expired", turn.expired());
            line(b, "permissions", turn.permissions());
            line(b, "channels", turn.channels());
            line(b, "packets-to-peer", turn.packetsToPeer());
            line(b, "packets-to-client", turn.packetsToClient());
            line(b, "bytes-to-peer", turn.bytesToPeer());
            line(b, "bytes-to-client", turn.bytesToClient());
            for (TurnRefusal x : TurnRefusal.values()) {
                if (turn.refused(x) != 0) {
                    line(b, "refused " + x.key(), turn.refused(x));
                }
            }
        }
        return b.toString();
    }

    static void line(StringBuilder b, String key, long v) {
        b.append("  ").append(key).repeat(' ', Math.max(1, 32 - key.length())).append(v).append('\n');
    }

    /**
     * {@code show stats json}: {@code "dns64":{...}, "relays":[{...}], "http":{...}, "ftp-proxies":[{...}]},
     * every counter, zeros included.
     */
    void json(JsonWriter j) {
        if (dns64 != null) {
            j.name("dns64");
            Dns64Stats.json(j, dns64);
        }
        j.name("relays").beginArray();
        for (RelayCounters r : relays) {
            j.beginObject();
            j.name("name").value(r.name());
            j.name("accepted").value(r.accepted());
            j.name("active").value(r.active());
            j.name("bytes-to-server").value(r.bytesToServer());
            j.name("bytes-to-client").value(r.bytesToClient());
            j.name("idle-closed").value(r.idleClosed());
            j.name("refused").beginObject();
            for (Refusal x : Refusal.values()) {
                j.name(x.key()).value(r.refused(x));
            }
            j.endObject();
            j.endObject();
        }
        j.endArray();
        if (http != null) {
            j.name("http").beginObject();
            j.name("connections").value(http.connections());
            j.name("active").value(http.active());
            j.name("requests").beginObject();
            for (HttpCounters.Kind k : HttpCounters.Kind.values()) {
                j.name(k.key()).value(http.requests(k));
            }
            j.endObject();
            j.name("bytes-to-server").value(http.bytesToServer());
            j.name("bytes-to-client").value(http.bytesToClient());
            j.name("refused").beginObject();
            for (HttpRefusal x : HttpRefusal.values()) {
                j.name(x.key()).value(http.refused(x));
            }
            j.endObject();
            j.endObject();
        }
        if (!ftpProxies.isEmpty()) {
            j.name("ftp-proxies").beginArray();
            for (FtpProxyCounters f : ftpProxies) {
                j.beginObject();
                j.name("name").value(f.name());
                j.name("sessions").value(f.sessions());
                j.name("active").value(f.active());
                j.name("transfers").value(f.transfers());
                j.name("translated").value(f.translated());
                j.name("tls-passthrough").value(f.tlsPassthrough());
                j.name("bytes-to-server").value(f.bytesToServer());
                j.name("bytes-to-client").value(f.bytesToClient());
                j.name("idle-closed").value(f.idleClosed());
                j.name("refused").beginObject();
                for (FtpRefusal x : FtpRefusal.values()) {
                    j.name(x.key()).value(f.refused(x));
                }
                j.endObject();
                j.endObject();
            }
            j.endArray();
        }
        if (smtp != null) {
            j.name("smtp").beginObject();
            j.name("sessions").value(smtp.sessions());
            j.name("active").value(smtp.active());
            j.name("accepted").value(smtp.accepted());
            j.name("accepted-recipients").value(smtp.acceptedRecipients());
            j.name("accepted-bytes").value(smtp.acceptedBytes());
            j.name("tls").value(smtp.tls());
            j.name("authenticated").value(smtp.authenticated());
            j.name("refusal-table-evictions").value(smtp.refusalTableEvictions());
            j.name("refused").beginObject();
            for (SmtpRefusal x : SmtpRefusal.values()) {
                j.name(x.key()).value(smtp.refused(x));
            }
            j.endObject();
            j.name("delivered").value(smtpDelivery.delivered());
            j.name("deferred").value(smtpDelivery.deferred());
            j.name("bounced").value(smtpDelivery.bounced());
            j.name("attempts").value(smtpDelivery.attempts());
            j.name("dsns").value(smtpDelivery.dsns());
            j.name("connections").value(smtpDelivery.connections());
            j.name("connections-reused").value(smtpDelivery.connectionsReused());
            j.name("connections-stale").value(smtpDelivery.connectionsStale());
            j.name("queue-size").value(smtpDelivery.queueSize());
            j.name("queue-oldest-seconds").value(smtpDelivery.oldestAge().toSeconds());
            j.endObject();
        }
        if (sip != null) {
            SipStats.json(j, sip, sipMedia);
        }
        if (turn != null) {
            j.name("turn").beginObject();
            j.name("bindings").value(turn.bindings());
            j.name("allocations").value(turn.allocations());
            j.name("active").value(turn.active());
            j.name("expired").value(turn.expired());
            j.name("permissions").value(turn.permissions());
            j.name("channels").value(turn.channels());
            j.name("packets-to-peer").value(turn.packetsToPeer());
            j.name("packets-to-client").value(turn.packetsToClient());
            j.name("bytes-to-peer").value(turn.bytesToPeer());
            j.name("bytes-to-client").value(turn.bytesToClient());
            j.name("refused").beginObject();
            for (TurnRefusal x : TurnRefusal.values()) {
                j.name(x.key()).value(turn.refused(x));
            }
            j.endObject();
            j.endObject();
        }
    }
}
