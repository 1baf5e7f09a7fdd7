package dev.isthmus.xlat;

import dev.isthmus.addr.EamTable;
import dev.isthmus.addr.Rfc6052Prefix;
import dev.isthmus.wire.IpProtocol;
import dev.isthmus.wire.Ipv4View;
import dev.isthmus.wire.Ipv6Address;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
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
 * caller's {@link Feed} translates them with the sink the live translator will use (the data
 * plane's worker, writing to /dev/null meanwhile): the JIT compiles the translator for the sink
 * class it has seen, and a class seen only later would undo the compiled code.
 *
 * <p>Each round also translates one packet of a rotating set of {@link #FLOWS} address pairs
 * each way, alternately with and without DF, and a full-size TCP segment each way. C2 leaves a
 * branch that the warm-up never took out of the compiled code (an "unstable if"); live traffic
 * that takes it drops the method back to the interpreter until it is compiled again, thousands
 * of calls later. Without the rotation, the first packet of every new flow (a miss in the flow
 * memos) did that, and a lab ping ran interpreted for its whole run: ≈ 100 µs more round trip.
 */
public final class JitWarmup {
    /**
     * Rounds of the mix: each kind of packet 5,000 times, the translate call 60,000 times — past
     * HotSpot's tier-4 (C2) thresholds of 5,000 calls and 15,000 calls plus loops.
     */
    static final int DEFAULT_ROUNDS = 5_000;

    /**
     * Address pairs the rotating packets cycle through: more than the slots of the 6→4 flow memo
     * ({@code Flow64Memo}, 64) and of the mapper's memo (8), so that both miss now and then.
     */
    static final int FLOWS = 251;

    /**
     * Rounds after which the warm-up starts over with a fresh translator: a live translator
     * starts with empty memos, and the empty-slot branches must be compiled too.
     */
    static final int FRESH_EVERY = 500;

    private JitWarmup() {}

    /**
     * Where the warm-up's packets go: one round of packets for {@code translator} to translate.
     * The data plane feeds them through its own read loop, so that the loop is compiled too.
     */
    @FunctionalInterface
    public interface Feed {
        void round(Translator translator, List<byte[]> packets);
    }

    /**
     * Hands {@code feed} the rounds of the mix with a private translator built from {@code live}:
     * each round the mix and one rotating flow each way.
     */
    public static void run(XlatSettings live, Feed feed, int rounds) {
        XlatSettings settings = settings(live);
        Translator translator = null;
        List<byte[]> mix = mix();
        List<byte[]> rotating = rotating();
        List<byte[]> round = new ArrayList<>(mix.size() + 2);
        for (int r = 0; r < rounds; r++) {
            if (r % FRESH_EVERY == 0) {
                translator = new Translator(settings, new XlatCounters(), NanoClock.SYSTEM);
            }
            int f = (r % FLOWS) * 2;
            round.clear();
            round.addAll(mix);
            round.add(rotating.get(f));
            round.add(rotating.get(f + 1));
            feed.round(translator, round);
        }
    }

    /** The live settings (so the toggles steer the same branches) with the warm-up's addressing. */
    static XlatSettings settings(XlatSettings live) {
        return new XlatSettings(Rfc6052Prefix.parse("2001:db8:64::/96"),
                new EamTable(List.of(EamTable.Eam.parse("192.0.2.0/24", "2001:db8:6::/120"))),
                live.rfc6791v4(), live.rfc6791v6(), live.tos(), live.trafficClass(), live.udpZeroChecksumCompute(),
                live.lowestIpv6Mtu(), live.mtuPlateaus(), live.ipv4Mtu(), live.ipv6Mtu(), live.ownIpv4(),
                live.ownIpv6(), live.hairpin(), live.icmpErrors(), 0);
    }

    /** Runs the default number of rounds into {@code feed}. */
    public static void run(XlatSettings live, Feed feed) {
        run(live, feed, DEFAULT_ROUNDS);
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

    /**
     * Per flow a 6→4 and a 4→6 packet: client 2001:db8:6::H ↔ 192.0.2.H (the warm-up's EAM), server
     * 198.51.100.S under pool6; UDP with 64 bytes, or every third flow a TCP segment with 1,300
     * bytes (past RFC 7915 §5.1's 1,260-byte DF threshold 6→4; 4→6 without DF it is fragmented,
     * §4); DF on every other 4→6 packet.
     */
    static List<byte[]> rotating() {
        List<byte[]> packets = new ArrayList<>(2 * FLOWS);
        for (int f = 0; f < FLOWS; f++) {
            int h = 1 + f % 254;
            int server4 = 0xc6336400 | (1 + (f * 37) % 254);
            int client4 = 0xc0000200 | h;
            Ipv6Address client6 = new Ipv6Address(SamplePackets.CLIENT6.hi(), SamplePackets.CLIENT6.lo() & ~0xffL | h);
            Ipv6Address server6 = new Ipv6Address(SamplePackets.SERVER6.hi(), SamplePackets.SERVER6.lo() & ~0xffff_ffffL | server4 & 0xffff_ffffL);
            boolean tcp = f % 3 == 0;
            byte[] l4 = tcp ? SamplePackets.tcp(1300) : SamplePackets.udp(64);
            int protocol = tcp ? IpProtocol.TCP : IpProtocol.UDP;
            int checksumOffset = tcp ? 16 : 6;
            packets.add(SamplePackets.ipv6(protocol, l4, checksumOffset, client6, server6));
            packets.add(SamplePackets.ipv4(protocol, l4, checksumOffset, server4, client4, f % 2 == 0));
        }
        return packets;
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
