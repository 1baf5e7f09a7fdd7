package dev.isthmus.bench;

import dev.isthmus.wire.IpProtocol;
import dev.isthmus.wire.pcap.PcapWriter;
import dev.isthmus.xlat.SamplePackets;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * Writes a LINKTYPE_RAW capture of {@code N} packets for the offline throughput figure: a
 * round-robin of 6→4 and 4→6 UDP, TCP and ICMP echo, each with a 64-byte payload, addressed for
 * {@link SamplePackets#CONFIG} (which is also printed, for {@code --config}).
 *
 * <p>Run: {@code java -cp bench/target/benchmarks.jar dev.isthmus.bench.MakeCapture OUT.pcap N CONFIG.toml}
 */
public final class MakeCapture {
    private MakeCapture() {}

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        long n = Long.parseLong(args[1]);
        java.nio.file.Files.writeString(Path.of(args[2]), SamplePackets.CONFIG);
        MemorySegment[] kinds = {
            seg(SamplePackets.ipv6(IpProtocol.UDP, SamplePackets.udp(64), 6)),
            seg(SamplePackets.ipv4(IpProtocol.UDP, SamplePackets.udp(64), 6)),
            seg(SamplePackets.ipv6(IpProtocol.TCP, SamplePackets.tcp(64), 16)),
            seg(SamplePackets.ipv4(IpProtocol.TCP, SamplePackets.tcp(64), 16)),
            seg(SamplePackets.ipv6(IpProtocol.ICMPV6, SamplePackets.echo(128, 64), 2)),
            seg(SamplePackets.ipv4(IpProtocol.ICMP, SamplePackets.echo(8, 64), 2)),
        };
        try (PcapWriter w = PcapWriter.create(out)) {
            for (long i = 0; i < n; i++) {
                MemorySegment k = kinds[(int) (i % kinds.length)];
                w.write(i * 1000, k, 0, (int) k.byteSize());
            }
        }
    }

    private static MemorySegment seg(byte[] b) {
        return MemorySegment.ofArray(b);
    }
}
