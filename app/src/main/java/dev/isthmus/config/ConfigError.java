package dev.isthmus.config;

import java.util.Objects;

/**
 * One problem found in a config file, positioned so that an operator can go straight to it.
 *
 * @param source the file name as the operator gave it (or the name passed to {@link ConfigLoader#parse})
 * @param line 1-based line, or 0 when the problem concerns the file as a whole
 * @param column 1-based column, or 0 when unknown
 * @param key full key path such as {@code siit.eam[2].ipv4} (array indices count from 0), or ""
 *     for a TOML syntax error or a problem with the whole file
 * @param message what is wrong, in words an operator can act on
 */
public record ConfigError(String source, int line, int column, String key, String message) {

    public ConfigError {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(message, "message");
        key = key == null ? "" : key;
    }

    /** {@code siit.toml:7: siit.eam[1].ipv4: "1.0.0.1/24" has host bits set (prefix is 1.0.0.0/24)}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(source);
        if (line > 0) {
            sb.append(':').append(line);
        }
        sb.append(": ");
        if (!key.isEmpty()) {
            sb.append(key).append(": ");
        }
        return sb.append(message).toString();
    }
}
