package dev.isthmus.alg.smtp;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The spool's envelope/state file: a message's {@link Envelope} and delivery state as versioned
 * UTF-8 text, one {@code key: value} per line, in a fixed order, ending with {@code end}:
 *
 * <pre>
 * isthmus-spool 2
 * id: 018f3a2b4c5d0000a1b2c3
 * received: 2026-12-07T18:10:49.123Z
 * from: alice@example.org            (empty for the null reverse-path &lt;&gt;)
 * rcpt: bob@example.net              (one line per RCPT, in order; at least one)
 * notify: SUCCESS,FAILURE            (optional, after its rcpt: NEVER or a list, RFC 3461 §4.1)
 * orcpt: rfc822;Bob@example.net      (optional, after its rcpt and notify: type;address decoded, §4.2)
 * client: 2001:db8:6:0:0:0:0:2 40123 (optional)
 * helo: mail.example.org             (optional)
 * smtputf8: yes                      (yes or no, RFC 6531)
 * body: 8bitmime                     (8bitmime or 7bit, RFC 6152)
 * envid: QQ314159                    (optional, RFC 3461 §4.4, xtext-decoded)
 * ret: HDRS                          (optional: FULL or HDRS, RFC 3461 §4.3)
 * pending: bob@example.net           (zero or more, in order)
 * attempts: 0
 * next-attempt: 2026-12-07T18:10:49.123Z
 * last-error: 451 4.3.0 try later    (optional)
 * size: 10240                        (content bytes)
 * end
 * </pre>
 *
 * <p>Values are percent-encoded: {@code %}, space and control characters become {@code %XX}
 * (uppercase hex), anything else — UTF-8 addresses included (RFC 6531) — is written as is, so a
 * value never holds a line end. The reader is strict: exactly the canonical form the writer
 * produces is accepted (every key in order, no unknown key, canonical numbers, times and
 * addresses), so that a file damaged on disk or written by someone else is refused with a named
 * reason ({@link Malformed}) and set aside rather than half-understood; the {@code end} line
 * catches truncation. A later format gets a new version number on the first line.
 *
 * <p>Versions: 1 had no notify, orcpt nor ret lines (the DSN extension, RFC 3461, came with 2).
 * The writer writes 2; the reader takes both, so a spool written before the upgrade is delivered
 * after it. A version-1 file holding a version-2 line is refused like any other unknown line.
 */
final class EnvelopeFile {
    static final String MAGIC = "isthmus-spool 2";
    /** The format before the DSN extension: read, never written. */
    static final String MAGIC_V1 = "isthmus-spool 1";
    /** Far above any real envelope (RFC 5321 §4.5.3.1.3: paths of 256 octets; thousands of them). */
    static final int MAX_BYTES = 16 << 20;
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private EnvelopeFile() {}

    /** A file the reader refuses, with the reason (for the log line naming the file). */
    static final class Malformed extends Exception {
        Malformed(String reason) {
            super(reason, null, false, false);
        }
    }

    /**
     * The file's bytes for the message.
     *
     * @throws IllegalArgumentException for what no file can hold: a string that is not Unicode
     *     text (a lone surrogate), an unresolved client address
     */
    static byte[] encode(QueuedMessage m) {
        Envelope e = m.envelope();
        StringBuilder b = new StringBuilder(256).append(MAGIC).append('\n');
        line(b, "id", m.id());
        line(b, "received", e.received().toString());
        line(b, "from", e.reversePath());
        for (int i = 0; i < e.recipients().size(); i++) {
            line(b, "rcpt", e.recipients().get(i));
            Envelope.RecipientDsn d = e.dsnRecipients().get(i);
            if (d.events() != null) {
                line(b, "notify", DsnParameters.notifyText(d.events()));
            }
            if (d.orcpt() != null) {
                line(b, "orcpt", d.orcptType() + ";" + d.orcpt());
            }
        }
        if (e.client() != null) {
            if (e.client().getAddress() == null) {
                throw new IllegalArgumentException("unresolved client address " + e.client());
            }
            // a numeric literal and a port: nothing to encode
            b.append("client: ").append(literal(e.client().getAddress())).append(' ').append(e.client().getPort())
                    .append('\n');
        }
        optional(b, "helo", e.helo());
        b.append("smtputf8: ").append(e.smtputf8() ? "yes" : "no").append('\n');
        b.append("body: ").append(e.body8bit() ? "8bitmime" : "7bit").append('\n');
        optional(b, "envid", e.dsnEnvid());
        if (e.dsnRet() != null) {
            line(b, "ret", e.dsnRet().name());
        }
        for (String r : m.pending()) {
            line(b, "pending", r);
        }
        b.append("attempts: ").append(m.attempts()).append('\n');
        line(b, "next-attempt", m.nextAttempt().toString());
        optional(b, "last-error", m.lastError());
        b.append("size: ").append(m.size()).append('\n');
        b.append("end\n");
        try {
            ByteBuffer bytes = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(b));
            byte[] out = new byte[bytes.remaining()];
            bytes.get(out);
            return out;
        } catch (CharacterCodingException notText) {
            throw new IllegalArgumentException("message " + m.id() + ": a field is not Unicode text", notText);
        }
    }

    /**
     * The message a file holds.
     *
     * @param id the name the file has in the spool: the file must say the same
     * @throws Malformed anything but the canonical form {@link #encode} writes
     */
    static QueuedMessage parse(String id, byte[] data) throws Malformed {
        if (data.length > MAX_BYTES) {
            throw new Malformed("larger than " + MAX_BYTES + " bytes");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(data)).toString();
        } catch (CharacterCodingException notUtf8) {
            throw new Malformed("not UTF-8");
        }
        Lines in = new Lines(text);
        String magic = in.next();
        boolean v2 = magic.equals(MAGIC);
        if (!v2 && !magic.equals(MAGIC_V1)) {
            throw new Malformed("first line is not \"" + MAGIC + "\"" + (in.line(1).startsWith("isthmus-spool ")
                    ? " (a format version this isthmus does not know)" : ""));
        }
        String fileId = in.value("id");
        if (!fileId.equals(id)) {
            throw new Malformed("id " + printable(fileId) + " differs from the file name's " + printable(id));
        }
        Instant received = instant(in.value("received"), "received");
        String from = in.value("from");
        List<String> recipients = new ArrayList<>();
        List<Envelope.RecipientDsn> dsn = new ArrayList<>();
        while (in.has("rcpt")) {
            recipients.add(in.value("rcpt"));
            dsn.add(v2 ? recipientDsn(in) : Envelope.RecipientDsn.NONE);
        }
        if (recipients.isEmpty()) {
            throw new Malformed("no rcpt line");
        }
        InetSocketAddress client = in.has("client") ? client(in.raw("client")) : null;
        String helo = in.has("helo") ? in.value("helo") : null;
        boolean smtputf8 = choice(in.value("smtputf8"), "smtputf8", "yes", "no");
        boolean body8bit = choice(in.value("body"), "body", "8bitmime", "7bit");
        String envid = in.has("envid") ? in.value("envid") : null;
        Envelope.Ret ret = v2 && in.has("ret") ? ret(in.value("ret")) : null;
        List<String> pending = in.values("pending");
        long attempts = number(in.value("attempts"), "attempts", Integer.MAX_VALUE);
        Instant next = instant(in.value("next-attempt"), "next-attempt");
        String lastError = in.has("last-error") ? in.value("last-error") : null;
        long size = number(in.value("size"), "size", Long.MAX_VALUE);
        if (!in.next().equals("end")) {
            throw new Malformed("line " + in.number + ": expected \"end\"");
        }
        if (!in.atEnd()) {
            throw new Malformed("text after the \"end\" line");
        }
        Envelope envelope = new Envelope(from, recipients, client, helo, received, smtputf8, body8bit, envid, ret,
                dsn);
        return new QueuedMessage(id, envelope, pending, (int) attempts, next, lastError, size);
    }

    /** The optional notify and orcpt lines after a rcpt line (version 2). */
    private static Envelope.RecipientDsn recipientDsn(Lines in) throws Malformed {
        java.util.Set<Envelope.Notify> notify = null;
        if (in.has("notify")) {
            String v = in.value("notify");
            notify = DsnParameters.notify(v);
            if (notify == null || !DsnParameters.notifyText(notify).equals(v)) {
                throw new Malformed("notify: " + printable(v) + " is not NEVER or SUCCESS,FAILURE,DELAY or a part of it");
            }
        }
        if (!in.has("orcpt")) {
            return new Envelope.RecipientDsn(notify, null, null);
        }
        String v = in.value("orcpt");
        int semi = v.indexOf(';');
        if (semi < 0 || !DsnParameters.validOrcpt(v.substring(0, semi), v.substring(semi + 1))) {
            throw new Malformed("orcpt: " + printable(v) + " is not type;address in printable ASCII");
        }
        return new Envelope.RecipientDsn(notify, v.substring(0, semi), v.substring(semi + 1));
    }

    private static Envelope.Ret ret(String value) throws Malformed {
        for (Envelope.Ret r : Envelope.Ret.values()) {
            if (r.name().equals(value)) {
                return r;
            }
        }
        throw new Malformed("ret: " + printable(value) + " is neither FULL nor HDRS");
    }

    private static void line(StringBuilder b, String key, String value) {
        b.append(key).append(": ");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c <= ' ' || c == '%' || c == 0x7f) {
                b.append('%').append(HEX[c >> 4]).append(HEX[c & 15]);
            } else {
                b.append(c);
            }
        }
        b.append('\n');
    }

    private static void optional(StringBuilder b, String key, String value) {
        if (value != null) {
            line(b, key, value);
        }
    }

    /** The numeric literal without an IPv6 scope: the interface may be gone after a restart. */
    private static String literal(InetAddress a) {
        try {
            return InetAddress.getByAddress(a.getAddress()).getHostAddress();
        } catch (UnknownHostException impossible) {
            throw new IllegalStateException(impossible); // 4 or 16 bytes from an InetAddress
        }
    }

    private static InetSocketAddress client(String value) throws Malformed {
        int space = value.indexOf(' ');
        if (space < 0) {
            throw new Malformed("client: not \"address port\"");
        }
        String address = value.substring(0, space);
        InetAddress a;
        try {
            a = InetAddress.ofLiteral(address);
        } catch (IllegalArgumentException notLiteral) {
            throw new Malformed("client: " + printable(address) + " is not an address");
        }
        if (!literal(a).equals(address)) {
            throw new Malformed("client: " + printable(address) + " is not in canonical form");
        }
        return new InetSocketAddress(a, (int) number(value.substring(space + 1), "client port", 65535));
    }

    private static Instant instant(String value, String key) throws Malformed {
        try {
            Instant t = Instant.parse(value);
            if (t.toString().equals(value)) {
                return t;
            }
        } catch (DateTimeException notTime) {
            // refused below, with the same words as a non-canonical time
        }
        throw new Malformed(key + ": " + printable(value) + " is not a time like 2026-12-07T18:10:49.123Z");
    }

    private static long number(String value, String key, long max) throws Malformed {
        try {
            long n = Long.parseLong(value);
            if (n >= 0 && n <= max && Long.toString(n).equals(value)) {
                return n;
            }
        } catch (NumberFormatException notNumber) {
            // refused below
        }
        throw new Malformed(key + ": " + printable(value) + " is not a number from 0 to " + max);
    }

    private static boolean choice(String value, String key, String yes, String no) throws Malformed {
        if (value.equals(yes) || value.equals(no)) {
            return value.equals(yes);
        }
        throw new Malformed(key + ": " + printable(value) + " is neither " + yes + " nor " + no);
    }

    /** A value as a log line may show it: short, without control characters. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length() && i < 80; i++) {
            char c = s.charAt(i);
            b.append(c < ' ' || c == 0x7f ? '?' : c);
        }
        return b.append(s.length() > 80 ? "...\"" : "\"").toString();
    }

    /** The file's lines and a cursor over them; every refusal names the line number. */
    private static final class Lines {
        private final String[] lines;
        private int number; // of the line next() returns last, from 1

        Lines(String text) throws Malformed {
            if (!text.endsWith("\n")) {
                throw new Malformed("does not end with a line end (cut short?)");
            }
            lines = text.substring(0, text.length() - 1).split("\n", -1);
            for (int i = 0; i < lines.length; i++) {
                for (int j = 0; j < lines[i].length(); j++) {
                    char c = lines[i].charAt(j);
                    if (c < ' ' || c == 0x7f) {
                        throw new Malformed("line " + (i + 1) + ": a control character");
                    }
                }
            }
        }

        String line(int n) {
            return n <= lines.length ? lines[n - 1] : "";
        }

        String next() throws Malformed {
            if (number == lines.length) {
                throw new Malformed("cut short after line " + number);
            }
            return lines[number++];
        }

        boolean atEnd() {
            return number == lines.length;
        }

        boolean has(String key) {
            return number < lines.length && lines[number].startsWith(key + ": ");
        }

        String value(String key) throws Malformed {
            return decode(raw(key));
        }

        /** The value as written, not percent-decoded. */
        String raw(String key) throws Malformed {
            String line = next();
            if (!line.startsWith(key + ": ")) {
                throw new Malformed("line " + number + ": expected \"" + key + ": \"");
            }
            return line.substring(key.length() + 2);
        }

        List<String> values(String key) throws Malformed {
            List<String> values = new ArrayList<>();
            while (has(key)) {
                values.add(value(key));
            }
            return values;
        }

        /** Strict percent-decoding: only what {@link #line} encodes, only as it encodes it. */
        private String decode(String value) throws Malformed {
            StringBuilder b = new StringBuilder(value.length());
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c == ' ') {
                    throw new Malformed("line " + number + ": a space not written as %20");
                }
                if (c != '%') {
                    b.append(c);
                    continue;
                }
                int hi = i + 2 < value.length() ? hexDigit(value.charAt(i + 1)) : -1;
                int lo = hi >= 0 ? hexDigit(value.charAt(i + 2)) : -1;
                int d = hi << 4 | lo;
                if (lo < 0 || !(d <= ' ' || d == '%' || d == 0x7f)) {
                    throw new Malformed("line " + number + ": a % that is not %XX for a control character, space or %");
                }
                b.append((char) d);
                i += 2;
            }
            return b.toString();
        }
    }

    /** Uppercase hex digits only: the writer's form. */
    private static int hexDigit(char c) {
        return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    }
}
