package dev.isthmus.control;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One request line of the control protocol, parsed. The grammar is words of printable ASCII
 * separated by spaces or tabs, an optional CR before the LF (so {@code nc} and {@code socat} users
 * on any terminal get the same answer):
 *
 * <pre>
 *   show stats          the counters as a text table
 *   show stats json     the same counters as JSON
 *   show config         the effective configuration (TOML)
 *   show bindings       the dynamic pool's bindings as a table
 *   show bindings json  the same as JSON
 *   binding add IPV6 IPV4   a static binding in the dynamic pool
 *   binding del IPV4        removes a static binding added at run time
 *   show bib PROTO FORMAT   NAT64 BIB entries (PROTO tcp|udp|icmp|all, FORMAT text|json)
 *   show sessions PROTO IPV6 FORMAT   NAT64 sessions (IPV6 an address, a prefix or all)
 *   bib add PROTO [IPV6]:PORT IPV4:PORT   a static NAT64 BIB entry
 *   bib del PROTO IPV4:PORT                removes a static NAT64 BIB entry
 *   show smtp-queue     the SMTP relay's queue as a table
 *   show smtp-queue json    the same as JSON
 *   smtp flush [ID]     tries one queued message, or every one, now
 *   smtp delete ID      removes a queued message without a bounce
 *   show calls          the SIP proxy's calls and their media streams
 *   show calls json     the same as JSON
 *   help                this list
 * </pre>
 *
 * <p>{@link #parse} never throws: anything else is a request of kind {@link Kind#INVALID} whose
 * {@link #error()} says why, safe to print (printable ASCII, bounded length).
 *
 * @param kind what was asked
 * @param error why the request is refused; null unless {@code kind} is {@link Kind#INVALID}
 * @param args the words after the kind's own ({@link Kind#args()} of them)
 */
public record Request(Kind kind, String error, List<String> args) {

    /** What a request asks for. */
    public enum Kind {
        STATS_TEXT("show stats"),
        STATS_JSON("show stats json"),
        CONFIG("show config"),
        BINDINGS_TEXT("show bindings"),
        BINDINGS_JSON("show bindings json"),
        BINDING_ADD("binding add", 2),
        BINDING_DEL("binding del", 1),
        BIB("show bib", 2),
        SESSIONS("show sessions", 3),
        BIB_ADD("bib add", 3),
        BIB_DEL("bib del", 2),
        SMTP_QUEUE_TEXT("show smtp-queue"),
        SMTP_QUEUE_JSON("show smtp-queue json"),
        /** Every queued message: the same line as {@link #SMTP_FLUSH}, without the id. */
        SMTP_FLUSH_ALL("smtp flush"),
        SMTP_FLUSH("smtp flush", 1),
        SMTP_DELETE("smtp delete", 1),
        CALLS_TEXT("show calls"),
        CALLS_JSON("show calls json"),
        HELP("help"),
        INVALID(null);

        private final String line;
        private final int args;

        Kind(String line) {
            this(line, 0);
        }

        Kind(String line, int args) {
            this.line = line;
            this.args = args;
        }

        /** The request line that asks for this, without its arguments (null for {@link #INVALID}). */
        public String line() {
            return line;
        }

        /** How many words follow {@link #line()}. */
        public int args() {
            return args;
        }
    }

    /** A request without arguments. */
    public Request(Kind kind, String error) {
        this(kind, error, List.of());
    }

    /** How much of a refused request is quoted back in the error (and the log). */
    static final int QUOTE_MAX = 64;

    public Request {
        if ((kind == Kind.INVALID) != (error != null)) {
            throw new IllegalArgumentException("an error message goes with INVALID and only with it");
        }
        args = List.copyOf(args);
        if (args.size() != (kind == Kind.INVALID ? 0 : kind.args)) {
            throw new IllegalArgumentException(kind + " takes " + kind.args + " argument(s), not " + args.size());
        }
    }

    /** The request for a line (without its LF; a trailing CR is ignored). */
    public static Request parse(String line) {
        if (line.endsWith("\r")) {
            line = line.substring(0, line.length() - 1);
        }
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if ((c < 0x20 || c > 0x7e) && c != '\t') {
                return invalid("request is not printable ASCII (byte " + (int) c + " at offset " + i + ")");
            }
        }
        List<String> words = words(line);
        if (words.isEmpty()) {
            return invalid("empty request (try \"help\")");
        }
        String joined = String.join(" ", words);
        for (Kind k : Kind.values()) {
            if (k.args == 0 && joined.equals(k.line)) {
                return new Request(k, null);
            }
        }
        for (Kind k : Kind.values()) {
            if (k.args > 0 && (joined + " ").startsWith(k.line + " ")) {
                List<String> args = words.subList(k.line.split(" ").length, words.size());
                if (args.size() != k.args) {
                    return invalid("\"" + k.line + "\" takes " + k.args + " argument" + (k.args == 1 ? "" : "s")
                            + " (try \"help\")");
                }
                return new Request(k, null, args);
            }
        }
        return invalid("unknown request \"" + quote(joined) + "\" (try \"help\")");
    }

    /**
     * The request in {@code length} bytes of {@code bytes} from {@code offset} (the line without
     * its LF). Each byte is one character here, so a non-ASCII byte is reported as itself rather
     * than hidden by a decoder's replacement character.
     */
    public static Request parse(byte[] bytes, int offset, int length) {
        return parse(new String(bytes, offset, length, StandardCharsets.ISO_8859_1));
    }

    /** The help text: every request line, one per line. */
    static String help() {
        return """
                show stats          translation, drop and TUN counters per worker, as a table
                show stats json     the same counters as JSON
                show config         the effective configuration, defaults filled in (TOML)
                show bindings       the dynamic pool's bindings (IPv4, IPv6, kind, idle time)
                show bindings json  the same as JSON
                binding add IPV6 IPV4   adds a static binding to the dynamic pool (kept across restarts)
                binding del IPV4        removes a static binding added at run time
                show bib PROTO FORMAT   NAT64 BIB entries; PROTO tcp|udp|icmp|all, FORMAT text|json
                show sessions PROTO IPV6 FORMAT   NAT64 sessions; IPV6 an address, a prefix or all
                bib add PROTO [IPV6]:PORT IPV4:PORT   adds a static NAT64 BIB entry
                bib del PROTO IPV4:PORT                removes a static NAT64 BIB entry
                show smtp-queue     the SMTP relay's queue (id, sender, recipients, attempts, next try, last error)
                show smtp-queue json    the same as JSON
                smtp flush [ID]     tries the queued message ID, or every queued message, now
                smtp delete ID      removes the queued message ID without telling its sender
                show calls          the SIP proxy's calls (legs, families, relayed streams, packets each way)
                show calls json     the same as JSON
                help                this list
                """;
    }

    private static Request invalid(String message) {
        return new Request(Kind.INVALID, message);
    }

    private static List<String> words(String line) {
        List<String> words = new ArrayList<>(4);
        int i = 0;
        while (i < line.length()) {
            while (i < line.length() && isBlank(line.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < line.length() && !isBlank(line.charAt(i))) {
                i++;
            }
            if (i > start) {
                words.add(line.substring(start, i));
            }
        }
        return words;
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t';
    }

    /** Printable ASCII only reaches here; bounded so that a refusal stays one short line. */
    private static String quote(String s) {
        String q = s.replace("\\", "\\\\").replace("\"", "\\\"");
        return q.length() <= QUOTE_MAX ? q : q.substring(0, QUOTE_MAX) + "...";
    }
}
