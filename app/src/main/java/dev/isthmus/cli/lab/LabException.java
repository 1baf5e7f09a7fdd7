package dev.isthmus.cli.lab;

/** The lab could not be built, started or checked; the message says what and why, ready to print. */
public final class LabException extends RuntimeException {
    public LabException(String message) {
        super(message);
    }

    public LabException(String message, Throwable cause) {
        super(message, cause);
    }
}
