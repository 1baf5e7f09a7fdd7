package dev.isthmus.control;

import dev.isthmus.dns64.Dns64Counter;
import dev.isthmus.dns64.Dns64Counters;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The DNS64 server's counters in the three forms the other counters have: a {@code show stats}
 * table section (every counter, zeros too: the list is short and fixed), a {@code show stats
 * json} object, and the Prometheus series {@code isthmus_dns64_total{counter}}.
 */
final class Dns64Stats {
    private Dns64Stats() {}

    static String text(Dns64Counters c) {
        int width = 0;
        for (Dns64Counter k : Dns64Counter.values()) {
            width = Math.max(width, k.key().length());
        }
        StringBuilder b = new StringBuilder("dns64\n");
        for (Dns64Counter k : Dns64Counter.values()) {
            String v = Long.toUnsignedString(c.get(k));
            b.append("  ").append(k.key()).repeat(' ', width - k.key().length() + 2 + Math.max(0, 8 - v.length()))
                    .append(v).append('\n');
        }
        return b.toString();
    }

    static void json(JsonWriter j, Dns64Counters c) {
        j.beginObject();
        for (Dns64Counter k : Dns64Counter.values()) {
            j.name(k.key()).unsigned(c.get(k));
        }
        j.endObject();
    }

    /** One callback counter; each scrape reads the live values. */
    static void register(PrometheusRegistry registry, Dns64Counters c) {
        CounterWithCallback.builder()
                .name("isthmus_dns64_total")
                .help("DNS64 server events, per counter (docs/CONFIG.md, [dns64]; show stats explains each)")
                .labelNames("counter")
                .callback(cb -> {
                    for (Dns64Counter k : Dns64Counter.values()) {
                        cb.call(c.get(k), k.key());
                    }
                })
                .register(registry);
    }
}
