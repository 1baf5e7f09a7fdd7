package dev.isthmus.alg.smtp;

/**
 * One line from the client, without its line end, as {@link SmtpLineDecoder} cut it.
 *
 * @param bytes the line's octets (8-bit: DATA and SMTPUTF8 carry more than ASCII)
 * @param crlf it ended with CR LF; false: a bare LF (RFC 5321 §2.3.8 allows only CR LF)
 * @param tooLong it was longer than {@link SmtpLineDecoder#MAX_LINE} with its CR LF: its octets
 *     were discarded up to its end ({@code bytes} is empty)
 */
record SmtpLine(byte[] bytes, boolean crlf, boolean tooLong) {}
