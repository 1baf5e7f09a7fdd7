package dev.isthmus.control;

import dev.isthmus.alg.http.HttpCounters;
import dev.isthmus.alg.http.HttpRefusal;
import dev.isthmus.dns64.Dns64Counters;
import dev.isthmus.relay.Refusal;
import dev.isthmus.relay.RelayCounters;
import java.util.List;

/**
 * The live counters of the socket-plane services that {@code show stats} and the metrics report
 * beside the data plane's: the DNS64 server's, the relays' and the HTTP gateway's.
 *
 * @param dns64 the DNS64 server's, or null when there is none
 * @param relays one per {@code [[relay]]}, in file order
 * @param http the HTTP gateway's, or null when there is none
 */
public record SocketPlaneStats(Dns64Counters dns64, List<RelayCounters> relays, HttpCounters http) {
    public static final SocketPlaneStats NONE = new SocketPlaneStats(null, List.of(), null);

    public SocketPlaneStats {
        relays = List.copyOf(relays);
    }

    boolean isEmpty() {
        return dns64 == null && relays.isEmpty() && http == null;
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
        return b.toString();
    }

    private static void line(StringBuilder b, String key, long v) {
        b.append("  ").append(key).repeat(' ', Math.max(1, 32 - key.length())).append(v).append('\n');
    }

    /** {@code show stats json}: {@code "dns64":{...}, "relays":[{...}], "http":{...}}, every counter, zeros included. */
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
    }
}
