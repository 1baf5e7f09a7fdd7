package dev.isthmus.alg.sip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.isthmus.wire.Ipv6Address;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Whatever a generated message holds (any method token, SIP URIs to names, IPv4 and IPv6
 * references, folded and multi-valued headers, unknown headers with any bytes but CR and LF, a
 * body of any bytes), parsing and writing it back gives the same bytes, and the changes a proxy
 * makes give messages that parse back to themselves.
 */
class SipMessagePropertyTest {
    @Property(tries = 500)
    void parseThenWriteGivesTheSameBytes(@ForAll("messages") String message) throws SipParseException {
        byte[] b = message.getBytes(StandardCharsets.ISO_8859_1);
        SipMessage m = SipMessage.parseDatagram(b);
        assertArrayEquals(b, m.toBytes());
        assertEquals(m, SipMessage.parseDatagram(m.toBytes()));
    }

    @Property(tries = 300)
    void proxyChangesRoundTrip(@ForAll("messages") String message,
            @ForAll @Size(max = 8) List<@IntRange(min = 0, max = 6) Integer> changes,
            @ForAll("hosts") String host, @ForAll @IntRange(min = 0, max = 255) int bodyLength) throws SipParseException {
        SipMessage m = SipMessage.parseDatagram(message.getBytes(StandardCharsets.ISO_8859_1));
        for (int change : changes) {
            m = switch (change) {
                case 0 -> m.vias().size() > 1 ? m.withoutTopVia() : m;
                case 1 -> m.withTopVia(Via.of("UDP", host, 5060, "z9hG4bK" + bodyLength));
                case 2 -> m.withRecordRoute("<" + SipUri.of(null, host, -1, List.of(new SipParam("lr", null))) + ">");
                case 3 -> m.withoutTopRoute();
                case 4 -> m.maxForwards() == 0 ? m : m.withMaxForwardsDecremented();
                case 5 -> m.withHeaderReplaced("Contact", "<" + SipUri.of("u", host, 5062, List.of()) + ">");
                default -> m.withBody(new byte[bodyLength]);
            };
            byte[] out = m.toBytes();
            assertEquals(m, SipMessage.parseDatagram(out));
            if (m.first("Content-Length") != null) {
                assertEquals(m, SipMessage.parse(out, 0, out.length, SipMessage.Transport.STREAM));
                assertEquals(out.length, SipFraming.frameLength(out, 0, out.length));
            }
        }
    }

    @Provide
    Arbitrary<String> hosts() {
        Arbitrary<String> names = Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(8)
                .list().ofMinSize(1).ofMaxSize(3).map(l -> String.join(".", l));
        Arbitrary<String> ipv4 = Arbitraries.integers().map(i -> (i >>> 24) + "." + (i >>> 16 & 255) + "." + (i >>> 8 & 255) + "." + (i & 255));
        Arbitrary<String> ipv6 = Combinators.combine(Arbitraries.longs(), Arbitraries.longs())
                .as((hi, lo) -> Ipv6Address.format(hi, lo));
        return Arbitraries.oneOf(names, ipv4, ipv6);
    }

    private Arbitrary<String> uris() {
        Arbitrary<String> users = Arbitraries.strings().withChars("abcXYZ019-_.!~*'()&=+$,;?/").ofMinLength(1).ofMaxLength(10)
                .injectNull(0.3);
        Arbitrary<Integer> ports = Arbitraries.integers().between(-1, 65535);
        Arbitrary<List<SipParam>> params = Combinators.combine(
                Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(6),
                Arbitraries.strings().withChars("abc123[]/:&+$-_.").ofMinLength(1).ofMaxLength(6).injectNull(0.4))
                .as(SipParam::new).list().ofMaxSize(3);
        return Combinators.combine(users, hosts(), ports, params).as((u, h, p, ps) -> SipUri.of(u, h, p, ps).toString());
    }

    /** An unknown header's value: any byte but CR and LF, folded at random onto lines starting SP or HTAB. */
    private Arbitrary<String> opaqueValues() {
        Arbitrary<String> segment = Arbitraries.strings().withCharRange(' ', '~').withCharRange('\u0080', '\u00ff')
                .withChars('\t').ofMaxLength(20);
        return Combinators.combine(segment.list().ofMinSize(1).ofMaxSize(3), Arbitraries.of(" ", "\t", "  "))
                .as((segments, fold) -> String.join("\r\n" + fold, segments.stream().map(s -> "x" + s).toList()));
    }

    @Provide
    Arbitrary<String> messages() {
        Arbitrary<String> methods = Arbitraries.oneOf(Arbitraries.of("INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "REGISTER"),
                Arbitraries.strings().withChars("aZ09-.!%*_+`'~").ofMinLength(1).ofMaxLength(12));
        Arbitrary<String> compactOrLong = Arbitraries.of("Via", "v", "VIA");
        Arbitrary<String> vias = Combinators.combine(hosts(), Arbitraries.integers().between(-1, 65535),
                Arbitraries.of("UDP", "TCP", "TLS"), Arbitraries.of("", ";rport", ";rport=5060", ";received=192.0.2.1"))
                .as((h, p, t, extra) -> Via.of(t, h, p, "z9hG4bK" + Math.abs(h.hashCode())) + extra)
                .list().ofMinSize(1).ofMaxSize(3).map(l -> String.join(", ", l));
        Arbitrary<String> extensions = Combinators.combine(
                Arbitraries.strings().withChars("abXY-.!%*_+`'~").ofMinLength(1).ofMaxLength(8).map(n -> "X-" + n),
                Arbitraries.of(":", " :", ": ", "\t:  "), opaqueValues())
                .as((name, colon, value) -> name + colon + value + "\r\n").list().ofMaxSize(6).map(l -> String.join("", l));
        Arbitrary<String> routes = uris().map(u -> "<" + u + ">").list().ofMaxSize(3)
                .map(l -> l.isEmpty() ? "" : "Route: " + String.join(",\r\n ", l) + "\r\n");
        Arbitrary<String> bodies = Arbitraries.strings().withCharRange('\u0000', '\u00ff').ofMaxLength(40);
        Arbitrary<String> head = Combinators.combine(methods, uris(), compactOrLong, vias, uris(), uris(),
                Arbitraries.integers().between(0, 255), Arbitraries.integers().between(0, Integer.MAX_VALUE))
                .as((method, ruri, viaName, via, to, from, mf, cseq) -> method + " " + ruri + " SIP/2.0\r\n"
                        + viaName + ": " + via + "\r\n"
                        + "To: <" + to + ">\r\n"
                        + "f: \"A, \\\"B\\\"\" <" + from + ">;tag=1\r\n"
                        + "Call-ID: " + cseq + "@example.net\r\n"
                        + "CSeq: " + cseq + " " + method + "\r\n"
                        + "Max-Forwards: " + mf + "\r\n");
        return Combinators.combine(head, routes, extensions, bodies, Arbitraries.of(true, false))
                .as((h, r, x, body, withLength) -> h + r + x
                        + (withLength ? "Content-Length: " + body.length() + "\r\n" : "") + "\r\n" + body);
    }
}
