package dev.isthmus.config;

import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.tomlj.Toml;
import org.tomlj.TomlArray;
import org.tomlj.TomlPosition;
import org.tomlj.TomlTable;

/**
 * Typed, positioned access to one TOML table for the section readers. Every read that finds a
 * value of the wrong type records an error naming the key path and returns {@code null} (or the
 * default), so a reader can carry on and find the file's other problems too.
 *
 * <p>Keys are always looked up as single path segments ({@code List.of(key)}): tomlj's
 * {@code get(String)} would split a key on dots.
 */
final class TableReader {

    private static final Pattern BARE_KEY = Pattern.compile("[A-Za-z0-9_-]+");

    private final TomlTable table;
    private final String path;
    private final TomlPosition position;
    private final Problems problems;

    private TableReader(TomlTable table, String path, TomlPosition position, Problems problems) {
        this.table = table;
        this.path = path;
        this.position = position;
        this.problems = problems;
    }

    static TableReader root(TomlTable table, Problems problems) {
        return new TableReader(table, "", null, problems);
    }

    Problems problems() {
        return problems;
    }

    /** Key path of this table, "" for the root. */
    String path() {
        return path;
    }

    /** Where the table starts (its header), or null for the root or when tomlj does not know. */
    TomlPosition position() {
        return position;
    }

    String keyPath(String key) {
        String k = BARE_KEY.matcher(key).matches() ? key : "\"" + Toml.tomlEscape(key) + "\"";
        return path.isEmpty() ? k : path + "." + k;
    }

    /** Position of a key in this table; falls back to the table's own position. */
    TomlPosition positionOf(String key) {
        TomlPosition p = table.inputPositionOf(List.of(key));
        return p != null ? p : position;
    }

    boolean has(String key) {
        return table.get(List.of(key)) != null;
    }

    Object raw(String key) {
        return table.get(List.of(key));
    }

    /** Records an error at {@code key} of this table. */
    void error(String key, String message) {
        problems.add(positionOf(key), keyPath(key), message);
    }

    /** Records an error about the table as a whole, at its header. */
    void errorHere(String message) {
        problems.add(position, path, message);
    }

    void typeError(String key, String expected) {
        error(key, "expected " + expected + ", got " + describe(raw(key)));
    }

    String string(String key) {
        Object v = raw(key);
        if (v == null) {
            return null;
        }
        if (v instanceof String s) {
            return s;
        }
        typeError(key, "a string");
        return null;
    }

    Long integer(String key) {
        Object v = raw(key);
        if (v == null) {
            return null;
        }
        if (v instanceof Long l) {
            return l;
        }
        typeError(key, "an integer");
        return null;
    }

    boolean bool(String key, boolean dflt) {
        Object v = raw(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        typeError(key, "true or false");
        return dflt;
    }

    /** An integer in {@code [min, max]}; the default when absent or wrong (the error is recorded). */
    int intIn(String key, int min, int max, int dflt) {
        Long v = integer(key);
        if (v == null) {
            return dflt;
        }
        if (v < min || v > max) {
            error(key, v + " is out of range " + min + ".." + max);
            return dflt;
        }
        return (int) (long) v;
    }

    /** One of the given words; the default when absent or wrong (the error is recorded). */
    <T> T choice(String key, Map<String, T> words, T dflt) {
        Object v = raw(key);
        if (v == null) {
            return dflt;
        }
        if (v instanceof String s && words.containsKey(s)) {
            return words.get(s);
        }
        error(key, "expected one of " + quotedList(words.keySet()) + ", got " + describe(v));
        return dflt;
    }

    TomlArray array(String key) {
        Object v = raw(key);
        if (v == null) {
            return null;
        }
        if (v instanceof TomlArray a) {
            return a;
        }
        typeError(key, "an array");
        return null;
    }

    /** A sub-table, or null when absent or not a table (the error is recorded). */
    TableReader table(String key) {
        Object v = raw(key);
        if (v == null) {
            return null;
        }
        if (v instanceof TomlTable t) {
            return new TableReader(t, keyPath(key), positionOf(key), problems);
        }
        typeError(key, "a table [" + keyPath(key) + "]");
        return null;
    }

    /**
     * The entries of an array of tables ({@code [[a.b]]} headers, or an array of inline tables),
     * each as a reader whose path is {@code a.b[i]}. Empty when absent; an element that is not a
     * table is an error and is skipped.
     */
    List<TableReader> tables(String key) {
        Object v = raw(key);
        if (v == null) {
            return List.of();
        }
        String kp = keyPath(key);
        if (!(v instanceof TomlArray a)) {
            typeError(key, "an array of tables [[" + kp + "]]");
            return List.of();
        }
        List<TableReader> out = new ArrayList<>(a.size());
        for (int i = 0; i < a.size(); i++) {
            TomlPosition at = a.inputPositionOf(i);
            if (at == null) {
                at = positionOf(key);
            }
            if (a.get(i) instanceof TomlTable t) {
                out.add(new TableReader(t, kp + "[" + i + "]", at, problems));
            } else {
                problems.add(at, kp + "[" + i + "]", "expected a table, got " + describe(a.get(i)));
            }
        }
        return out;
    }

    /**
     * Reports every key of this table that is not in {@code known}, suggesting the closest known
     * key when it is at most two edits away (a typo such as {@code trafic-class}).
     */
    void rejectUnknown(Collection<String> known) {
        rejectUnknown(known, Map.of());
    }

    /**
     * As {@link #rejectUnknown(Collection)}; {@code belongsIn} maps keys that are valid in another
     * table to that table's name, for the hint "it belongs under [siit]" (given instead of a
     * suggestion).
     */
    void rejectUnknown(Collection<String> known, Map<String, String> belongsIn) {
        for (String key : table.keySet()) {
            if (known.contains(key)) {
                continue;
            }
            StringBuilder msg = new StringBuilder();
            if (path.isEmpty() && raw(key) instanceof TomlTable) {
                msg.append("unknown section [").append(keyPath(key)).append(']');
            } else {
                msg.append("unknown key \"").append(key).append('"');
            }
            // A key known elsewhere is named as such before any guess at a typo: rfc6791v4 under
            // [nat64] is a [siit] key, not a misspelt rfc6791v6.
            String near = closest(key, known);
            if (belongsIn.containsKey(key)) {
                msg.append(" (it belongs under [").append(belongsIn.get(key)).append("])");
            } else if (near != null) {
                msg.append(" (did you mean \"").append(near).append("\"?)");
            }
            problems.add(positionOf(key), keyPath(key), msg.toString());
        }
    }

    /** The known word closest to {@code word} if within two edits, else null. */
    static String closest(String word, Collection<String> known) {
        String best = null;
        int bestDistance = 3;
        for (String k : known) {
            int d = editDistance(word.toLowerCase(java.util.Locale.ROOT), k);
            if (d < bestDistance) {
                best = k;
                bestDistance = d;
            }
        }
        return best;
    }

    /**
     * Optimal string alignment distance: Levenshtein plus adjacent transposition, so that the
     * common typo "tso" for "tos" counts as one edit.
     */
    static int editDistance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                int v = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    v = Math.min(v, d[i - 2][j - 2] + 1);
                }
                d[i][j] = v;
            }
        }
        return d[a.length()][b.length()];
    }

    /** A value as an operator would recognise it in an error message: type and value. */
    static String describe(Object v) {
        return switch (v) {
            case null -> "nothing";
            case String s -> "string \"" + Toml.tomlEscape(s) + "\"";
            case Long l -> "integer " + l;
            case Double d -> "float " + d;
            case Boolean b -> "boolean " + b;
            case TomlArray a -> "an array";
            case TomlTable t -> "a table";
            case TemporalAccessor t -> "date/time " + t;
            default -> v.getClass().getSimpleName();
        };
    }

    static String quotedList(Collection<String> words) {
        List<String> q = words.stream().map(w -> "\"" + w + "\"").toList();
        if (q.size() <= 1) {
            return String.join("", q);
        }
        return String.join(", ", q.subList(0, q.size() - 1)) + " or " + q.getLast();
    }
}
