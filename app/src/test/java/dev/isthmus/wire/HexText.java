package dev.isthmus.wire;

import java.util.HexFormat;

/** Packet bytes written in tests as hex text: digits, any whitespace, {@code #} comments to the end of a line. */
public final class HexText {
    private HexText() {}

    public static byte[] hex(String text) {
        StringBuilder digits = new StringBuilder();
        for (String line : text.split("\n")) {
            int hash = line.indexOf('#');
            digits.append((hash >= 0 ? line.substring(0, hash) : line).replaceAll("\\s+", ""));
        }
        return HexFormat.of().parseHex(digits);
    }
}
