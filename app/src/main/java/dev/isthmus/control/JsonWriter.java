package dev.isthmus.control;

/**
 * Just enough JSON output for the control answers (RFC 8259): objects, arrays, strings and
 * integers, written in order into one builder, commas placed by the writer. Compact output, one
 * document per answer and a final LF.
 */
final class JsonWriter {
    private final StringBuilder out = new StringBuilder(1024);
    /** Whether the container being written already holds a value (a comma goes before the next). */
    private boolean[] hasValue = new boolean[8];
    private int depth;
    private boolean afterName;

    JsonWriter beginObject() {
        beforeValue();
        out.append('{');
        push();
        return this;
    }

    JsonWriter endObject() {
        depth--;
        out.append('}');
        return this;
    }

    JsonWriter beginArray() {
        beforeValue();
        out.append('[');
        push();
        return this;
    }

    JsonWriter endArray() {
        depth--;
        out.append(']');
        return this;
    }

    JsonWriter name(String name) {
        beforeValue();
        string(name);
        out.append(':');
        afterName = true;
        return this;
    }

    JsonWriter value(long v) {
        beforeValue();
        out.append(v);
        return this;
    }

    /** Counters are unsigned in spirit; none will pass 2^63, but the text never shows a minus. */
    JsonWriter unsigned(long v) {
        beforeValue();
        out.append(Long.toUnsignedString(v));
        return this;
    }

    JsonWriter value(boolean v) {
        beforeValue();
        out.append(v);
        return this;
    }

    JsonWriter value(String v) {
        beforeValue();
        if (v == null) {
            out.append("null");
        } else {
            string(v);
        }
        return this;
    }

    /** The document, followed by a line feed. */
    String finish() {
        if (depth != 0) {
            throw new IllegalStateException("unclosed JSON container");
        }
        return out.append('\n').toString();
    }

    private void push() {
        if (depth == hasValue.length) {
            hasValue = java.util.Arrays.copyOf(hasValue, depth * 2);
        }
        hasValue[depth++] = false;
    }

    private void beforeValue() {
        if (afterName) {
            afterName = false;
            return;
        }
        if (depth > 0) {
            if (hasValue[depth - 1]) {
                out.append(',');
            }
            hasValue[depth - 1] = true;
        }
    }

    /** A string literal with the escapes RFC 8259 §7 requires. */
    private void string(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append("\\u00").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xf, 16));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
