package dev.isthmus.config;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A config file could not be read or is invalid. Carries every problem found in the file, not
 * just the first, so that an operator can fix them all in one go. The message is the errors, one
 * per line, ready to print; there is no useful stack trace, so none is recorded.
 */
public final class ConfigException extends Exception {

    private final List<ConfigError> errors;

    public ConfigException(List<ConfigError> errors) {
        super(errors.stream().map(ConfigError::toString).collect(Collectors.joining("\n")), null, false, false);
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("a ConfigException needs at least one error");
        }
        this.errors = List.copyOf(errors);
    }

    /** The problems, ordered by position in the file. Never empty. */
    public List<ConfigError> errors() {
        return errors;
    }
}
