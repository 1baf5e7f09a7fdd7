package dev.isthmus.control;

import dev.isthmus.nat.Nat64Service;
import dev.isthmus.nat.pool.DynamicPoolService;
import dev.isthmus.xlat.DropReason;
import dev.isthmus.xlat.Path;

/**
 * {@code show stats json}: every counter, zeros included, so that a script finds the same fields
 * in every answer. Structural names are snake_case; counter names are the operator-visible keys
 * that {@code show stats} and the metrics labels use ({@code tcp-64}, {@code ttl-expired}):
 *
 * <pre>
 * {"workers":2,
 *  "total":{"tun":{"packets-in":200,...},"translated":{"tcp-64":100,...},"dropped":{"truncated":0,...}},
 *  "per_worker":[{"worker":0,"tun":{...},"translated":{...},"dropped":{...}}, ...]}
 * </pre>
 */
final class StatsJson {
    private StatsJson() {}

    static String render(StatsSnapshot s) {
        return render(s, SocketPlaneStats.NONE);
    }

    /** As {@link #render(StatsSnapshot)}, and the socket plane's counters ({@link SocketPlaneStats#json}) after them. */
    static String render(StatsSnapshot s, SocketPlaneStats socketPlane) {
        return render(s, socketPlane, null);
    }

    /** As {@link #render(StatsSnapshot, SocketPlaneStats)}, and {@code "dynamic_pool":{...}} when a pool runs. */
    static String render(StatsSnapshot s, SocketPlaneStats socketPlane, DynamicPoolService pool) {
        return render(s, socketPlane, pool, null);
    }

    /** As above, and {@code "nat64":{...}} when stateful NAT64 runs. */
    static String render(StatsSnapshot s, SocketPlaneStats socketPlane, DynamicPoolService pool, Nat64Service nat64) {
        JsonWriter j = new JsonWriter().beginObject();
        j.name("workers").value(s.workers());
        j.name("total").beginObject();
        j.name("tun").beginObject();
        for (StatsSnapshot.Tun t : StatsSnapshot.Tun.values()) {
            j.name(t.key).unsigned(s.tunTotal(t));
        }
        j.endObject();
        j.name("translated").beginObject();
        for (Path p : Path.values()) {
            j.name(p.key()).unsigned(s.pathTotal(p));
        }
        j.endObject();
        j.name("dropped").beginObject();
        for (DropReason r : DropReason.values()) {
            if (StatsSnapshot.isDrop(r)) {
                j.name(r.key()).unsigned(s.dropTotal(r));
            }
        }
        j.endObject();
        j.endObject();
        j.name("per_worker").beginArray();
        for (int w = 0; w < s.workers(); w++) {
            j.beginObject();
            j.name("worker").value(w);
            j.name("tun").beginObject();
            for (StatsSnapshot.Tun t : StatsSnapshot.Tun.values()) {
                j.name(t.key).unsigned(s.tun(t, w));
            }
            j.endObject();
            j.name("translated").beginObject();
            for (Path p : Path.values()) {
                j.name(p.key()).unsigned(s.paths()[w][p.ordinal()]);
            }
            j.endObject();
            j.name("dropped").beginObject();
            for (DropReason r : DropReason.values()) {
                if (StatsSnapshot.isDrop(r)) {
                    j.name(r.key()).unsigned(s.drops()[w][r.ordinal()]);
                }
            }
            j.endObject();
            j.endObject();
        }
        j.endArray();
        if (!socketPlane.isEmpty()) {
            socketPlane.json(j);
        }
        if (nat64 != null) {
            Nat64Stats.json(j, nat64);
        }
        if (pool != null) {
            DynamicPoolStats.json(j, pool);
        }
        return j.endObject().finish();
    }
}
