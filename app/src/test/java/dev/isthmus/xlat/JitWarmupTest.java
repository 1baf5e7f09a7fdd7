package dev.isthmus.xlat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.config.ConfigException;
import dev.isthmus.config.ConfigLoader;
import dev.isthmus.wire.PacketBuffer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The warm-up mix takes the paths it is meant to: each sample packet is translated or answered. */
class JitWarmupTest {
    private XlatSettings live;

    @BeforeEach
    void settings() throws ConfigException {
        live = ConfigLoader.parse(SamplePackets.CONFIG, "test.toml").siit().toXlatSettings();
    }

    @Test
    void everyPacketOfTheMixGivesOnePacket() {
        long[] emitted = new long[1];
        // Three rounds: the mix three times and the first three rotating flows, a packet each way
        // (flow 0 a TCP segment with DF, flows 1 and 2 UDP; the first 4→6 segment without DF,
        // which becomes two fragments, is flow 3's).
        try (Arena arena = Arena.ofConfined()) {
            PacketBuffer pkt = PacketBuffer.allocate(arena, PacketBuffer.DEFAULT_CAPACITY);
            JitWarmup.run(live, (t, packets) -> {
                for (byte[] p : packets) {
                    pkt.load(MemorySegment.ofArray(p), 0, p.length);
                    t.translate(pkt, (s, o, l) -> emitted[0]++);
                }
            }, 3);
        }
        assertEquals(JitWarmup.mix().size() * 3L + 3 * 2, emitted[0]);
    }

    @Test
    void theRotatingFlowsAreAllTranslatedWithDistinctPairs() {
        XlatCounters counters = new XlatCounters();
        Translator t = new Translator(JitWarmup.settings(live), counters, NanoClock.SYSTEM);
        List<byte[]> rotating = JitWarmup.rotating();
        Set<String> pairs = new HashSet<>();
        try (Arena arena = Arena.ofConfined()) {
            PacketBuffer pkt = PacketBuffer.allocate(arena, PacketBuffer.DEFAULT_CAPACITY);
            for (byte[] p : rotating) {
                pkt.load(MemorySegment.ofArray(p), 0, p.length);
                assertEquals(Verdict.TRANSLATED, t.translate(pkt, (s, o, l) -> { }), HexFormat.of().formatHex(p));
                pairs.add(HexFormat.of().formatHex(Arrays.copyOfRange(p, p[0] >>> 4 == 6 ? 8 : 12, p[0] >>> 4 == 6 ? 40 : 20)));
            }
        }
        assertEquals(2 * JitWarmup.FLOWS, rotating.size());
        assertEquals(2 * JitWarmup.FLOWS, pairs.size(), "every flow has its own address pair");
        assertTrue(counters.paths(Path.TCP_46) > 0 && counters.paths(Path.UDP_64) > 0);
    }

    @Test
    void onlyTheHopLimitOnePacketsAreDroppedAndAnswered() {
        XlatCounters counters = new XlatCounters();
        Translator t = new Translator(live, counters, NanoClock.SYSTEM);
        try (Arena arena = Arena.ofConfined()) {
            PacketBuffer pkt = PacketBuffer.allocate(arena, PacketBuffer.DEFAULT_CAPACITY);
            for (byte[] p : JitWarmup.mix()) {
                pkt.load(MemorySegment.ofArray(p), 0, p.length);
                t.translate(pkt, (s, o, l) -> { });
            }
        }
        for (DropReason r : DropReason.values()) {
            if (r != DropReason.NONE) {
                assertEquals(r == DropReason.TTL_EXPIRED ? 2 : 0, counters.drops(r), r.name());
            }
        }
        assertEquals(10, counters.paths(Path.TCP_64) + counters.paths(Path.TCP_46) + counters.paths(Path.UDP_64)
                + counters.paths(Path.UDP_46) + counters.paths(Path.ICMP_INFO_64) + counters.paths(Path.ICMP_INFO_46)
                + counters.paths(Path.ICMP_ERROR_64) + counters.paths(Path.ICMP_ERROR_46));
    }
}
