package dev.isthmus.alg.smtp;

import dev.isthmus.alg.smtp.Envelope.Notify;
import dev.isthmus.alg.smtp.Envelope.RecipientDsn;
import dev.isthmus.alg.smtp.Envelope.Ret;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The parameters of the SMTP DSN extension (RFC 3461 §4): reading them from a client's MAIL and
 * RCPT, and writing them for the next hop. Readers never throw: a bad value gives the reply that
 * refuses it (501 for bad syntax, RFC 3461 §4: "a syntax error"; 555 for a parameter not known,
 * RFC 5321 §4.1.1.11).
 */
final class DsnParameters {
    /** RFC 3461 §4.4: an ENVID is at most 100 characters. */
    static final int MAX_ENVID = 100;
    /** RFC 3461 §4.2: an ORCPT parameter's value is at most 500 characters. */
    static final int MAX_ORCPT = 500;
    /**
     * What NOTIFY and ORCPT may add to a RCPT command (RFC 5321 §4.5.3.1.4: "extensions may
     * increase this limit"): " NOTIFY=SUCCESS,FAILURE,DELAY" (29) and " ORCPT=" with its value.
     */
    static final int RCPT_ALLOWANCE = 29 + 7 + MAX_ORCPT;
    /** RFC 5322 §3.2.3 atext, without {@code =} (RFC 5321 esmtp-value excludes it). */
    private static final String ADDR_TYPE = "[A-Za-z0-9!#$%&'*+/?^_`{|}~-]{1,64}";

    private DsnParameters() {}

    /** A RCPT's DSN request, or the reply refusing its parameters. */
    record Rcpt(RecipientDsn dsn, String error) {}

    /** RFC 3461 §4.1, §4.2: NOTIFY and ORCPT of a RCPT command; any other parameter is not known. */
    static Rcpt rcpt(Map<String, String> parameters) {
        Set<Notify> notify = null;
        String type = null;
        String address = null;
        for (Map.Entry<String, String> e : parameters.entrySet()) {
            String v = e.getValue();
            switch (e.getKey()) {
                case "NOTIFY" -> {
                    notify = notify(v);
                    if (notify == null) {
                        return refuse("501 5.5.4 Bad NOTIFY parameter: NEVER, or a list of SUCCESS, FAILURE, DELAY");
                    }
                }
                case "ORCPT" -> {
                    int semi = v == null ? -1 : v.indexOf(';');
                    String decoded = semi < 0 ? null : MailPath.xtextDecode(v.substring(semi + 1));
                    if (decoded == null || v.length() > MAX_ORCPT || !validOrcpt(v.substring(0, semi), decoded)) {
                        return refuse("501 5.5.4 Bad ORCPT parameter: addr-type;xtext (RFC 3461 §4.2)");
                    }
                    type = v.substring(0, semi);
                    address = decoded;
                }
                default -> {
                    return refuse("555 5.5.4 Unsupported parameter " + e.getKey());
                }
            }
        }
        return new Rcpt(new RecipientDsn(notify, type, address), null);
    }

    /**
     * RFC 3461 §4.2: the type is an atom; the address, decoded, is printable US-ASCII ("graphic
     * and white space"), as it goes into the DSN's Original-Recipient field.
     */
    static boolean validOrcpt(String type, String address) {
        return type.matches(ADDR_TYPE) && !address.isEmpty() && printable(address, ' ');
    }

    private static Rcpt refuse(String reply) {
        return new Rcpt(null, reply);
    }

    /**
     * RFC 3461 §4.1: {@code NEVER}, or a comma list of SUCCESS, FAILURE and DELAY (keywords, so
     * in any case); null for anything else, NEVER in a list included.
     */
    static Set<Notify> notify(String v) {
        if (v == null) {
            return null;
        }
        String upper = v.toUpperCase(Locale.ROOT);
        if (upper.equals("NEVER")) {
            return EnumSet.noneOf(Notify.class);
        }
        Set<Notify> out = EnumSet.noneOf(Notify.class);
        for (String word : upper.split(",", -1)) {
            switch (word) {
                case "SUCCESS" -> out.add(Notify.SUCCESS);
                case "FAILURE" -> out.add(Notify.FAILURE);
                case "DELAY" -> out.add(Notify.DELAY);
                default -> {
                    return null; // NEVER among others, an empty element, an unknown word
                }
            }
        }
        return out;
    }

    /** RFC 3461 §4.3: RET=FULL or RET=HDRS; null for anything else. */
    static Ret ret(String v) {
        if (v == null) {
            return null;
        }
        return switch (v.toUpperCase(Locale.ROOT)) {
            case "FULL" -> Ret.FULL;
            case "HDRS" -> Ret.HDRS;
            default -> null;
        };
    }

    /**
     * RFC 3461 §4.4: the ENVID, xtext-decoded; null when the xtext is bad, it is longer than 100
     * characters, or it holds anything but printable ASCII, "graphic and white space" (it goes
     * into the DSN's header).
     */
    static String envid(String v) {
        String decoded = v == null ? null : MailPath.xtextDecode(v);
        return decoded == null || decoded.isEmpty() || decoded.length() > MAX_ENVID || !printable(decoded, ' ')
                ? null : decoded;
    }

    /** Every character from {@code lowest} to {@code ~}: no control character, nothing beyond ASCII. */
    private static boolean printable(String s, char lowest) {
        return s.chars().allMatch(c -> c >= lowest && c <= '~');
    }

    /** RFC 3461 §5.2.1 (a), (b), (e): MAIL's RET and ENVID for the next hop, each with its leading space. */
    static String mail(Envelope e) {
        StringBuilder b = new StringBuilder();
        if (e.dsnRet() != null) {
            b.append(" RET=").append(e.dsnRet());
        }
        if (e.dsnEnvid() != null) {
            b.append(" ENVID=").append(xtext(e.dsnEnvid()));
        }
        return b.toString();
    }

    /** RFC 3461 §5.2.1 (c), (d): a RCPT's NOTIFY and ORCPT for the next hop, as the client gave them. */
    static String rcpt(RecipientDsn d) {
        StringBuilder b = new StringBuilder();
        if (d.events() != null) {
            b.append(" NOTIFY=").append(notifyText(d.events()));
        }
        if (d.orcpt() != null) {
            b.append(" ORCPT=").append(d.orcptType()).append(';').append(xtext(d.orcpt()));
        }
        return b.toString();
    }

    /** NEVER, or the events in the enum's order, comma-separated: the wire form and the spool's. */
    static String notifyText(Set<Notify> notify) {
        if (notify.isEmpty()) {
            return "NEVER";
        }
        StringBuilder b = new StringBuilder();
        for (Notify n : notify) {
            b.append(b.isEmpty() ? "" : ",").append(n);
        }
        return b.toString();
    }

    /** RFC 3461 §4: xtext, {@code +XX} (uppercase hex) for {@code +}, {@code =} and what is not printable. */
    static String xtext(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '!' || c > '~' || c == '+' || c == '=') {
                b.append('+').append(Character.toUpperCase(Character.forDigit(c >> 4 & 15, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
