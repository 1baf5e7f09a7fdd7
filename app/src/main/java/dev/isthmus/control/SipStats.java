package dev.isthmus.control;

import dev.isthmus.alg.sip.media.MediaCallStats;
import dev.isthmus.alg.sip.media.MediaCounters;
import dev.isthmus.alg.sip.media.MediaDrop;
import dev.isthmus.alg.sip.media.MediaUnavailable;
import dev.isthmus.alg.sip.proxy.CallView;
import dev.isthmus.alg.sip.proxy.SipCounters;
import dev.isthmus.alg.sip.proxy.SipRefusal;
import dev.isthmus.relay.Families;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * The SIP proxy's and media relay's blocks of {@code show stats}, their metrics, and
 * {@code show calls}. Metrics: {@code isthmus_sip_events_total{event}} per {@code SipCounters.Event}
 * key, {@code isthmus_sip_refused_total{reason}} per {@code SipRefusal} key, {@code isthmus_sip_registrations},
 * {@code isthmus_sip_calls}, {@code isthmus_sip_transactions}; with a media relay
 * {@code isthmus_sip_media_calls_total{event="opened"|"ended"|"timed-out"}}, {@code isthmus_sip_media_active_calls},
 * {@code isthmus_sip_media_packets_total}, {@code isthmus_sip_media_bytes_total},
 * {@code isthmus_sip_media_refused_total{reason}}, {@code isthmus_sip_media_dropped_total{reason}}.
 */
final class SipStats {
    private SipStats() {}

    static void register(PrometheusRegistry registry, SipCounters sip, MediaCounters media) {
        CounterWithCallback.builder().name("isthmus_sip_events_total")
                .help("SIP proxy events: requests and responses received and forwarded, retransmissions, registrations, calls")
                .labelNames("event")
                .callback(cb -> {
                    for (SipCounters.Event e : SipCounters.Event.values()) {
                        cb.call(sip.count(e), e.key());
                    }
                }).register(registry);
        CounterWithCallback.builder().name("isthmus_sip_refused_total")
                .help("Messages and connections the SIP proxy refused or dropped, per reason").labelNames("reason")
                .callback(cb -> {
                    for (SipRefusal r : SipRefusal.values()) {
                        cb.call(sip.refused(r), r.key());
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("isthmus_sip_registrations").help("Contact bindings of the SIP registrar")
                .callback(cb -> cb.call(sip.registrations())).register(registry);
        GaugeWithCallback.builder().name("isthmus_sip_calls").help("Calls the SIP proxy has Record-Routed and not seen end")
                .callback(cb -> cb.call(sip.calls())).register(registry);
        GaugeWithCallback.builder().name("isthmus_sip_transactions").help("SIP server transactions kept")
                .callback(cb -> cb.call(sip.transactions())).register(registry);
        if (media == null) {
            return;
        }
        CounterWithCallback.builder().name("isthmus_sip_media_calls_total").help("Calls of the media relay")
                .labelNames("event")
                .callback(cb -> {
                    cb.call(media.opened(), "opened");
                    cb.call(media.ended(), "ended");
                    cb.call(media.timedOut(), "timed-out");
                }).register(registry);
        GaugeWithCallback.builder().name("isthmus_sip_media_active_calls").help("Calls whose media the relay carries now")
                .callback(cb -> cb.call(media.active())).register(registry);
        CounterWithCallback.builder().name("isthmus_sip_media_packets_total").help("RTP and RTCP datagrams relayed")
                .callback(cb -> cb.call(media.packets())).register(registry);
        CounterWithCallback.builder().name("isthmus_sip_media_bytes_total").help("Payload bytes of the datagrams relayed")
                .callback(cb -> cb.call(media.bytes())).register(registry);
        CounterWithCallback.builder().name("isthmus_sip_media_refused_total")
                .help("Media the relay could not set up, per reason").labelNames("reason")
                .callback(cb -> {
                    for (MediaUnavailable.Reason r : MediaUnavailable.Reason.values()) {
                        cb.call(media.refused(r), r.key());
                    }
                }).register(registry);
        CounterWithCallback.builder().name("isthmus_sip_media_dropped_total")
                .help("Datagrams the media relay dropped, per reason").labelNames("reason")
                .callback(cb -> {
                    for (MediaDrop d : MediaDrop.values()) {
                        cb.call(media.dropped(d), d.key());
                    }
                }).register(registry);
    }

    static void text(StringBuilder b, SipCounters sip, MediaCounters media) {
        b.append("\nsip\n");
        for (SipCounters.Event e : SipCounters.Event.values()) {
            SocketPlaneStats.line(b, e.key(), sip.count(e));
        }
        SocketPlaneStats.line(b, "registrations-now", sip.registrations());
        SocketPlaneStats.line(b, "calls-now", sip.calls());
        SocketPlaneStats.line(b, "transactions-now", sip.transactions());
        for (SipRefusal r : SipRefusal.values()) {
            if (sip.refused(r) != 0) {
                SocketPlaneStats.line(b, "refused " + r.key(), sip.refused(r));
            }
        }
        if (media == null) {
            return;
        }
        b.append("\nsip media\n");
        SocketPlaneStats.line(b, "calls-opened", media.opened());
        SocketPlaneStats.line(b, "calls-ended", media.ended());
        SocketPlaneStats.line(b, "calls-timed-out", media.timedOut());
        SocketPlaneStats.line(b, "calls-now", media.active());
        SocketPlaneStats.line(b, "packets", media.packets());
        SocketPlaneStats.line(b, "bytes", media.bytes());
        for (MediaUnavailable.Reason r : MediaUnavailable.Reason.values()) {
            if (media.refused(r) != 0) {
                SocketPlaneStats.line(b, "refused " + r.key(), media.refused(r));
            }
        }
        for (MediaDrop d : MediaDrop.values()) {
            if (media.dropped(d) != 0) {
                SocketPlaneStats.line(b, "dropped " + d.key(), media.dropped(d));
            }
        }
    }

    static void json(JsonWriter j, SipCounters sip, MediaCounters media) {
        j.name("sip").beginObject();
        for (SipCounters.Event e : SipCounters.Event.values()) {
            j.name(e.key()).value(sip.count(e));
        }
        j.name("registrations-now").value(sip.registrations());
        j.name("calls-now").value(sip.calls());
        j.name("transactions-now").value(sip.transactions());
        j.name("refused").beginObject();
        for (SipRefusal r : SipRefusal.values()) {
            j.name(r.key()).value(sip.refused(r));
        }
        j.endObject();
        if (media != null) {
            j.name("media").beginObject();
            j.name("calls-opened").value(media.opened());
            j.name("calls-ended").value(media.ended());
            j.name("calls-timed-out").value(media.timedOut());
            j.name("calls-now").value(media.active());
            j.name("packets").value(media.packets());
            j.name("bytes").value(media.bytes());
            j.name("refused").beginObject();
            for (MediaUnavailable.Reason r : MediaUnavailable.Reason.values()) {
                j.name(r.key()).value(media.refused(r));
            }
            j.endObject();
            j.name("dropped").beginObject();
            for (MediaDrop d : MediaDrop.values()) {
                j.name(d.key()).value(media.dropped(d));
            }
            j.endObject();
            j.endObject();
        }
        j.endObject();
    }

    /** {@code show calls}: a line per call, a line per relayed stream under it. */
    static String callsText(List<CallView> calls) {
        if (calls.isEmpty()) {
            return "no calls\n";
        }
        StringBuilder b = new StringBuilder();
        for (CallView c : calls) {
            b.append(c.callId()).append("  ").append(c.caller()).append(" (").append(c.callerFamily()).append(") -> ")
                    .append(c.callee()).append(" (").append(c.calleeFamily()).append(")  ")
                    .append(c.confirmed() ? "confirmed" : "early").append("  ").append(c.ageSeconds()).append(" s  ")
                    .append(c.media() == null ? "media direct" : "media relayed").append('\n');
            if (c.media() == null) {
                continue;
            }
            for (MediaCallStats.Stream s : c.media().streams()) {
                b.append("  stream ").append(s.index())
                        .append("  caller ").append(text(s.callerLatched() != null ? s.callerLatched() : s.callerAnnounced()))
                        .append(" <-> relay ").append(s.callerPorts() == null ? "-" : s.callerPorts().rtp())
                        .append(" | relay ").append(s.calleePorts() == null ? "-" : s.calleePorts().rtp())
                        .append(" <-> callee ").append(text(s.calleeLatched() != null ? s.calleeLatched() : s.calleeAnnounced()))
                        .append("  packets to callee ").append(s.packetsToCallee())
                        .append(", to caller ").append(s.packetsToCaller())
                        .append(", dropped ").append(s.dropped()).append('\n');
            }
        }
        return b.toString();
    }

    /** {@code show calls json}: {@code {"calls":[...]}}. */
    static String callsJson(List<CallView> calls) {
        JsonWriter j = new JsonWriter().beginObject();
        j.name("calls").beginArray();
        for (CallView c : calls) {
            j.beginObject();
            j.name("call_id").value(c.callId());
            j.name("caller").value(c.caller());
            j.name("callee").value(c.callee());
            j.name("caller_family").value(c.callerFamily());
            j.name("callee_family").value(c.calleeFamily());
            j.name("confirmed").value(c.confirmed());
            j.name("age_seconds").value(c.ageSeconds());
            j.name("relayed").value(c.media() != null);
            j.name("streams").beginArray();
            if (c.media() != null) {
                for (MediaCallStats.Stream s : c.media().streams()) {
                    j.beginObject();
                    j.name("index").value(s.index());
                    j.name("caller_relay_port").value(s.callerPorts() == null ? 0 : s.callerPorts().rtp());
                    j.name("callee_relay_port").value(s.calleePorts() == null ? 0 : s.calleePorts().rtp());
                    j.name("caller_announced").value(text(s.callerAnnounced()));
                    j.name("caller_latched").value(text(s.callerLatched()));
                    j.name("callee_announced").value(text(s.calleeAnnounced()));
                    j.name("callee_latched").value(text(s.calleeLatched()));
                    j.name("packets_to_callee").value(s.packetsToCallee());
                    j.name("bytes_to_callee").value(s.bytesToCallee());
                    j.name("packets_to_caller").value(s.packetsToCaller());
                    j.name("bytes_to_caller").value(s.bytesToCaller());
                    j.name("dropped").value(s.dropped());
                    j.endObject();
                }
            }
            j.endArray();
            j.endObject();
        }
        j.endArray();
        return j.endObject().finish();
    }

    private static String text(InetSocketAddress a) {
        return a == null ? "-" : Families.text(a);
    }
}
