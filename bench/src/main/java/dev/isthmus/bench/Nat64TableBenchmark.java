package dev.isthmus.bench;

import dev.isthmus.nat.Nat64Settings;
import dev.isthmus.nat.Nat64Table;
import dev.isthmus.nat.NatProtocol;
import dev.isthmus.nat.NatResult;
import dev.isthmus.nat.NatVerdict;
import dev.isthmus.nat.Pool4;
import dev.isthmus.nat.TableStats;
import dev.isthmus.wire.Ipv4Address;
import dev.isthmus.wire.Ipv6Address;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-packet work of stateful NAT64 ({@link Nat64Table}, RFC 6146 §3.5): the lookup and
 * refresh of an existing session from the IPv6 side ({@code outbound}, UDP and TCP ESTABLISHED)
 * and from the IPv4 side ({@code inbound}), in tables of 10k, 100k and 1M sessions, each session
 * with a BIB entry of its own (the worst case). The flows are visited in a random order fixed at
 * set-up, so the figure includes the cache misses of a large table, as live traffic has them.
 * {@code -prof gc} must show 0 B/op.
 *
 * <p>Run: {@code flock /tmp/bench.lock java -jar bench/target/benchmarks.jar Nat64TableBenchmark -prof gc}
 *
 * <p>Memory: {@code java -Xmx3g -cp bench/target/benchmarks.jar dev.isthmus.bench.Nat64TableBenchmark 1000000}
 * fills a table and prints the heap it took, measured (used heap after full GCs, before and after).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+UseTransparentHugePages"})
public class Nat64TableBenchmark {
    @Param({"10000", "100000", "1000000"})
    public int sessions;

    /**
     * {@code random}: every flow of the table in a random order (cache misses grow with the
     * table, as with live traffic); {@code hot}: 1024 random flows of the table over and over
     * (the same working set at every size); {@code packed}: the first 1024 flows created, whose
     * records lie side by side in the slabs (the same work per lookup as {@code hot}, less
     * scattered memory: what remains of the growth is the index slots' scatter).
     */
    @Param({"random", "hot", "packed"})
    public String access;

    /** Flows per IPv6 subscriber: 64 source ports each. */
    static final int FLOWS = 64;
    static final long HI = Ipv6Address.parse("2001:db8::").hi();
    static final int Z = Ipv4Address.parse("198.51.100.7");

    private Nat64Table table;
    private final NatResult r = new NatResult();
    /** Per flow, two longs: X' low half; x << 48 | T << 16 | t. Packed so a flow costs the benchmark one miss. */
    private long[] flows;
    private int[] order;
    private int next;
    private long now;

    static Nat64Table filled(int n, long now, long[] lo, int[] x, int[] t4, int[] t, NatProtocol p) {
        Nat64Table table = new Nat64Table(Nat64Settings.builder(Pool4.of("192.0.2.0/24"))
                .maxSessions(Math.max(n, 1 << 20)).maxBib(NatProtocol.UDP, Math.max(n, 1 << 20))
                .maxBib(NatProtocol.TCP, Math.max(n, 1 << 20)).build(), null);
        NatResult r = new NatResult();
        for (int i = 0; i < n; i++) {
            long l = 1 + i / FLOWS;
            int port = 1024 + i % FLOWS;
            NatVerdict v = table.outbound(r, p, HI, l, port, Z, 443, p == NatProtocol.TCP ? 0x02 : 0, now);
            if (v != NatVerdict.OK || !r.sessionCreated()) {
                throw new IllegalStateException("flow " + i + ": " + v);
            }
            if (p == NatProtocol.TCP) {
                table.inbound(r, p, Z, 443, r.t4(), r.t4Port(), 0x12, now);
            }
            if (lo != null) {
                lo[i] = l;
                x[i] = port;
                t4[i] = r.t4();
                t[i] = r.t4Port();
            }
        }
        return table;
    }

    @Setup(Level.Trial)
    public void setup() {
        now = System.nanoTime();
        long[] lo = new long[sessions];
        int[] x = new int[sessions];
        int[] t4 = new int[sessions];
        int[] t = new int[sessions];
        table = filled(sessions, now, lo, x, t4, t, NatProtocol.UDP);
        flows = new long[sessions * 2];
        for (int i = 0; i < sessions; i++) {
            flows[2 * i] = lo[i];
            flows[2 * i + 1] = (long) x[i] << 48 | (t4[i] & 0xffff_ffffL) << 16 | t[i];
        }
        order = new int[1 << 20];
        SplittableRandom rnd = new SplittableRandom(42);
        int[] hot = rnd.ints(1024, 0, sessions).toArray();
        for (int i = 0; i < order.length; i++) {
            order[i] = switch (access) {
                case "hot" -> hot[i & 1023];
                case "packed" -> i & 1023;
                default -> rnd.nextInt(sessions);
            };
        }
    }

    private int nextFlow() {
        int i = order[next];
        next = (next + 1) & (order.length - 1);
        return 2 * i;
    }

    @Benchmark
    public int outboundUdp() {
        int i = nextFlow();
        long k = flows[i + 1];
        table.outbound(r, NatProtocol.UDP, HI, flows[i], (int) (k >>> 48), Z, 443, 0, now);
        return r.t4Port();
    }

    @Benchmark
    public int inboundUdp() {
        int i = nextFlow();
        long k = flows[i + 1];
        table.inbound(r, NatProtocol.UDP, Z, 443, (int) (k >>> 16), (int) k & 0xffff, 0, now);
        return r.x6Port();
    }

    /**
     * Heap taken by {@code n} UDP sessions (each with its own BIB entry), measured: used heap after
     * repeated full GCs with the table, minus the same without it.
     */
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        NatProtocol p = args.length > 1 ? NatProtocol.valueOf(args[1]) : NatProtocol.UDP;
        long before = usedAfterGc();
        Nat64Table table = filled(n, System.nanoTime(), null, null, null, null, p);
        long after = usedAfterGc();
        TableStats s = table.stats();
        System.out.printf("%s sessions=%d bib=%d subscribers=%d heap used %+d bytes = %.1f bytes/session;"
                + " array estimate %.1f bytes/session%n", p, s.sessions(), s.bibTcp() + s.bibUdp() + s.bibIcmp(),
                s.subscribers(), after - before, (after - before) / (double) n, s.heapBytes() / (double) n);
        if (table.stats().sessions() != n) {
            throw new IllegalStateException();
        }
    }

    private static long usedAfterGc() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(100);
            used = Math.min(used, rt.totalMemory() - rt.freeMemory());
        }
        return used;
    }
}
