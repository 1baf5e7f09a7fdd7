package dev.isthmus.control;

import dev.isthmus.xlat.DropReason;
import dev.isthmus.xlat.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code show stats}: the counters as a table an operator reads in a terminal. One column per
 * worker and a total; the TUN rows always, translation paths and drop reasons only where some
 * worker counted something (a drop reason that never happened is noise when asking "why was my
 * packet dropped?"). Example:
 *
 * <pre>
 * isthmus statistics, 2 workers
 *
 * tun                       worker 0  worker 1  total
 *   packets-in                   120        80    200
 *   ...
 * translated (path)
 *   tcp-64                        60        40    100
 * dropped (reason)
 *   ttl-expired                    2         0      2
 * </pre>
 */
final class StatsText {
    private StatsText() {}

    static String render(StatsSnapshot s) {
        int n = s.workers();
        List<String[]> rows = new ArrayList<>();
        String[] header = new String[n + 2];
        header[0] = "tun";
        for (int w = 0; w < n; w++) {
            header[w + 1] = "worker " + w;
        }
        header[n + 1] = "total";
        rows.add(header);
        for (StatsSnapshot.Tun t : StatsSnapshot.Tun.values()) {
            long[] v = new long[n];
            for (int w = 0; w < n; w++) {
                v[w] = s.tun(t, w);
            }
            rows.add(row(t.key, v, s.tunTotal(t)));
        }
        rows.add(section("translated (path)", n));
        int before = rows.size();
        for (Path p : Path.values()) {
            if (s.pathTotal(p) != 0) {
                long[] v = new long[n];
                for (int w = 0; w < n; w++) {
                    v[w] = s.paths()[w][p.ordinal()];
                }
                rows.add(row(p.key(), v, s.pathTotal(p)));
            }
        }
        if (rows.size() == before) {
            rows.add(note("(none)", n));
        }
        rows.add(section("dropped (reason)", n));
        before = rows.size();
        for (DropReason r : DropReason.values()) {
            if (StatsSnapshot.isDrop(r) && s.dropTotal(r) != 0) {
                long[] v = new long[n];
                for (int w = 0; w < n; w++) {
                    v[w] = s.drops()[w][r.ordinal()];
                }
                rows.add(row(r.key(), v, s.dropTotal(r)));
            }
        }
        if (rows.size() == before) {
            rows.add(note("(none)", n));
        }
        return "isthmus statistics, " + n + (n == 1 ? " worker" : " workers") + "\n\n" + table(rows, n + 2);
    }

    private static String[] row(String key, long[] perWorker, long total) {
        String[] r = new String[perWorker.length + 2];
        r[0] = "  " + key;
        for (int w = 0; w < perWorker.length; w++) {
            r[w + 1] = Long.toUnsignedString(perWorker[w]);
        }
        r[perWorker.length + 1] = Long.toUnsignedString(total);
        return r;
    }

    private static String[] section(String title, int workers) {
        String[] r = new String[workers + 2];
        r[0] = title;
        return r;
    }

    private static String[] note(String text, int workers) {
        String[] r = new String[workers + 2];
        r[0] = "  " + text;
        return r;
    }

    /** First column left-aligned, numbers right-aligned under their headers, two spaces apart. */
    private static String table(List<String[]> rows, int columns) {
        int[] width = new int[columns];
        for (String[] r : rows) {
            for (int c = 0; c < columns; c++) {
                if (r[c] != null) {
                    width[c] = Math.max(width[c], r[c].length());
                }
            }
        }
        StringBuilder b = new StringBuilder();
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            line.append(r[0]).repeat(' ', width[0] - r[0].length());
            for (int c = 1; c < columns; c++) {
                if (r[c] != null) {
                    line.append("  ").repeat(' ', width[c] - r[c].length()).append(r[c]);
                }
            }
            b.append(line.toString().stripTrailing()).append('\n');
        }
        return b.toString();
    }
}
