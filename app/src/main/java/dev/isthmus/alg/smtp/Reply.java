package dev.isthmus.alg.smtp;

import java.util.List;

/**
 * An SMTP reply (RFC 5321 §4.2): a three-digit code and its text lines.
 *
 * @param code 200..599
 * @param lines the text of each line, after the code and its separator
 */
record Reply(int code, List<String> lines) {
    Reply {
        lines = List.copyOf(lines);
    }

    boolean positive() {
        return code / 100 == 2;
    }

    /** 5yz (RFC 5321 §4.2.1): do not repeat this; anything else not positive is 4yz, try later. */
    boolean permanentFailure() {
        return code / 100 == 5;
    }

    /** The enhanced status code (RFC 3463) the reply starts with, like {@code 5.1.1}, or null. */
    String enhancedStatus() {
        String first = lines.isEmpty() ? "" : lines.getFirst();
        int sp = first.indexOf(' ');
        String word = sp < 0 ? first : first.substring(0, sp);
        return word.matches("[245]\\.\\d{1,3}\\.\\d{1,3}") && word.charAt(0) == Character.forDigit(code / 100, 10)
                ? word : null;
    }

    /** As a log line or a DSN's Diagnostic-Code shows it: {@code 550 5.1.1 no such user}. */
    @Override
    public String toString() {
        return code + " " + String.join(" ", lines);
    }
}
