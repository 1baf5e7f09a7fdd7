package dev.isthmus.alg.sip.proxy;

import dev.isthmus.alg.sip.NameAddr;
import dev.isthmus.alg.sip.SipParseException;
import dev.isthmus.alg.sip.SipUri;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The location service of the registrar (RFC 3261 §10.3): per address of record, the contacts
 * registered with their expiry, and where each REGISTER came from (the proxy sends a call to that
 * source, as a UA behind a NAT can be reached only there). Bounded: {@code max} bindings in all,
 * {@link #MAX_PER_AOR} per address of record. Used on the proxy's event loop only.
 */
final class Registrar {
    /** Enough for a user's phones; a flood of REGISTERs for one user must not fill the table. */
    static final int MAX_PER_AOR = 10;
    /** RFC 3261 §10.3 step 7 lets the registrar refuse shorter expiries; 60 s as in RFC 3261 §20.23's example. */
    static final long MIN_EXPIRES = 60;
    /** RFC 3261 §10.2.1.1: the default when neither the Contact nor the request says. */
    static final long DEFAULT_EXPIRES = 3600;

    /** One contact of an address of record. */
    record Binding(String uri, Target source, String callId, long cseq, long expiresAtMillis) {
        long secondsLeft(long now) {
            return Math.max(0, (expiresAtMillis - now + 999) / 1000);
        }
    }

    /** What a REGISTER did: the bindings now, or a refusal. */
    record Outcome(List<Binding> bindings, SipRefusal refusal) {}

    private final Map<String, List<Binding>> byAor = new HashMap<>();
    private final int max;
    private final long maxExpires;
    private int size;

    Registrar(int max, long maxExpiresSeconds) {
        this.max = max;
        this.maxExpires = maxExpiresSeconds;
    }

    /**
     * The address of record of a To or Request-URI: {@code sip:user@host}, the host in lower case
     * (RFC 3261 §10.3 step 5: canonical form, URI parameters dropped).
     */
    static String aor(SipUri uri) {
        return "sip:" + (uri.user() == null ? "" : uri.userDecoded() + "@") + uri.hostPort().toLowerCase(Locale.ROOT);
    }

    /**
     * Applies a REGISTER's Contact values (RFC 3261 §10.3 steps 6-8).
     *
     * @param contacts the Contact values ({@code *} alone removes all, with Expires 0)
     * @param expiresHeader the Expires header's seconds, or -1
     */
    Outcome register(String aor, List<String> contacts, long expiresHeader, String callId, long cseq, Target source,
            long now) throws SipParseException {
        expire(now);
        List<Binding> current = byAor.getOrDefault(aor, List.of());
        if (contacts.size() == 1 && contacts.getFirst().equals("*")) {
            // §10.3 step 6: "*" only with Expires 0, and it removes every binding.
            if (expiresHeader != 0) {
                throw new SipParseException(SipParseException.Reason.BAD_HEADER, "Contact: * without Expires: 0");
            }
            size -= current.size();
            byAor.remove(aor);
            return new Outcome(List.of(), null);
        }
        // §10.3 step 7: the updates are committed if and only if all of them succeed, so they are
        // made on a copy that replaces the bindings at the end.
        List<Binding> next = new ArrayList<>(current);
        int added = 0;
        for (String c : contacts) {
            String uri = NameAddr.uri(c);
            SipUri.parse(uri);
            String param = NameAddr.param(c, "expires");
            long expires = param != null ? parseSeconds(param) : expiresHeader >= 0 ? expiresHeader : DEFAULT_EXPIRES;
            if (expires != 0 && expires < MIN_EXPIRES) {
                return new Outcome(current, SipRefusal.INTERVAL_TOO_BRIEF);
            }
            expires = Math.min(expires, maxExpires);
            int at = indexOf(next, uri);
            if (at >= 0) {
                Binding old = next.get(at);
                // §10.3 step 7: a REGISTER of the same Call-ID with a lower CSeq is out of order and
                // fails; one with the same CSeq is a retransmission (the registrar keeps no
                // transaction) and is answered as the first was.
                if (old.callId().equals(callId) && cseq < old.cseq()) {
                    return new Outcome(current, SipRefusal.OUT_OF_ORDER);
                }
                if (old.callId().equals(callId) && cseq == old.cseq()) {
                    continue;
                }
                next.remove(at);
                added--;
            }
            if (expires == 0) {
                continue;
            }
            if (size + added >= max || next.size() >= MAX_PER_AOR) {
                return new Outcome(current, SipRefusal.REGISTRATIONS_FULL);
            }
            next.add(new Binding(uri, source, callId, cseq, now + expires * 1000));
            added++;
        }
        size += added;
        if (next.isEmpty()) {
            byAor.remove(aor);
        } else {
            byAor.put(aor, next);
        }
        return new Outcome(List.copyOf(next), null);
    }

    /** The binding registered last for {@code aor}, or null. */
    Binding lookup(String aor, long now) {
        List<Binding> b = byAor.get(aor);
        if (b == null) {
            return null;
        }
        Binding best = null;
        for (Binding x : b) {
            if (x.expiresAtMillis() > now && (best == null || x.expiresAtMillis() >= best.expiresAtMillis())) {
                best = x;
            }
        }
        return best;
    }

    int size() {
        return size;
    }

    /** Drops expired bindings. */
    void expire(long now) {
        for (Iterator<List<Binding>> it = byAor.values().iterator(); it.hasNext(); ) {
            List<Binding> list = it.next();
            int before = list.size();
            list.removeIf(x -> x.expiresAtMillis() <= now);
            size -= before - list.size();
            if (list.isEmpty()) {
                it.remove();
            }
        }
    }

    private static int indexOf(List<Binding> list, String uri) {
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i).uri().equals(uri)) {
                return i;
            }
        }
        return -1;
    }

    private static long parseSeconds(String s) throws SipParseException {
        if (s.isEmpty() || s.length() > 10 || !s.chars().allMatch(Character::isDigit)) {
            throw new SipParseException(SipParseException.Reason.BAD_HEADER, "expires " + s);
        }
        return Long.parseLong(s);
    }
}
