package dev.isthmus.nat.pool;

import dev.isthmus.wire.Ipv4Address;
import dev.isthmus.wire.Ipv6Address;
import java.util.ArrayList;
import java.util.List;

/**
 * The dynamic pool's persistence file, one binding a line:
 *
 * <pre>
 * # isthmus dynamic address pool bindings
 * # kind ipv6 ipv4 last-used-ms-since-epoch
 * dynamic 2001:db8:1::5 192.0.2.130 1764750000000
 * static 2001:db8:1::6 192.0.2.131 1764750000000
 * </pre>
 *
 * Blank lines and lines starting with {@code #} are ignored; fields are separated by spaces or
 * tabs. {@code static} lines are the bindings added at run time through the control socket (those
 * of the config file are not written: the file has the last word on them). {@link #parse} never
 * throws: a line it cannot read is a {@link Problem} with its number, and the other lines still
 * load.
 */
public final class BindingFile {
    /** The file's name inside the data directory. */
    public static final String NAME = "dynamic-pool.bindings";

    /** Longer lines are refused unread (a binding line is under 80 characters). */
    static final int MAX_LINE = 200;

    private BindingFile() {}

    /** One line of the file. */
    public record Entry(int line, boolean isStatic, Ipv6Address ipv6, int ipv4, long lastUsedMillis) {}

    /** A line that was not loaded, and why. */
    public record Problem(int line, String message) {
        @Override
        public String toString() {
            return "line " + line + ": " + message;
        }
    }

    /** What {@link #parse} found. */
    public record Parsed(List<Entry> entries, List<Problem> problems) {}

    /** Reads the whole text; never throws. */
    public static Parsed parse(String text) {
        List<Entry> entries = new ArrayList<>();
        List<Problem> problems = new ArrayList<>();
        int lineNo = 0;
        int at = 0;
        int n = text.length();
        while (at < n) {
            int nl = text.indexOf('\n', at);
            int end = nl < 0 ? n : nl;
            lineNo++;
            String line = text.substring(at, end);
            at = end + 1;
            String problem = line(lineNo, line, entries);
            if (problem != null) {
                problems.add(new Problem(lineNo, problem));
            }
        }
        return new Parsed(entries, problems);
    }

    /** Parses one line into {@code entries}; returns why it cannot, or null. */
    private static String line(int lineNo, String line, List<Entry> entries) {
        if (line.length() > MAX_LINE) {
            return "longer than " + MAX_LINE + " characters";
        }
        String t = line.strip();
        if (t.isEmpty() || t.charAt(0) == '#') {
            return null;
        }
        String[] f = t.split("[ \t]+");
        if (f.length != 4) {
            return "expected 4 fields (kind ipv6 ipv4 last-used), got " + f.length;
        }
        boolean isStatic;
        if (f[0].equals("dynamic")) {
            isStatic = false;
        } else if (f[0].equals("static")) {
            isStatic = true;
        } else {
            return "kind must be \"dynamic\" or \"static\", got \"" + printable(f[0]) + "\"";
        }
        Ipv6Address v6;
        try {
            v6 = Ipv6Address.parse(f[1]);
        } catch (IllegalArgumentException e) {
            return "bad IPv6 address \"" + printable(f[1]) + "\"";
        }
        int v4;
        try {
            v4 = Ipv4Address.parse(f[2]);
        } catch (IllegalArgumentException e) {
            return "bad IPv4 address \"" + printable(f[2]) + "\"";
        }
        long last;
        try {
            last = Long.parseLong(f[3]);
        } catch (NumberFormatException e) {
            return "bad last-used time \"" + printable(f[3]) + "\" (milliseconds since the epoch)";
        }
        if (last < 0) {
            return "last-used time " + last + " is negative";
        }
        entries.add(new Entry(lineNo, isStatic, v6, v4, last));
        return null;
    }

    /** The file's text for these bindings. */
    static String render(List<Entry> entries) {
        StringBuilder b = new StringBuilder(64 + entries.size() * 56);
        b.append("# isthmus dynamic address pool bindings, written by isthmus (atomic rename)\n");
        b.append("# kind ipv6 ipv4 last-used-ms-since-epoch\n");
        for (Entry e : entries) {
            b.append(e.isStatic() ? "static " : "dynamic ").append(e.ipv6()).append(' ');
            Ipv4Address.append(b, e.ipv4()).append(' ').append(e.lastUsedMillis()).append('\n');
        }
        return b.toString();
    }

    /** A field quoted back in a message: printable ASCII, at most 40 characters. */
    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && i < 40; i++) {
            char c = s.charAt(i);
            b.append(c >= 0x20 && c < 0x7f && c != '"' ? c : '?');
        }
        return s.length() > 40 ? b + "..." : b.toString();
    }
}
