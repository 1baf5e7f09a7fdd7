package dev.isthmus.bench;

import dev.isthmus.config.ConfigException;
import dev.isthmus.config.ConfigLoader;
import dev.isthmus.config.IsthmusConfig;
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
import org.tomlj.Toml;
import org.tomlj.TomlParseOptions;
import org.tomlj.TomlParseResult;

/**
 * Loading a heavily commented config ({@link ConfigLoader#parse}, issue 19): a [siit] section, a
 * [dataplane] and a [control] section whose keys each stand under a block of comment lines with a
 * blank line every fourth, {@code lines} lines in all. Parsing and validation, not the file read.
 *
 * <p>{@code tomljAlone} parses with tomlj directly, without {@code BlankAndCommentLines}, as the
 * loader did before, the worst case: one run of {@code lines} comment and blank lines, then the
 * keys. It shows the cost the pre-pass avoids, and tells after an upgrade of tomlj whether the
 * pre-pass is still needed. It takes seconds per operation, so it runs a few single shots of
 * small files.
 *
 * <p>Run: {@code java -jar bench/target/benchmarks.jar ConfigLoadBenchmark}
 *
 * <p>First load in a fresh JVM, as at start (no warm-up):
 * {@code java -cp bench/target/benchmarks.jar dev.isthmus.bench.ConfigLoadBenchmark 100000}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ConfigLoadBenchmark {

    private static final String[] KEYS = {
        "[siit]",
        "pool6 = \"64:ff9b::/96\"",
        "ipv4-mtu = 1500",
        "ipv6-mtu = 1500",
        "tos = \"copy\"",
        "rfc6791v4 = [\"192.0.2.1-192.0.2.9\"]",
        "[[siit.eam]]",
        "ipv6 = \"2001:db8:6::/120\"",
        "ipv4 = \"198.51.100.0/24\"",
        "[dataplane]",
        "device = \"isthmus0\"",
        "[control]",
        "socket = \"/run/isthmus/control.sock\"",
    };

    @Param({"1000", "10000", "100000"})
    public int lines;

    private String text;

    @Setup
    public void setUp() throws ConfigException {
        text = commented(lines, KEYS.length);
        ConfigLoader.parse(text, "bench.toml");
    }

    @Benchmark
    public IsthmusConfig load() throws ConfigException {
        return ConfigLoader.parse(text, "bench.toml");
    }

    /** One run of comment and blank lines, for tomlj alone. */
    @State(Scope.Thread)
    public static class Unstripped {
        @Param({"250", "500", "1000"})
        public int lines;

        String text;

        @Setup
        public void setUp() {
            text = commented(lines, 1);
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @Warmup(iterations = 1)
    @Measurement(iterations = 3)
    public TomlParseResult tomljAlone(Unstripped u) {
        return Toml.parse(u.text, TomlParseOptions.sourceless());
    }

    /** Prints how long the first load of a {@code args[0]}-line file takes in this JVM. */
    public static void main(String[] args) throws ConfigException {
        int lines = Integer.parseInt(args[0]);
        String text = commented(lines, KEYS.length);
        long start = System.nanoTime();
        ConfigLoader.parse(text, "bench.toml");
        System.out.printf("first load of %d lines: %.0f ms%n", text.lines().count(), (System.nanoTime() - start) / 1e6);
    }

    /** The keys, {@code lines} lines in all, the comments in blocks before the first {@code blocks} keys. */
    static String commented(int lines, int blocks) {
        int block = Math.max(0, (lines - KEYS.length) / blocks);
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < KEYS.length; k++) {
            for (int i = 0; k < blocks && i < block; i++) {
                sb.append(i % 4 == 3 ? "\n" : "# what the key below does and why it has this value (" + i + ")\n");
            }
            sb.append(KEYS[k]).append('\n');
        }
        return sb.toString();
    }
}
