package dev.isthmus.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tomlj.Toml;
import org.tomlj.TomlArray;
import org.tomlj.TomlTable;

/**
 * Keeps an error message from echoing more than about {@value #KEPT} characters of a value of the
 * file: an error is one line for an operator to read, and a value pasted by mistake (a key file, a
 * whole list on one line) can be megabytes. What is cut is named by its length:
 * {@code "aaaa… (5000 characters)"} in place of the value.
 *
 * <p>Messages are written in many places, each quoting the value its own way (as written, or
 * escaped by {@link TableReader#describe}), so the cut is made where every message passes,
 * {@link Problems#add}: each long string of the file, as it is and escaped, is replaced wherever a
 * message holds it; and any other run of more than {@value #RUN} characters without a space (a
 * part of a value, such as the port of an address, or a token tomlj quotes in a syntax error) is
 * cut as well. A message never holds such a run of its own.
 */
final class LongValues {

    /** Characters of a value that a message keeps. */
    static final int KEPT = 100;

    /** A run of characters without a space longer than this is cut to {@link #KEPT}. */
    private static final int RUN = 120;

    private static final String QUOTES = "\"'";
    private static final String TRAILING = ":,;.)]";

    static final LongValues NONE = new LongValues(List.of());

    /**
     * Each long string, as it is and escaped, with what replaces it; longest first, so that a value
     * is replaced before a part of it.
     */
    private final List<Map.Entry<String, String>> values;

    private LongValues(List<Map.Entry<String, String>> values) {
        this.values = values;
    }

    /** The strings longer than {@link #KEPT} among the keys and values of {@code root}, at any depth. */
    static LongValues of(TomlTable root) {
        Set<String> found = new LinkedHashSet<>();
        collect(root, found);
        List<Map.Entry<String, String>> forms = new ArrayList<>();
        for (String s : found) {
            int length = s.codePointCount(0, s.length());
            forms.add(Map.entry(s, cut(s, length)));
            String escaped = Toml.tomlEscape(s).toString();
            if (!escaped.equals(s)) {
                // The length named is the value's, not that of its escaped form.
                forms.add(Map.entry(escaped, cut(escaped, length)));
            }
        }
        forms.sort(Comparator.comparingInt((Map.Entry<String, String> e) -> e.getKey().length()).reversed());
        return new LongValues(List.copyOf(forms));
    }

    private static void collect(Object v, Set<String> found) {
        switch (v) {
            case String s when s.length() > KEPT -> found.add(s);
            case TomlTable t -> {
                for (String key : t.keySet()) {
                    collect(key, found);
                    collect(t.get(List.of(key)), found);
                }
            }
            case TomlArray a -> {
                for (int i = 0; i < a.size(); i++) {
                    collect(a.get(i), found);
                }
            }
            default -> { }
        }
    }

    /** {@code message} with every long value and every long run of non-spaces in it cut. */
    String shorten(String message) {
        if (message.length() <= RUN) {
            return message;
        }
        String m = message;
        for (Map.Entry<String, String> v : values) {
            if (m.contains(v.getKey())) {
                m = m.replace(v.getKey(), v.getValue());
            }
        }
        return cutRuns(m);
    }

    private static String cutRuns(String m) {
        StringBuilder out = null;
        int i = 0;
        int copied = 0;
        while (i < m.length()) {
            if (Character.isWhitespace(m.charAt(i))) {
                i++;
                continue;
            }
            int start = i;
            while (i < m.length() && !Character.isWhitespace(m.charAt(i))) {
                i++;
            }
            // The quotes and punctuation around a value are the message's: kept, and not counted.
            int from = start;
            while (from < i && QUOTES.indexOf(m.charAt(from)) >= 0) {
                from++;
            }
            int to = i;
            while (to > from && (QUOTES + TRAILING).indexOf(m.charAt(to - 1)) >= 0) {
                to--;
            }
            if (to - from > RUN) {
                if (out == null) {
                    out = new StringBuilder(m.length());
                }
                String run = m.substring(from, to);
                out.append(m, copied, from).append(cut(run, run.codePointCount(0, run.length())));
                copied = to;
            }
        }
        return out == null ? m : out.append(m, copied, m.length()).toString();
    }

    /** The first {@link #KEPT} characters (whole code points) of {@code s}, "…", and {@code length}. */
    private static String cut(String s, int length) {
        if (s.codePointCount(0, s.length()) <= KEPT) {
            return s;
        }
        return s.substring(0, s.offsetByCodePoints(0, KEPT)) + "… (" + length + " characters)";
    }
}
