package dev.isthmus.alg.smtp;

import java.util.Locale;

/**
 * One command line (RFC 5321 §4.1.1): the verb, upper-cased, and what follows it after one space.
 *
 * @param verb the command verb, upper-case ({@code MAIL}); empty for an empty line
 * @param argument what follows the verb and its space, as sent; empty when there is none
 */
record SmtpCommand(String verb, String argument) {
    /** The command in {@code line} (without its line end). */
    static SmtpCommand parse(String line) {
        int space = line.indexOf(' ');
        String verb = space < 0 ? line : line.substring(0, space);
        String argument = space < 0 ? "" : line.substring(space + 1);
        return new SmtpCommand(verb.toUpperCase(Locale.ROOT), argument);
    }
}
