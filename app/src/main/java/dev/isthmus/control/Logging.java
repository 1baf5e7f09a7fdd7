package dev.isthmus.control;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The process's log format: one line per record, on standard error (systemd's journal or the
 * terminal takes it from there):
 *
 * <pre>
 * 2026-11-25T10:00:00.123Z INFO  dataplane: device nat64 opened with 2 queues
 * 2026-11-25T10:00:01.002Z WARN  control: refused control request: unknown request "shwo stats"
 * </pre>
 *
 * <p>UTC time with milliseconds, the level in five columns, the logger's last name component
 * ({@code dev.isthmus.dataplane} → {@code dataplane}), the message. A throwable's stack trace
 * follows on the next lines. The code logs through {@link System.Logger}, whose default backend
 * is {@code java.util.logging}; nothing is logged per packet.
 */
public final class Logging {
    private Logging() {}

    /**
     * Replaces the root logger's handlers with one that writes {@link LineFormatter} lines to
     * standard error, at {@code level} and above. Call once, early in {@code isthmus run}.
     */
    public static void configure(Level level) {
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        Handler h = new ConsoleHandler(); // System.err
        h.setFormatter(new LineFormatter());
        h.setLevel(level);
        root.addHandler(h);
        root.setLevel(level);
    }

    /**
     * The level for an operator's name of it: {@code error}, {@code warn}, {@code info},
     * {@code debug}, {@code trace} (case ignored).
     *
     * @throws IllegalArgumentException for any other name
     */
    public static Level level(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "error" -> Level.SEVERE;
            case "warn", "warning" -> Level.WARNING;
            case "info" -> Level.INFO;
            case "debug" -> Level.FINE;
            case "trace" -> Level.FINEST;
            default -> throw new IllegalArgumentException(
                    "\"" + name + "\" is not a log level (error, warn, info, debug, trace)");
        };
    }

    /** The one-line format; public so that a logging.properties file can name it. */
    public static final class LineFormatter extends Formatter {
        private static final DateTimeFormatter TIME =
                DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

        @Override
        public String format(LogRecord r) {
            StringBuilder b = new StringBuilder(128);
            TIME.formatTo(r.getInstant(), b);
            String level = levelName(r.getLevel());
            b.append(' ').append(level).repeat(' ', Math.max(0, 5 - level.length()));
            b.append(' ').append(shortName(r.getLoggerName())).append(": ").append(formatMessage(r)).append('\n');
            if (r.getThrown() != null) {
                StringWriter trace = new StringWriter();
                r.getThrown().printStackTrace(new PrintWriter(trace));
                b.append(trace);
            }
            return b.toString();
        }

        /** The names operators know from other daemons rather than java.util.logging's own. */
        static String levelName(Level l) {
            int v = l.intValue();
            if (v >= Level.SEVERE.intValue()) {
                return "ERROR";
            }
            if (v >= Level.WARNING.intValue()) {
                return "WARN";
            }
            if (v >= Level.INFO.intValue()) {
                return "INFO";
            }
            if (v >= Level.FINE.intValue()) {
                return "DEBUG"; // CONFIG and FINE
            }
            return "TRACE";
        }

        static String shortName(String loggerName) {
            if (loggerName == null || loggerName.isEmpty()) {
                return "isthmus";
            }
            return loggerName.substring(loggerName.lastIndexOf('.') + 1);
        }
    }
}
