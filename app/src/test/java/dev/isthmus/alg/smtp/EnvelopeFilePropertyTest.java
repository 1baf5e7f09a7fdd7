package dev.isthmus.alg.smtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Any envelope and delivery state the relay can hold survives the envelope file unchanged. */
class EnvelopeFilePropertyTest {
    @Property(tries = 300)
    void anyMessageRoundTrips(@ForAll("messages") QueuedMessage m) throws Exception {
        byte[] file = EnvelopeFile.encode(m);
        QueuedMessage read = EnvelopeFile.parse(m.id(), file);
        assertEquals(m, read);
        assertArrayEquals(file, EnvelopeFile.encode(read));
    }

    @Provide
    Arbitrary<QueuedMessage> messages() {
        Arbitrary<String> id = Arbitraries.strings().withCharRange('0', '9').withCharRange('a', 'z')
                .withCharRange('A', 'Z').ofMinLength(1).ofMaxLength(30);
        Arbitrary<List<String>> recipients = text().list().ofMinSize(1).ofMaxSize(5);
        Arbitrary<Envelope> envelope = Combinators.combine(text(), recipients, clients(), text().injectNull(0.3),
                instants(), Arbitraries.of(true, false), Arbitraries.of(true, false), text().injectNull(0.5))
                .as(Envelope::new)
                .flatMap(e -> Combinators.combine(Arbitraries.of(Envelope.Ret.class).injectNull(0.4),
                        recipientDsn().list().ofSize(e.recipients().size()))
                        .as((ret, dsn) -> new Envelope(e.reversePath(), e.recipients(), e.client(), e.helo(),
                                e.received(), e.smtputf8(), e.body8bit(), e.dsnEnvid(), ret, dsn)));
        return Combinators.combine(id, envelope, text().list().ofMaxSize(5),
                Arbitraries.integers().greaterOrEqual(0), instants(), text().injectNull(0.3),
                Arbitraries.longs().greaterOrEqual(0))
                .as(QueuedMessage::new);
    }

    /** RFC 3461 §4.1, §4.2: any NOTIFY (NEVER, a set, none) and any ORCPT the session accepts. */
    private static Arbitrary<Envelope.RecipientDsn> recipientDsn() {
        Arbitrary<java.util.Set<Envelope.Notify>> events = Arbitraries.of(Envelope.Notify.class).set().injectNull(0.3);
        Arbitrary<String> type = Arbitraries.of("rfc822", "utf-8", "X-Local", "a+b");
        Arbitrary<String> address = Arbitraries.strings().withCharRange(' ', '~').ofMinLength(1).ofMaxLength(40);
        return Combinators.combine(events, type, address, Arbitraries.of(true, false))
                .as((n, t, a, orcpt) -> new Envelope.RecipientDsn(n, orcpt ? t : null, orcpt ? a : null));
    }

    /** Unicode text (no lone surrogates: no address holds one), often with what needs encoding. */
    private static Arbitrary<String> text() {
        return Arbitraries.oneOf(
                Arbitraries.strings().withCharRange('\u0000', '\ud7ff').withCharRange('\ue000', '\uffff').ofMaxLength(40),
                Arbitraries.strings().withChars("% :\r\n\t\u0000\u007f\u0085\u2028ab@.é用\"\\").ofMaxLength(40),
                Arbitraries.of("\ud83d\ude00@例子.广告", "\ud835\udd18@example.org"));
    }

    private static Arbitrary<Instant> instants() {
        return Combinators.combine(
                Arbitraries.longs().between(Instant.MIN.getEpochSecond(), Instant.MAX.getEpochSecond()),
                Arbitraries.integers().between(0, 999_999_999))
                .as(Instant::ofEpochSecond);
    }

    private static Arbitrary<InetSocketAddress> clients() {
        return Combinators.combine(Arbitraries.of(4, 16).flatMap(n -> Arbitraries.bytes().array(byte[].class).ofSize(n)),
                Arbitraries.integers().between(0, 65535))
                .as(EnvelopeFilePropertyTest::client)
                .injectNull(0.2);
    }

    private static InetSocketAddress client(byte[] address, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByAddress(address), port);
        } catch (UnknownHostException impossible) {
            throw new AssertionError(impossible);
        }
    }
}
