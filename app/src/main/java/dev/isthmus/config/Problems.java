package dev.isthmus.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.IntUnaryOperator;
import org.tomlj.TomlPosition;
import org.tomlj.TomlTable;

/** Collects the errors of one file while it is validated, so that all of them are reported together. */
final class Problems {

    private final String source;
    private final IntUnaryOperator fileLine;
    private final List<ConfigError> errors = new ArrayList<>();
    private LongValues longValues = LongValues.NONE;

    /**
     * @param fileLine the file's line for a line of the text tomlj parsed, which lacks the file's
     *     blank and comment-only lines ({@link BlankAndCommentLines})
     */
    Problems(String source, IntUnaryOperator fileLine) {
        this.source = source;
        this.fileLine = fileLine;
    }

    /** From now on, messages quoting a long string of {@code root} quote only its start ({@link LongValues}). */
    void shortenValuesOf(TomlTable root) {
        longValues = LongValues.of(root);
    }

    String source() {
        return source;
    }

    /** The line of the file {@code at} is on; 0 for null. */
    int fileLine(TomlPosition at) {
        return at == null ? 0 : fileLine.applyAsInt(at.line());
    }

    void add(TomlPosition at, String key, String message) {
        errors.add(new ConfigError(source, fileLine(at), at == null ? 0 : at.column(),
                longValues.shorten(key), longValues.shorten(message)));
    }

    int count() {
        return errors.size();
    }

    boolean isEmpty() {
        return errors.isEmpty();
    }

    /** Errors in file order (a stable sort keeps the order of several errors on one line). */
    ConfigException exception() {
        List<ConfigError> sorted = new ArrayList<>(errors);
        sorted.sort(Comparator.comparingInt(ConfigError::line).thenComparingInt(ConfigError::column));
        return new ConfigException(sorted);
    }
}
