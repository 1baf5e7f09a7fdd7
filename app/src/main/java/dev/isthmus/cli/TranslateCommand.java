package dev.isthmus.cli;

import dev.isthmus.config.ConfigException;
import dev.isthmus.config.ConfigLoader;
import dev.isthmus.config.IsthmusConfig;
import dev.isthmus.config.Nat64Config;
import dev.isthmus.nat.Nat64Service;
import dev.isthmus.nat.Nat64Table;
import dev.isthmus.nat.Nat64Translator;
import dev.isthmus.nat.TimerPackets;
import dev.isthmus.wire.PacketBuffer;
import dev.isthmus.wire.PacketSink;
import dev.isthmus.wire.pcap.CaptureFormatException;
import dev.isthmus.wire.pcap.CaptureReader;
import dev.isthmus.wire.pcap.PcapWriter;
import dev.isthmus.xlat.DropReason;
import dev.isthmus.xlat.PacketTranslator;
import dev.isthmus.xlat.Path;
import dev.isthmus.xlat.Translator;
import dev.isthmus.xlat.XlatCounters;
import dev.isthmus.xlat.XlatSettings;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code isthmus translate}: offline translation of a capture file through the same translator
 * the live data plane runs. Streams record by record in constant memory.
 */
@Command(
        name = "translate",
        mixinStandardHelpOptions = true,
        header = "Translate a capture offline, explaining each packet.",
        description = "Translate the IP packets of a pcap/pcapng capture with the [siit] or [nat64]"
                + " configuration and write the results (translations, fragments and the ICMP errors and timer"
                + " packets the translator originates) as a LINKTYPE_RAW pcap. With [nat64] the capture's"
                + " timestamps are the clock of the BIB and session tables. No root needed.",
        footerHeading = "%nExamples:%n",
        footer = {
            "  Translate the example capture and say which rule handled each packet.",
            "    $ isthmus translate --config examples/siit.toml --in examples/mixed.pcap \\",
            "        --out /tmp/out.pcap --explain",
            "  The stateful NAT64 example as JSON lines, no capture written.",
            "    $ isthmus translate -c examples/nat64.toml -i examples/nat64.pcap \\",
            "        --explain json"
        })
final class TranslateCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "isthmus TOML configuration")
    java.nio.file.Path config;

    @Option(names = {"-i", "--in"}, required = true, paramLabel = "CAPTURE",
            description = "input capture: pcap or pcapng; raw IP, Ethernet (VLAN), Linux SLL/SLL2, NULL/LOOP")
    java.nio.file.Path in;

    @Option(names = {"-o", "--out"}, paramLabel = "PCAP", description = "output pcap (LINKTYPE_RAW)")
    java.nio.file.Path out;

    @Option(names = "--explain", arity = "0..1", fallbackValue = "text", paramLabel = "text|json",
            description = "print one line per input packet: summary, mapping used, verdict, output or drop reason")
    String explain;

    @Option(names = "--quiet", description = "no summary on standard error")
    boolean quiet;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        Explainer.Format format = null;
        if (explain != null) {
            format = switch (explain.toLowerCase(Locale.ROOT)) {
                case "text" -> Explainer.Format.TEXT;
                case "json" -> Explainer.Format.JSON;
                default -> null;
            };
            if (format == null) {
                err.println("isthmus translate: --explain takes 'text' or 'json', not '" + explain + "'");
                return ExitCodes.CONFIG_ERROR;
            }
        }
        if (out == null && format == null) {
            err.println("isthmus translate: nothing to do: give --out, --explain or both");
            return ExitCodes.CONFIG_ERROR;
        }
        XlatSettings settings;
        Nat64Config nat64;
        try {
            IsthmusConfig cfg = ConfigLoader.load(config);
            if (cfg.siit() == null && cfg.nat64() == null) {
                err.println("isthmus translate: " + config + ": no [siit] or [nat64] section; offline translation needs"
                        + " one");
                return ExitCodes.CONFIG_ERROR;
            }
            nat64 = cfg.nat64();
            settings = nat64 != null ? nat64.toXlatSettings() : cfg.siit().toXlatSettings();
        } catch (ConfigException e) {
            e.errors().forEach(x -> err.println(x));
            return ExitCodes.CONFIG_ERROR;
        }
        PrintWriter explainOut = format == null ? null : new PrintWriter(new BufferedWriter(
                new OutputStreamWriter(System.out, StandardCharsets.UTF_8), 1 << 16), false);
        try {
            return run(settings, nat64, format, explainOut, err);
        } finally {
            if (explainOut != null) {
                explainOut.flush();
            }
        }
    }

    /**
     * @param nat64 stateful NAT64, or null for the stateless translator: the state is built from
     *     the capture itself, its timestamps are the clock (so sessions expire as they would have,
     *     and what the timers send is written at the time it falls due, {@link TimerReplay})
     */
    private int run(XlatSettings settings, Nat64Config nat64, Explainer.Format format, PrintWriter explainOut,
            PrintWriter err) {
        XlatCounters counters = new XlatCounters();
        long[] now = new long[1];
        Nat64Table table = null;
        TimerPackets timerPackets = null;
        Nat64Translator stateful = null;
        PacketTranslator translator;
        if (nat64 != null) {
            timerPackets = new TimerPackets(settings.pool6());
            try {
                table = Nat64Service.table(nat64.table(), nat64.statics(), timerPackets);
            } catch (IllegalArgumentException e) {
                err.println("isthmus translate: " + config + ": [nat64] " + e.getMessage());
                return ExitCodes.CONFIG_ERROR;
            }
            stateful = new Nat64Translator(table, settings, counters, () -> now[0]);
            translator = stateful;
        } else {
            translator = new Translator(settings, counters, () -> now[0]);
        }
        Explainer explainer = format == null ? null : new Explainer(format, explainOut, settings, nat64 != null);
        long packets = 0;
        long written = 0;
        long start = System.nanoTime();
        int exit = ExitCodes.OK;
        try (Arena arena = Arena.ofConfined();
                CaptureReader reader = CaptureReader.open(in);
                PcapWriter writer = out == null ? null : PcapWriter.create(out)) {
            PacketBuffer pkt = PacketBuffer.allocate(arena, PacketBuffer.DEFAULT_CAPACITY);
            PacketSink file = writer == null ? (s, o, l) -> { } : writer.sink(() -> now[0]);
            PacketSink sink = explainer == null ? file : explainer.tap(file);
            TimerReplay timers = table == null ? null
                    : new TimerReplay(table, timerPackets, now, explainer == null ? file : (seg, off, len) -> {
                        file.emit(seg, off, len);
                        explainer.timer(seg, off, len);
                    });
            // A skipped record is a moment of capture time too: the timers run up to it first, so
            // that the explain lines stay in time order.
            reader.onSkip(reason -> {
                if (timers != null) {
                    timers.advanceTo(reader.timestampNanos());
                }
                if (explainer != null) {
                    explainer.skipped(reader.recordNumber(), reason, reader.linkType(), reader.capturedLength());
                }
            });
            try {
                while (reader.next(pkt)) {
                    packets++;
                    if (timers != null) {
                        timers.advanceTo(reader.timestampNanos());
                    }
                    now[0] = reader.timestampNanos();
                    if (explainer != null) {
                        explainer.before(reader.recordNumber(), pkt.segment(), pkt.offset(), pkt.length());
                    }
                    translator.translate(pkt, sink);
                    written += translator.trace().outputs();
                    if (explainer != null) {
                        if (stateful == null) {
                            explainer.after(translator.trace());
                        } else {
                            explainer.after(translator.trace(), stateful.lastResult(), stateful.lastAlgExplain());
                        }
                    }
                }
            } catch (CaptureFormatException e) {
                // Everything before the bad record has been translated and is written on close.
                err.println("isthmus translate: " + in + ": " + e.getMessage());
                exit = ExitCodes.DATA_ERROR;
            }
            if (!quiet) {
                if (explainOut != null) {
                    explainOut.flush();
                }
                summary(err, packets, written, timers == null ? 0 : timers.sent(), reader.skippedCount(), counters,
                        System.nanoTime() - start);
            }
        } catch (NoSuchFileException e) {
            err.println("isthmus translate: no such file: " + e.getFile());
            return ExitCodes.NO_INPUT;
        } catch (IOException e) {
            err.println("isthmus translate: " + e.getMessage());
            return ExitCodes.IO_ERROR;
        }
        return exit;
    }

    /** @param timed packets the NAT64's timers originated (also counted in the packets out) */
    private static void summary(PrintWriter err, long packets, long written, long timed, long skipped, XlatCounters c,
            long nanos) {
        double secs = nanos / 1e9;
        err.printf(Locale.ROOT, "%d IP packets in (%d non-IP frames skipped), %d packets out%s, %d dropped, %.3f s,"
                + " %.0f packets/s%n", packets, skipped, written + timed,
                timed == 0 ? "" : " (" + timed + " sent by the NAT64 timers)", c.totalDrops(), secs,
                secs > 0 ? packets / secs : 0.0);
        StringBuilder paths = new StringBuilder();
        for (Path p : Path.values()) {
            if (c.paths(p) > 0) {
                paths.append(paths.isEmpty() ? "  paths:" : ",").append(' ').append(p.key()).append('=').append(c.paths(p));
            }
        }
        if (!paths.isEmpty()) {
            err.println(paths);
        }
        StringBuilder drops = new StringBuilder();
        for (DropReason r : DropReason.values()) {
            if (c.drops(r) > 0) {
                drops.append(drops.isEmpty() ? "  drops:" : ",").append(' ').append(r.key()).append('=').append(c.drops(r));
            }
        }
        if (!drops.isEmpty()) {
            err.println(drops);
        }
        err.flush();
    }

}
