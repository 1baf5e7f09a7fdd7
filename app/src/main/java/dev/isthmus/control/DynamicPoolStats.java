package dev.isthmus.control;

import dev.isthmus.nat.pool.DynamicPool;
import dev.isthmus.nat.pool.DynamicPoolService;
import dev.isthmus.wire.Ipv4Address;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Instant;
import java.util.List;

/**
 * The dynamic address pool in {@code show stats}, {@code show bindings} and the metrics:
 *
 * <ul>
 *   <li>{@code isthmus_dynamic_pool_addresses{state="dynamic"|"static"|"free"}} (gauge);
 *   <li>{@code isthmus_dynamic_pool_bindings_total{event="created"|"released"|"refused-exhausted"}};
 *   <li>{@code isthmus_dynamic_pool_file_writes_total{result="ok"|"failed"}}.
 * </ul>
 *
 * The per-packet refusals are also drop reasons of the translator ({@code dynamic-pool-exhausted},
 * {@code no-dynamic-binding}, {@code source-in-dynamic-pool}).
 */
final class DynamicPoolStats {
    private DynamicPoolStats() {}

    /** The {@code show stats} block. */
    static String text(DynamicPoolService s) {
        DynamicPool p = s.pool();
        StringBuilder b = new StringBuilder("\ndynamic pool ").append(p.prefix()).append('\n');
        line(b, "addresses", p.size());
        line(b, "bound-dynamic", p.dynamicBindings());
        line(b, "bound-static", p.staticBindings());
        line(b, "free", p.freeAddresses());
        line(b, "created", p.created());
        line(b, "released", p.released());
        line(b, "refused-exhausted", p.exhausted());
        line(b, "file-writes", s.writes());
        line(b, "file-write-errors", s.writeErrors());
        line(b, "file-lines-skipped", s.loadProblems().size());
        return b.toString();
    }

    private static void line(StringBuilder b, String key, long v) {
        b.append("  ").append(key).repeat(' ', Math.max(1, 32 - key.length())).append(v).append('\n');
    }

    /** {@code "dynamic_pool":{...}} in {@code show stats json}. */
    static void json(JsonWriter j, DynamicPoolService s) {
        DynamicPool p = s.pool();
        j.name("dynamic_pool").beginObject();
        j.name("prefix").value(p.prefix().toString());
        j.name("addresses").value(p.size());
        j.name("bound-dynamic").value(p.dynamicBindings());
        j.name("bound-static").value(p.staticBindings());
        j.name("free").value(p.freeAddresses());
        j.name("created").unsigned(p.created());
        j.name("released").unsigned(p.released());
        j.name("refused-exhausted").unsigned(p.exhausted());
        j.name("file-writes").unsigned(s.writes());
        j.name("file-write-errors").unsigned(s.writeErrors());
        j.name("file-lines-skipped").value(s.loadProblems().size());
        j.endObject();
    }

    /** {@code show bindings}: one line per binding, IPv4 order. */
    static String bindingsText(DynamicPoolService s, long nowMillis) {
        DynamicPool p = s.pool();
        List<DynamicPool.Binding> all = p.bindings();
        StringBuilder b = new StringBuilder();
        b.append("dynamic pool ").append(p.prefix()).append(": ").append(all.size()).append(" of ").append(p.size())
                .append(" addresses bound, idle timeout ").append(p.idleTimeoutMillis() / 1000).append(" s\n");
        if (all.isEmpty()) {
            return b.toString();
        }
        b.append(String.format("%-16s %-40s %-8s %s%n", "ipv4", "ipv6", "kind", "idle"));
        for (DynamicPool.Binding x : all) {
            String idle = x.isDynamic() ? Math.max(0, (nowMillis - x.lastUsedMillis()) / 1000) + " s" : "-";
            b.append(String.format("%-16s %-40s %-8s %s%n", Ipv4Address.format(x.ipv4()), x.ipv6(), x.kind(), idle));
        }
        return b.toString();
    }

    /** {@code show bindings json}. */
    static String bindingsJson(DynamicPoolService s) {
        DynamicPool p = s.pool();
        JsonWriter j = new JsonWriter().beginObject();
        j.name("prefix").value(p.prefix().toString());
        j.name("addresses").value(p.size());
        j.name("idle_timeout_s").value(p.idleTimeoutMillis() / 1000);
        j.name("bindings").beginArray();
        for (DynamicPool.Binding x : p.bindings()) {
            j.beginObject();
            j.name("ipv4").value(Ipv4Address.format(x.ipv4()));
            j.name("ipv6").value(x.ipv6().toString());
            j.name("kind").value(x.kind());
            j.name("last_used").value(Instant.ofEpochMilli(x.lastUsedMillis()).toString());
            j.endObject();
        }
        j.endArray();
        return j.endObject().finish();
    }

    static void register(PrometheusRegistry registry, DynamicPoolService s) {
        DynamicPool p = s.pool();
        GaugeWithCallback.builder().name("isthmus_dynamic_pool_addresses")
                .help("Addresses of the dynamic pool by state").labelNames("state")
                .callback(cb -> {
                    cb.call(p.dynamicBindings(), "dynamic");
                    cb.call(p.staticBindings(), "static");
                    cb.call(p.freeAddresses(), "free");
                }).register(registry);
        CounterWithCallback.builder().name("isthmus_dynamic_pool_bindings_total")
                .help("Dynamic pool bindings created, released by the idle timeout, refused (pool exhausted)")
                .labelNames("event")
                .callback(cb -> {
                    cb.call(p.created(), "created");
                    cb.call(p.released(), "released");
                    cb.call(p.exhausted(), "refused-exhausted");
                }).register(registry);
        CounterWithCallback.builder().name("isthmus_dynamic_pool_file_writes_total")
                .help("Writes of the dynamic pool's persistence file").labelNames("result")
                .callback(cb -> {
                    cb.call(s.writes(), "ok");
                    cb.call(s.writeErrors(), "failed");
                }).register(registry);
    }
}
