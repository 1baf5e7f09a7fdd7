package dev.isthmus.config;

import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Takes the blank and comment-only lines out of TOML text before tomlj parses it, and maps the
 * line numbers tomlj reports back to the lines of the file.
 *
 * <p>Why: tomlj 2.2.0 (the newest release) parses a run of blank or comment lines in time that
 * grows faster than the square of its length. Its error strategy ({@code LineRecoveryStrategy})
 * is consulted before every token of the run, and each time looks ahead over the whole rest of the
 * run, one {@code LA(k)} at a time, before it finds out that the parser is not inside an array; 2,000
 * comment lines took 7–13 s, 10,000 did not finish in two minutes. The fix upstream is to test the
 * parser's context before that look-ahead. Until tomlj has it, tomlj never sees such a run: nothing
 * it would have parsed is changed, and no run remains.
 *
 * <p>Why the result is the same document (TOML 1.0.0, the ABNF's {@code expression} and
 * {@code ws-comment-newline}): a line that holds only spaces, tabs and a comment, and that starts
 * outside a multi-line string, is an empty expression at the top level, or whitespace between the
 * elements of an array; neither carries a value, and every other line, including the newline that
 * ends the line before, is passed on unchanged, so columns are unchanged and no two lines are
 * joined. Lines inside a multi-line string ({@code """…"""}, {@code '''…'''}) are content and are
 * kept, which is why the text is scanned for strings and comments rather than matched line by line.
 * A comment holding a character TOML forbids there (a control character) is kept, so that tomlj
 * still reports it; so is a last line without a newline, so that the end of the input stays where
 * it was.
 */
final class BlankAndCommentLines {

    /** tomlj names other lines in its messages in this form: "previously defined at line 2, column 1". */
    private static final Pattern LINE_IN_MESSAGE = Pattern.compile("\\bline (\\d{1,9}), column (\\d+)");

    private enum State { OUTSIDE, MULTILINE_BASIC, MULTILINE_LITERAL }

    /**
     * The text to parse and where its lines come from.
     *
     * @param text the text without the blank and comment-only lines
     * @param kept for each line of {@code text} (index 0 is line 1), its line in the file; null when
     *     no line was taken out
     * @param endLine the line of the file the end of the input is on
     */
    record Stripped(String text, int[] kept, int endLine) {

        /** The line of the file that line {@code line} of {@link #text} is; 0 stays 0 (no line). */
        int fileLine(int line) {
            if (kept == null || line <= 0) {
                return line;
            }
            // Past the last kept line there is only the end of the input, on the line after it.
            return line <= kept.length ? kept[line - 1] : endLine + (line - kept.length - 1);
        }

        /** {@code message} with each "line N, column M" it names turned into the file's line. */
        String fileLines(String message) {
            if (kept == null) {
                return message;
            }
            Matcher m = LINE_IN_MESSAGE.matcher(message);
            return m.replaceAll(r -> "line " + fileLine(Integer.parseInt(r.group(1))) + ", column " + r.group(2));
        }
    }

    private BlankAndCommentLines() {}

    static Stripped strip(String text) {
        StringBuilder out = new StringBuilder(text.length());
        int[] kept = new int[16];
        int keptCount = 0;
        int line = 1;
        State state = State.OUTSIDE;
        int start = 0;
        while (start < text.length()) {
            int newline = text.indexOf('\n', start);
            int end = newline < 0 ? text.length() : newline + 1;
            if (state != State.OUTSIDE || newline < 0 || !isBlankOrComment(text, start, newline)) {
                state = scan(text, start, newline < 0 ? text.length() : newline, state);
                out.append(text, start, end);
                if (keptCount == kept.length) {
                    kept = Arrays.copyOf(kept, keptCount * 2);
                }
                kept[keptCount++] = line;
            }
            start = end;
            line++;
        }
        // "line" is now the line the end of the input is on: after the last newline.
        if (out.length() == text.length()) {
            return new Stripped(text, null, line);
        }
        return new Stripped(out.toString(), Arrays.copyOf(kept, keptCount), line);
    }

    /**
     * Whether {@code text[start, newline)} is spaces and tabs, then optionally a comment of
     * characters TOML allows in one (tab, printable ASCII, any non-ASCII scalar value), then an
     * optional CR of the CRLF.
     */
    private static boolean isBlankOrComment(String text, int start, int newline) {
        int end = newline > start && text.charAt(newline - 1) == '\r' ? newline - 1 : newline;
        int i = start;
        while (i < end && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
            i++;
        }
        if (i == end) {
            return true;
        }
        if (text.charAt(i) != '#') {
            return false;
        }
        for (i++; i < end; i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < end && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (c != '\t' && (c < 0x20 || c == 0x7f || Character.isSurrogate(c))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Follows the strings and comment of one line, {@code text[start, end)} without its newline,
     * and returns whether the next line starts inside a multi-line string. A single-line string or
     * comment ends with its line (where one is unterminated the file is wrong anyway, and the line
     * is kept).
     */
    private static State scan(String text, int start, int end, State state) {
        int i = start;
        while (i < end) {
            char c = text.charAt(i);
            switch (state) {
                case OUTSIDE -> {
                    if (c == '#') {
                        return State.OUTSIDE;
                    } else if (c == '"' || c == '\'') {
                        if (run(text, i, end, c) >= 3) {
                            state = c == '"' ? State.MULTILINE_BASIC : State.MULTILINE_LITERAL;
                            i += 3;
                        } else {
                            i = endOfString(text, i + 1, end, c);
                        }
                    } else {
                        i++;
                    }
                }
                case MULTILINE_BASIC, MULTILINE_LITERAL -> {
                    char quote = state == State.MULTILINE_BASIC ? '"' : '\'';
                    if (c == '\\' && state == State.MULTILINE_BASIC) {
                        i += 2;
                    } else if (c == quote) {
                        // Up to two quotes may stand before the closing three ("""a""""" is a"").
                        int n = run(text, i, end, quote);
                        if (n >= 3) {
                            state = State.OUTSIDE;
                        }
                        i += Math.min(n, 5);
                    } else {
                        i++;
                    }
                }
            }
        }
        return state;
    }

    /** Index just past the quote closing a single-line string whose content starts at {@code i}. */
    private static int endOfString(String text, int i, int end, char quote) {
        while (i < end) {
            char c = text.charAt(i);
            if (c == quote) {
                return i + 1;
            }
            // Only a basic string has escapes; a literal string ends at its first quote.
            i += c == '\\' && quote == '"' ? 2 : 1;
        }
        return end;
    }

    private static int run(String text, int i, int end, char c) {
        int n = 0;
        while (i + n < end && text.charAt(i + n) == c) {
            n++;
        }
        return n;
    }
}
