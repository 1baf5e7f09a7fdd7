package dev.isthmus.bench;

import dev.isthmus.addr.EamTable;
import dev.isthmus.addr.Ipv4Pool;
import dev.isthmus.addr.Rfc6052Prefix;
import dev.isthmus.nat.Nat64Settings;
import dev.isthmus.nat.Nat64Table;
import dev.isthmus.nat.Nat64Translator;
import dev.isthmus.nat.NatProtocol;
import dev.isthmus.nat.NatResult;
import dev.isthmus.nat.NatVerdict;
import dev.isthmus.nat.Pool4;
import dev.isthmus.wire.IpProtocol;
import dev.isthmus.wire.Ipv4Address;
import dev.isthmus.wire.Ipv6Address;
import dev.isthmus.wire.PacketBuffer;
import dev.isthmus.wire.PacketSink;
import dev.isthmus.xlat.NanoClock;
import dev.isthmus.xlat.SamplePackets;
import dev.isthmus.xlat.Verdict;
import dev.isthmus.xlat.XlatCounters;
import dev.isthmus.xlat.XlatSettings;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One packet of an existing flow through the stateful NAT64 ({@link Nat64Translator}): table
 * lookup and refresh, stateless translation, port rewrite, in place as in the data plane. The
 * table also holds {@code sessions} other sessions. Compare with {@code TranslateBenchmark}
 * (stateless, same packets) for what the state costs.
 *
 * <p>Run: {@code java -jar bench/target/benchmarks.jar Nat64TranslateBenchmark -prof gc}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class Nat64TranslateBenchmark {
    private static final Ipv6Address CLIENT = SamplePackets.CLIENT6;
    private static final int T = Ipv4Address.parse("192.0.2.2");

    @Param({"udp64", "udp46", "tcp64", "tcp46", "echo64"})
    public String packet;

    @Param({"100000"})
    public int sessions;

    private Nat64Translator translator;
    private PacketBuffer buffer;
    private MemorySegment input;
    private int inputLength;
    private final Sink sink = new Sink();

    @Setup
    public void setup() {
        Nat64Table table = new Nat64Table(Nat64Settings.builder(Pool4.of("192.0.2.2/32")).build(), null);
        long now = System.nanoTime();
        NatResult r = new NatResult();
        // One pool4 address, so the flow's T is 192.0.2.2 whatever the others took; sixteen
        // sessions per BIB entry (sixteen server ports), so that the others leave ports to spare.
        for (int i = 0; i < sessions; i++) {
            int bib = i / 16;
            if (table.outbound(r, NatProtocol.UDP, 0x20010db800070000L, bib / 128, 10_000 + bib % 128,
                    SamplePackets.SERVER4, 53 + i % 16, 0, now) != NatVerdict.OK) {
                throw new IllegalStateException("filler session " + i + " refused: " + r.verdict());
            }
        }
        XlatSettings s = new XlatSettings(Rfc6052Prefix.parse("2001:db8:64::/96"), new EamTable(List.of()),
                Ipv4Pool.empty(), null, -1, -1, true, 1280, null, 1500, 1500, T,
                Ipv6Address.parse("2001:db8:64::c000:202"), XlatSettings.HairpinMode.OFF, true, 0);
        translator = new Nat64Translator(table, s, new XlatCounters(), NanoClock.SYSTEM);
        buffer = PacketBuffer.allocate(Arena.ofAuto(), PacketBuffer.DEFAULT_CAPACITY);
        // The flow's first packets, so that the measured one finds its state.
        int udpT = open(SamplePackets.ipv6(IpProtocol.UDP, SamplePackets.udp(64), 6));
        byte[] syn = SamplePackets.tcp(64);
        syn[13] = 0x02;
        int tcpT = open(SamplePackets.ipv6(IpProtocol.TCP, syn, 16));
        byte[] p = switch (packet) {
            case "udp64" -> SamplePackets.ipv6(IpProtocol.UDP, SamplePackets.udp(64), 6);
            case "udp46" -> SamplePackets.ipv4(IpProtocol.UDP, swapPorts(SamplePackets.udp(64), udpT), 6,
                    SamplePackets.SERVER4, T, true);
            case "tcp64" -> SamplePackets.ipv6(IpProtocol.TCP, SamplePackets.tcp(64), 16);
            case "tcp46" -> SamplePackets.ipv4(IpProtocol.TCP, swapPorts(SamplePackets.tcp(64), tcpT), 16,
                    SamplePackets.SERVER4, T, true);
            case "echo64" -> SamplePackets.ipv6(IpProtocol.ICMPV6, SamplePackets.echo(128, 64), 2);
            default -> throw new IllegalArgumentException(packet);
        };
        input = Arena.ofAuto().allocate(p.length);
        MemorySegment.copy(p, 0, input, ValueLayout.JAVA_BYTE, 0, p.length);
        inputLength = p.length;
        load();
        if (translator.translate(buffer, sink) != Verdict.TRANSLATED) {
            throw new IllegalStateException(packet + " was not translated: " + translator.trace().reason());
        }
    }

    /** Translates the flow's first packet 6→4; returns its new source port t. */
    private int open(byte[] p) {
        buffer.load(p);
        int[] t = new int[1];
        translator.translate(buffer, (seg, off, len) -> t[0] = Short.toUnsignedInt(
                seg.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), off + 20)));
        return t[0];
    }

    /** The server's reply: the server's port (the request's destination) as source, t as destination. */
    private static byte[] swapPorts(byte[] l4, int t) {
        l4[0] = l4[2];
        l4[1] = l4[3];
        l4[2] = (byte) (t >>> 8);
        l4[3] = (byte) t;
        return l4;
    }

    private void load() {
        MemorySegment.copy(input, 0, buffer.segment(), PacketBuffer.HEADROOM, inputLength);
        buffer.set(PacketBuffer.HEADROOM, inputLength);
    }

    @Benchmark
    public int translate() {
        load();
        translator.translate(buffer, sink);
        return sink.last;
    }

    static final class Sink implements PacketSink {
        int last;

        @Override
        public void emit(MemorySegment segment, int offset, int length) {
            last = length;
        }
    }
}
