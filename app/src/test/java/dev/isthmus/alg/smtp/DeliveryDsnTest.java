package dev.isthmus.alg.smtp;

import static dev.isthmus.alg.smtp.DeliveryHarness.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.addr.Ipv6Prefix;
import dev.isthmus.alg.smtp.DeliveryHarness.FakeDns;
import dev.isthmus.alg.smtp.DeliveryHarness.FakeSmtpServer;
import dev.isthmus.alg.smtp.DeliveryHarness.MemoryStore;
import dev.isthmus.alg.smtp.DeliveryHarness.TestClock;
import dev.isthmus.alg.smtp.Envelope.RecipientDsn;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * RFC 3461 on the delivery side: what is passed to a next hop that offers DSN, and which report
 * (RFC 3464) the sender gets for each NOTIFY and RET, each report parsed back.
 */
class DeliveryDsnTest {
    private static final Instant T0 = Instant.parse("2026-01-05T10:00:00Z");
    private static final List<Ipv6Prefix> WKP = List.of(Ipv6Prefix.parse("64:ff9b::/96"));
    private static final String CONTENT = "From: alice@src.test\r\nSubject: hello\r\n\r\nthe body\r\n";

    private final List<AutoCloseable> closing = new ArrayList<>();
    private final MemoryStore store = new MemoryStore();
    private FakeSmtpServer server;
    private Delivery delivery;

    @BeforeEach
    void mx() throws IOException {
        server = new FakeSmtpServer(new InetSocketAddress(InetAddress.ofLiteral("127.0.0.1"), 0));
        closing.add(server);
        FakeDns dns = new FakeDns().mx("dest.test", 10, "mx.dest.test").a("mx.dest.test", "127.0.0.1")
                .mx("src.test", 10, "mx.dest.test");
        SmtpSettings s = DeliveryHarness.settings(false, WKP, 20, null);
        delivery = new Delivery(s, store, new MxRouting(s, dns, server.port()), new TestClock(T0), Duration.ofSeconds(3));
        closing.add(delivery);
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing.reversed()) {
            c.close();
        }
    }

    /** Sends one message and waits until it is done; the reports it caused are in {@code store.enqueued}. */
    private void send(Envelope.Ret ret, String envid, List<String> to, List<RecipientDsn> dsn) throws Exception {
        Envelope e = new Envelope("alice@src.test", to, new InetSocketAddress("192.0.2.1", 40000), "client.example",
                T0, false, false, envid, ret, dsn);
        QueuedMessage m = new QueuedMessage("m1", e, to, 0, T0, null, CONTENT.getBytes(StandardCharsets.UTF_8).length);
        store.add(m, CONTENT);
        delivery.queued(m);
        await("m1 done", () -> store.removed.contains("m1"));
    }

    private static RecipientDsn notify(String events) {
        return new RecipientDsn(events == null ? null : DsnParameters.notify(events), null, null);
    }

    /** RFC 3461 §5.2.1: RET, ENVID, NOTIFY and ORCPT go on as received, xtext-encoded again. */
    @Test
    void passesTheParametersToAServerThatOffersDsn() throws Exception {
        server.extensions = List.of("PIPELINING", "8BITMIME", "SIZE 10000000", "DSN");
        send(Envelope.Ret.HDRS, "QQ 1+x", List.of("bob@dest.test", "carol@dest.test"), List.of(
                new RecipientDsn(DsnParameters.notify("SUCCESS,FAILURE"), "rfc822", "Bob+x@dest.test"),
                RecipientDsn.NONE));
        assertTrue(server.commands.contains("MAIL FROM:<alice@src.test> SIZE=" + CONTENT.length()
                + " RET=HDRS ENVID=QQ+201+2Bx"), server.commands.toString());
        assertTrue(server.commands.contains("RCPT TO:<bob@dest.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;Bob+2Bx@dest.test"),
                server.commands.toString());
        assertTrue(server.commands.contains("RCPT TO:<carol@dest.test>"), "NOTIFY not given: none passed on");
        // The next hop took over the NOTIFY=SUCCESS: no "relayed" report from us.
        assertEquals(List.of(), store.enqueued);
    }

    /** RFC 3461 §4.3: to a server without DSN, nothing is passed, and NOTIFY=SUCCESS gets "relayed". */
    @Test
    void relayedReportWhenTheNextHopHasNoDsn() throws Exception {
        send(null, "QQ314159", List.of("bob@dest.test", "carol@dest.test"), List.of(
                new RecipientDsn(DsnParameters.notify("SUCCESS"), "rfc822", "Bob@dest.test"), RecipientDsn.NONE));
        assertTrue(server.commands.contains("MAIL FROM:<alice@src.test> SIZE=" + CONTENT.length()),
                server.commands.toString());
        assertTrue(server.commands.contains("RCPT TO:<bob@dest.test>"), server.commands.toString());
        assertEquals(1, store.enqueued.size());
        Report r = Report.parse(store.text(store.enqueued.getFirst().id()));
        assertEquals("QQ314159", r.perMessage.get("original-envelope-id"));
        assertEquals(1, r.perRecipient.size(), "carol asked nothing: the default is FAILURE only");
        Map<String, String> bob = r.perRecipient.getFirst();
        assertEquals("rfc822;Bob@dest.test", bob.get("original-recipient"));
        assertEquals("rfc822; bob@dest.test", bob.get("final-recipient"));
        assertEquals("relayed", bob.get("action"));
        assertEquals("2.0.0", bob.get("status"));
        assertEquals("text/rfc822-headers", r.returnedType, "RFC 3461 §4.3: RET concerns failures only");
    }

    /** RFC 3461 §4.1: which NOTIFY gets a report of a permanent failure. */
    @ParameterizedTest
    @CsvSource(nullValues = "absent", textBlock = """
            absent,          true
            FAILURE,         true
            'SUCCESS,FAILURE', true
            'DELAY,FAILURE', true
            NEVER,           false
            SUCCESS,         false
            'SUCCESS,DELAY', false
            DELAY,           false
            """)
    void failureReportFollowsNotify(String events, boolean reported) throws Exception {
        server.rcptReply = r -> "550 5.1.1 no such user";
        send(null, null, List.of("bob@dest.test"), List.of(notify(events)));
        assertEquals(1, delivery.counters().bounced());
        assertEquals(reported ? 1 : 0, store.enqueued.size());
        if (reported) {
            Report r = Report.parse(store.text("dsn1"));
            assertEquals("failed", r.perRecipient.getFirst().get("action"));
            assertNull(r.perMessage.get("original-envelope-id"), "no ENVID, no field");
            assertNull(r.perRecipient.getFirst().get("original-recipient"), "no ORCPT, no field");
        }
    }

    /** RFC 3461 §4.3: RET=FULL returns the whole message; RET=HDRS and no RET only its header. */
    @ParameterizedTest
    @CsvSource(nullValues = "absent", textBlock = """
            FULL,   message/rfc822,      true
            HDRS,   text/rfc822-headers, false
            absent, text/rfc822-headers, false
            """)
    void failureReportReturnsWhatRetAsks(Envelope.Ret ret, String type, boolean body) throws Exception {
        server.rcptReply = r -> "550 5.1.1 no such user";
        send(ret, null, List.of("bob@dest.test"), List.of(RecipientDsn.NONE));
        Report r = Report.parse(store.text("dsn1"));
        assertEquals(type, r.returnedType);
        assertTrue(r.returned.contains("Subject: hello\r\n"), r.returned);
        assertEquals(body, r.returned.contains("the body"), r.returned);
    }

    /** One attempt, one report: a failed and a relayed recipient together, each with its action. */
    @Test
    void oneReportForFailedAndRelayedRecipients() throws Exception {
        server.rcptReply = r -> r.startsWith("bob") ? "550 5.1.1 no such user" : "250 2.1.5 ok";
        send(Envelope.Ret.FULL, null, List.of("bob@dest.test", "carol@dest.test"),
                List.of(notify("FAILURE"), notify("SUCCESS,FAILURE")));
        assertEquals(1, store.enqueued.size());
        Report r = Report.parse(store.text("dsn1"));
        assertEquals(List.of("failed", "relayed"), r.perRecipient.stream().map(h -> h.get("action")).toList());
        assertEquals("message/rfc822", r.returnedType);
    }

    /** A report parsed back: RFC 6522 multipart/report, RFC 3464 delivery-status, the returned original. */
    record Report(Map<String, String> perMessage, List<Map<String, String>> perRecipient, String returnedType,
            String returned) {
        static Report parse(String text) {
            Map<String, String> head = headers(text.substring(0, text.indexOf("\r\n\r\n")));
            String type = head.get("content-type");
            assertTrue(type.startsWith("multipart/report; report-type=delivery-status; boundary=\""), type);
            String boundary = type.substring(type.indexOf("boundary=\"") + 10, type.length() - 1);
            String[] parts = text.split("\r\n--" + Pattern.quote(boundary));
            assertEquals(5, parts.length, "preamble, three parts, the closing --");
            String status = parts[2];
            assertTrue(status.startsWith("\r\nContent-Type: message/delivery-status\r\n\r\n"), status);
            String[] groups = status.substring(status.indexOf("\r\n\r\n") + 4).split("\r\n\r\n");
            List<Map<String, String>> recipients = new ArrayList<>();
            for (int i = 1; i < groups.length; i++) {
                if (!groups[i].isBlank()) {
                    recipients.add(headers(groups[i]));
                }
            }
            String third = parts[3].substring(2); // after the delimiter's line end
            int blank = third.indexOf("\r\n\r\n");
            String thirdType = headers(third.substring(0, blank)).get("content-type");
            assertFalse(parts[1].isEmpty());
            return new Report(headers(groups[0]), recipients, thirdType, third.substring(blank + 4));
        }

        private static Map<String, String> headers(String block) {
            Map<String, String> h = new LinkedHashMap<>();
            for (String line : block.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    h.put(line.substring(0, colon).toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
                }
            }
            return h;
        }
    }
}
