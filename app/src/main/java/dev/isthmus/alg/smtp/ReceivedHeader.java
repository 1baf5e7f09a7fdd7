package dev.isthmus.alg.smtp;

import dev.isthmus.addr.AddressSet;
import dev.isthmus.wire.Ipv6Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The trace header the relay prepends to each message (RFC 5321 §4.4):
 * <pre>
 * Received: from HELO ([ADDRESS])
 * 	by HOSTNAME with PROTOCOL id ID
 * 	for &lt;RCPT&gt;; DATE
 * </pre>
 * The client's address is a literal (§4.1.3: {@code [IPv6:...]} for IPv6); the relay looks up no
 * name for it (a reverse lookup would block and proves nothing). {@code for} is written only for
 * a single recipient, so that one recipient's copy does not list the others. PROTOCOL is RFC
 * 3848's (ESMTP, ESMTPS, ESMTPA, ESMTPSA) or RFC 6531's UTF8SMTP variants, SMTP after HELO.
 */
final class ReceivedHeader {
    /** RFC 5322 §3.3 date-time. */
    static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.US);

    private ReceivedHeader() {}

    static String of(String helo, InetAddress client, String hostname, String protocol, String id, java.util.List<String> rcpts,
            ZonedDateTime when) {
        StringBuilder sb = new StringBuilder("Received: from ").append(clean(helo)).append(" (").append(literal(client))
                .append(")\r\n\tby ").append(hostname).append(" with ").append(protocol).append(" id ").append(id);
        if (rcpts.size() == 1) {
            sb.append("\r\n\tfor <").append(clean(rcpts.getFirst())).append('>');
        }
        return sb.append("; ").append(DATE.format(when)).append("\r\n").toString();
    }

    /** RFC 3848 §1, RFC 6531 §3.7.3: the with-protocol keyword. */
    static String protocol(boolean esmtp, boolean tls, boolean auth, boolean smtputf8) {
        if (!esmtp) {
            return "SMTP";
        }
        return (smtputf8 ? "UTF8SMTP" : "ESMTP") + (tls ? "S" : "") + (auth ? "A" : "");
    }

    /** RFC 5321 §4.1.3: {@code [192.0.2.1]}, {@code [IPv6:2001:db8::1]}; an IPv4-mapped address as IPv4. */
    static String literal(InetAddress a) {
        InetAddress u = AddressSet.unmapped(a);
        if (u instanceof Inet6Address six) {
            return "[IPv6:" + compressed(six) + "]";
        }
        return "[" + u.getHostAddress() + "]";
    }

    /** RFC 5952 text (the longest run of zero groups as {@code ::}), no zone. */
    static String compressed(Inet6Address a) {
        return Ipv6Address.ofBytes(a.getAddress()).toString();
    }

    /** What the client wrote, made safe for a header: no controls, no parentheses that end a comment. */
    private static String clean(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        s.codePoints().forEach(c -> sb.appendCodePoint(c < 0x21 || c == 0x7f || c == '(' || c == ')' ? '?' : c));
        return sb.isEmpty() ? "?" : sb.toString();
    }
}
