package dev.isthmus.bench;

import dev.isthmus.config.ConfigLoader;
import dev.isthmus.wire.IpProtocol;
import dev.isthmus.wire.PacketBuffer;
import dev.isthmus.wire.PacketSink;
import dev.isthmus.xlat.NanoClock;
import dev.isthmus.xlat.SamplePackets;
import dev.isthmus.xlat.Translator;
import dev.isthmus.xlat.XlatCounters;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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
 * One packet through {@link Translator#translate}: 6→4 and 4→6 of UDP, TCP, ICMP echo and an ICMP
 * error, as the hot path sees them (native buffer with headroom, in-place rewrite, a sink that
 * only looks at the length). Each operation first restores the input bytes (the translation is
 * in place); {@code copyOnly} measures that restore alone so it can be subtracted.
 *
 * <p>Run: {@code java -jar bench/target/benchmarks.jar TranslateBenchmark -prof gc}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class TranslateBenchmark {
    /** Direction and packet kind. UDP/TCP/echo carry a 64-byte payload. */
    @Param({"udp64", "udp46", "tcp64", "tcp46", "echo64", "echo46", "error46"})
    public String packet;

    private Translator translator;
    private PacketBuffer buffer;
    private MemorySegment input;
    private int inputLength;
    private final Sink sink = new Sink();

    @Setup
    public void setup() throws Exception {
        translator = new Translator(
                ConfigLoader.parse(SamplePackets.CONFIG, "bench.toml").siit().toXlatSettings(),
                new XlatCounters(), NanoClock.SYSTEM);
        buffer = PacketBuffer.allocate(Arena.ofAuto(), PacketBuffer.DEFAULT_CAPACITY);
        byte[] p = switch (packet) {
            case "udp64" -> SamplePackets.ipv6(IpProtocol.UDP, SamplePackets.udp(64), 6);
            case "udp46" -> SamplePackets.ipv4(IpProtocol.UDP, SamplePackets.udp(64), 6);
            case "tcp64" -> SamplePackets.ipv6(IpProtocol.TCP, SamplePackets.tcp(64), 16);
            case "tcp46" -> SamplePackets.ipv4(IpProtocol.TCP, SamplePackets.tcp(64), 16);
            case "echo64" -> SamplePackets.ipv6(IpProtocol.ICMPV6, SamplePackets.echo(128, 64), 2);
            case "echo46" -> SamplePackets.ipv4(IpProtocol.ICMP, SamplePackets.echo(8, 64), 2);
            case "error46" -> SamplePackets.ipv4(IpProtocol.ICMP, SamplePackets.timeExceededAbout(
                    SamplePackets.ipv4(IpProtocol.UDP, SamplePackets.udp(64), 6)), 2);
            default -> throw new IllegalArgumentException(packet);
        };
        input = Arena.ofAuto().allocate(p.length);
        MemorySegment.copy(p, 0, input, ValueLayout.JAVA_BYTE, 0, p.length);
        inputLength = p.length;
        load();
        if (translator.translate(buffer, sink) != dev.isthmus.xlat.Verdict.TRANSLATED) {
            throw new IllegalStateException(packet + " was not translated: " + translator.trace().reason());
        }
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

    @Benchmark
    public int copyOnly() {
        load();
        return buffer.length();
    }

    static final class Sink implements PacketSink {
        int last;

        @Override
        public void emit(MemorySegment segment, int offset, int length) {
            last = length;
        }
    }
}
