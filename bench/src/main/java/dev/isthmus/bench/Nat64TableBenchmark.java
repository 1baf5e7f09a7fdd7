package dev.isthmus.bench;

import dev.isthmus.nat.LookupDepth;
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
 * with a BIB entry of its own (the worst case). The flows are visited in an order fixed at set-up
 * ({@link #access}); the keys are read from a sequential array, as a translator reads them from
 * the packet it just received, so what grows with the table is the table's own cache misses.
 * {@code -prof gc} must show 0 B/op.
 *
 * <p>Run: {@code flock /tmp/bench.lock java -jar bench/target/benchmarks.jar Nat64TableBenchmark -prof gc}
 *
 * <p>Memory: {@code java -Xmx3g -cp bench/target/benchmarks.jar dev.isthmus.bench.Nat64TableBenchmark 1000000}
 * fills a table and prints the heap it took, measured (used heap after full GCs, before and after);
 * optional further arguments: the protocol ({@code UDP}, {@code TCP}) and the sessions per BIB entry.
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

    /** Visits before the sequence repeats (a power of two). */
    static final int VISITS = 1 << 20;
    /** Flows per IPv6 subscriber: 64 source ports each. */
    static final int FLOWS = 64;
    static final long HI = Ipv6Address.parse("2001:db8::").hi();
    static final int Z = Ipv4Address.parse("198.51.100.7");

    private Nat64Table table;
    private final NatResult r = new NatResult();
    /**
     * Per visit, in visiting order, two longs: X' low half; x &lt;&lt; 48 | T &lt;&lt; 16 | t. Read
     * sequentially, so the key costs what a received packet's header does (nothing the table's
     * size changes), and the figure is the table's own.
     */
    private long[] visits;
    private int next;
    private long now;

    /** A table of {@code n} sessions of protocol {@code p}, {@code perBib} of them (to as many servers) per BIB entry. */
    static Nat64Table filled(int n, int perBib, long now, long[] lo, int[] x, int[] t4, int[] t, NatProtocol p) {
        Nat64Table table = new Nat64Table(Nat64Settings.builder(Pool4.of("192.0.2.0/24"))
                .maxSessions(Math.max(n, 1 << 20)).maxBib(NatProtocol.UDP, Math.max(n, 1 << 20))
                .maxBib(NatProtocol.TCP, Math.max(n, 1 << 20)).build(), null);
        NatResult r = new NatResult();
        for (int i = 0; i < n; i++) {
            int bib = i / perBib;
            long l = 1 + bib / FLOWS;
            int port = 1024 + bib % FLOWS;
            int server = 443 + i % perBib;
            NatVerdict v = table.outbound(r, p, HI, l, port, Z, server, p == NatProtocol.TCP ? 0x02 : 0, now);
            if (v != NatVerdict.OK || !r.sessionCreated()) {
                throw new IllegalStateException("flow " + i + ": " + v);
            }
            if (p == NatProtocol.TCP) {
                table.inbound(r, p, Z, server, r.t4(), r.t4Port(), 0x12, now);
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
        table = filled(sessions, 1, now, lo, x, t4, t, NatProtocol.UDP);
        visits = new long[VISITS * 2];
        SplittableRandom rnd = new SplittableRandom(42);
        int[] hot = rnd.ints(1024, 0, sessions).toArray();
        for (int v = 0; v < VISITS; v++) {
            int i = switch (access) {
                case "hot" -> hot[v & 1023];
                case "packed" -> v & 1023;
                default -> rnd.nextInt(sessions);
            };
            visits[2 * v] = lo[i];
            visits[2 * v + 1] = (long) x[i] << 48 | (t4[i] & 0xffff_ffffL) << 16 | t[i];
        }
    }

    private int nextVisit() {
        int v = next;
        next = (next + 2) & (2 * VISITS - 1);
        return v;
    }

    @Benchmark
    public int outboundUdp() {
        int i = nextVisit();
        long k = visits[i + 1];
        table.outbound(r, NatProtocol.UDP, HI, visits[i], (int) (k >>> 48), Z, 443, 0, now);
        return r.t4Port();
    }

    @Benchmark
    public int inboundUdp() {
        int i = nextVisit();
        long k = visits[i + 1];
        table.inbound(r, NatProtocol.UDP, Z, 443, (int) (k >>> 16), (int) k & 0xffff, 0, now);
        return r.x6Port();
    }

    /**
     * Heap taken by {@code n} sessions (by default UDP, each with its own BIB entry), measured: used
     * heap after repeated full GCs with the table, minus the same without it.
     */
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        NatProtocol p = args.length > 1 ? NatProtocol.valueOf(args[1]) : NatProtocol.UDP;
        int perBib = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        long before = usedAfterGc();
        Nat64Table table = filled(n, perBib, System.nanoTime(), null, null, null, null, p);
        long after = usedAfterGc();
        TableStats s = table.stats();
        System.out.printf("%s sessions=%d bib=%d subscribers=%d heap used %+d bytes = %.1f bytes/session;"
                + " array estimate %.1f bytes/session%n", p, s.sessions(), s.bibTcp() + s.bibUdp() + s.bibIcmp(),
                s.subscribers(), after - before, (after - before) / (double) n, s.heapBytes() / (double) n);
        LookupDepth d = table.lookupDepth();
        System.out.printf("index slots read per hit: by (X',x) %.3f, by (T,t) %.3f, session index %.3f;"
                + " sessions in their BIB entry's record %.1f %%%n", d.bibOutSlots(), d.bibInSlots(), d.sessionSlots(),
                100 * d.sessionsInBibRecord());
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
