package dev.isthmus.xlat;

import dev.isthmus.addr.EamTable;
import dev.isthmus.addr.Rfc6052Prefix;
import dev.isthmus.wire.IpProtocol;
import dev.isthmus.wire.Ipv4View;
import dev.isthmus.wire.PacketBuffer;
import dev.isthmus.wire.PacketSink;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * Translates a mix of sample packets many times before the data plane opens, so that the JIT
 * has compiled the translator when the first real packet arrives. Without it the first few
 * thousand packets of each kind run interpreted, tens of microseconds each: a ping through a
 * freshly started translator would take several times its steady round-trip time.
 *
 * <p>The mix covers each path a live translator takes (TCP, UDP, echo request and reply both
 * ways, an ICMP error each way, a Time Exceeded the translator originates) on a private
 * translator: the live settings (so the toggles steer the same branches) with the addressing of
 * {@link SamplePackets} in place of the configured prefixes. Its counters are thrown away. The
 * caller passes the sink the live translator will use (the data plane's worker, writing to
 * /dev/null meanwhile): the JIT compiles the translator for the sink class it has seen, and a
 * class seen only later would undo the compiled code.
 */
public final class JitWarmup {
    /**
     * Rounds of the mix: each kind of packet 5,000 times, the translate call 60,000 times — past
     * HotSpot's tier-4 (C2) thresholds of 5,000 calls and 15,000 calls plus loops.
     */
    static final int DEFAULT_ROUNDS = 5_000;

    private JitWarmup() {}

    /** Runs the mix {@code rounds} times through a private translator built from {@code live} into {@code sink}. */
    public static void run(XlatSettings live, PacketSink sink, int rounds) {
        XlatSettings settings = new XlatSettings(
                Rfc6052Prefix.parse("2001:db8:64::/96"),
                new EamTable(List.of(EamTable.Eam.parse("192.0.2.2/32", "2001:db8:6::2/128"))),
                live.rfc6791v4(), live.rfc6791v6(), live.tos(), live.trafficClass(), live.udpZeroChecksumCompute(),
                live.lowestIpv6Mtu(), live.mtuPlateaus(), live.ipv4Mtu(), live.ipv6Mtu(), live.ownIpv4(),
                live.ownIpv6(), live.hairpin(), live.icmpErrors(), 0);
        Translator translator = new Translator(settings, new XlatCounters(), NanoClock.SYSTEM);
        List<byte[]> mix = mix();
        Offload offload = new Offload();
        try (Arena arena = Arena.ofConfined()) {
            PacketBuffer pkt = PacketBuffer.allocate(arena, PacketBuffer.DEFAULT_CAPACITY);
            MemorySegment seg = pkt.segment();
            for (int r = 0; r < rounds; r++) {
                for (byte[] p : mix) {
                    MemorySegment.copy(MemorySegment.ofArray(p), 0, seg, PacketBuffer.HEADROOM, p.length);
                    pkt.set(PacketBuffer.HEADROOM, p.length);
                    offload.clear();
                    translator.translate(pkt, sink, offload);
                }
            }
        }
    }

    /** Runs the default number of rounds. */
    public static void run(XlatSettings live, PacketSink sink) {
        run(live, sink, DEFAULT_ROUNDS);
    }

    static List<byte[]> mix() {
        byte[] udp4 = SamplePackets.ipv4(IpProtocol.UDP, SamplePackets.udp(64), 6);
        byte[] udp6 = SamplePackets.ipv6(IpProtocol.UDP, SamplePackets.udp(64), 6);
        return List.of(
                udp6,
                udp4,
                SamplePackets.ipv6(IpProtocol.TCP, SamplePackets.tcp(64), 16),
                SamplePackets.ipv4(IpProtocol.TCP, SamplePackets.tcp(64), 16),
                SamplePackets.ipv6(IpProtocol.ICMPV6, SamplePackets.echo(128, 56), 2),
                SamplePackets.ipv6(IpProtocol.ICMPV6, SamplePackets.echo(129, 56), 2),
                SamplePackets.ipv4(IpProtocol.ICMP, SamplePackets.echo(8, 56), 2),
                SamplePackets.ipv4(IpProtocol.ICMP, SamplePackets.echo(0, 56), 2),
                // An IPv4 router's Time Exceeded about a 6→4 packet, and the client's Port
                // Unreachable (ICMPv6 1/4) about a 4→6 one.
                SamplePackets.ipv4(IpProtocol.ICMP, SamplePackets.timeExceededAbout(udp4), 2),
                SamplePackets.ipv6(IpProtocol.ICMPV6, SamplePackets.portUnreachableAbout(udp6), 2),
                // Hop Limit / TTL 1: the translator answers with Time Exceeded itself.
                hopLimitOne(udp6),
                ttlOne(udp4));
    }

    private static byte[] hopLimitOne(byte[] ipv6) {
        byte[] p = ipv6.clone();
        p[7] = 1;
        return p;
    }

    private static byte[] ttlOne(byte[] ipv4) {
        byte[] p = ipv4.clone();
        new Ipv4View().wrap(MemorySegment.ofArray(p), 0).setTtl(1).fillChecksum();
        return p;
    }
}
