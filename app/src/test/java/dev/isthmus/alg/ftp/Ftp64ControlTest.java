package dev.isthmus.alg.ftp;

import static dev.isthmus.alg.ftp.AlgHarness.ACK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.wire.TcpView;
import org.junit.jupiter.api.Test;

/** RFC 6384's rules one by one, with literal segments and sequence numbers. */
class Ftp64ControlTest {
    private static final int SYN = TcpView.SYN;
    private static final int FIN = TcpView.FIN;
    private static final int RST = TcpView.RST;
    private static final String GREETING = "220 ready\r\n";
    private static final String P227 = "227 Entering Passive Mode (203,0,113,9,195,149).\r\n";
    private static final String P229 = "229 Entering Extended Passive Mode (|||50069|)\r\n";

    private final AlgHarness h = new AlgHarness();

    /** Client ISN 1000, server ISN 5000, the greeting delivered: client data at 1001, server at 5012. */
    private void open() {
        h.fromClient(1000, 0, SYN, "");
        h.fromServer(5000, 1001, SYN | ACK, "");
        h.fromClient(1001, 5001, ACK, "");
        h.fromServer(5001, 1001, ACK, GREETING);
        assertEquals(GREETING, h.atClient.text());
    }

    @Test
    void unrelatedLinesPassUnchangedWithoutCopy() {
        open();
        SegmentRewrite o = h.fromClient(1001, 5012, ACK, "USER anonymous\r\n");
        assertFalse(o.payloadChanged);
        assertEquals(1001, o.seq);
        assertEquals(5012, o.ack);
        assertEquals("", h.alg.lastExplain());
    }

    @Test
    void epsvBecomesPasvAnd227Becomes229() {
        open();
        SegmentRewrite o = h.fromClient(1001, 5012, ACK, "EPSV\r\n");
        assertEquals("PASV\r\n", AlgHarness.payload(o, null));
        assertEquals(1001, o.seq);
        assertEquals("ftp-alg: EPSV -> PASV", h.alg.lastExplain());
        o = h.fromServer(5012, 1007, ACK, P227);
        assertEquals(P229, AlgHarness.payload(o, null));
        assertEquals(5012, o.seq);
        assertEquals("ftp-alg: 227 -> 229 (port 50069)", h.alg.lastExplain());
        // The next reply moves by the length difference (RFC 6384 §6).
        int delta = P229.length() - P227.length();
        o = h.fromServer(5012 + P227.length(), 1007, ACK, "150 here it comes\r\n");
        assertFalse(o.payloadChanged);
        assertEquals(5012 + P227.length() + delta, o.seq);
        // The client's ack of the whole 229 is the server's ack of the whole 227.
        o = h.fromClient(1007, 5012 + P229.length(), ACK, "");
        assertEquals(5012 + P227.length(), o.ack);
        assertEquals(1, h.counters.rewritten.sum() - 1);
    }

    @Test
    void ackInsideARewrittenLineAcknowledgesNoneOfIt() {
        open();
        h.fromClient(1001, 5012, ACK, "EPSV\r\n");
        h.fromServer(5012, 1007, ACK, P227);
        SegmentRewrite o = h.fromClient(1007, 5012 + 10, ACK, "");
        assertEquals(5012, o.ack);
        assertEquals(5012, h.alg.mapAck(true, 5012 + 10));
        assertEquals(5012 + P227.length(), h.alg.mapAck(true, 5012 + P229.length()));
        assertEquals(5012 + P227.length(), h.alg.mapAck(true, 5012 + P229.length() + 7), "never beyond what was sent");
    }

    @Test
    void eprtBecomesPortAndARetransmissionGetsTheSameBytes() {
        open();
        String eprt = "EPRT |2|2001:db8::5|40000|\r\n";
        String port = "PORT 192,0,2,1,156,64\r\n";
        SegmentRewrite o = h.fromClient(1001, 5012, ACK, eprt);
        assertEquals(port, AlgHarness.payload(o, null));
        assertEquals("ftp-alg: EPRT |2|2001:db8::5|40000| -> PORT 192,0,2,1,156,64", h.alg.lastExplain());
        assertEquals("[40000]", h.mapped.toString());
        o = h.fromClient(1001, 5012, ACK, eprt); // the same segment again
        assertEquals(port, AlgHarness.payload(o, null));
        assertEquals(1001, o.seq);
        assertEquals("[40000]", h.mapped.toString(), "no second mapping for a retransmission");
        o = h.fromClient(1001 + eprt.length(), 5012, ACK, "LIST\r\n");
        assertEquals(1001 + port.length(), o.seq);
        assertFalse(o.payloadChanged);
        // A retransmission that starts inside the EPRT line: the whole PORT line again, then LIST.
        o = h.fromClient(1001 + 5, 5012, ACK, eprt.substring(5) + "LIST\r\n");
        assertEquals(port + "LIST\r\n", AlgHarness.payload(o, null));
        assertEquals(1001, o.seq);
        // The server's ack maps back.
        o = h.fromServer(5012, 1001 + port.length() + 6, ACK, "");
        assertEquals(1001 + eprt.length() + 6, o.ack);
        assertEquals(port + "LIST\r\n", h.atServer.text());
    }

    @Test
    void aCommandSplitOverTwoSegmentsIsHeldThenRewritten() {
        open();
        SegmentRewrite o = h.fromClient(1001, 5012, ACK, "NOOP\r\nEP");
        assertEquals("NOOP\r\n", AlgHarness.payload(o, null));
        assertEquals(1001, o.seq);
        // The held bytes are not acknowledged: the server's ack of all it got stays before them.
        assertEquals(1007, h.fromServer(5012, 1007, ACK, "").ack);
        o = h.fromClient(1009, 5012, ACK, "SV\r\n");
        assertEquals("PASV\r\n", AlgHarness.payload(o, null));
        assertEquals(1007, o.seq);
        assertEquals("NOOP\r\nPASV\r\n", h.atServer.text());
    }

    @Test
    void aHeldSegmentAloneBecomesAPureAck() {
        open();
        SegmentRewrite o = h.fromClient(1001, 5012, ACK, "EPRT |2|2001:d");
        assertTrue(o.payloadChanged);
        assertEquals(0, o.payloadLength);
        assertEquals(1001, o.seq);
        // The client resends it all (it was never acknowledged) with the rest.
        o = h.fromClient(1001, 5012, ACK, "EPRT |2|2001:db8::5|40000|\r\n");
        assertEquals("PORT 192,0,2,1,156,64\r\n", AlgHarness.payload(o, null));
        assertEquals(1001, o.seq);
    }

    @Test
    void aSegmentAfterAGapIsDropped() {
        open();
        SegmentRewrite o = h.fromClient(1010, 5012, ACK, "LIST\r\n");
        assertTrue(o.drop);
        assertEquals(1, h.counters.outOfOrder.sum());
    }

    @Test
    void sequenceNumbersWrapAround() {
        h.fromClient(0xfffffff0L, 0, SYN, "");
        h.fromServer(0xfffffffaL, 0xfffffff1L, SYN | ACK, "");
        h.fromServer(0xfffffffbL, 0xfffffff1L, ACK, GREETING); // crosses 2^32
        String eprt = "EPRT |2|2001:db8::5|40000|\r\n";
        SegmentRewrite o = h.fromClient(0xfffffff1L, 0x6L, ACK, eprt);
        assertEquals(0xfffffff1L, o.seq);
        assertEquals(6, o.ack);
        long next = (0xfffffff1L + eprt.length()) & 0xffffffffL;
        o = h.fromClient(next, 6, ACK, "LIST\r\n");
        assertEquals((0xfffffff1L + 23) & 0xffffffffL, o.seq);
        assertEquals(next + 6 & 0xffffffffL, h.alg.mapAck(false, (0xfffffff1L + 23 + 6) & 0xffffffffL));
    }

    @Test
    void pipelinedCommandsPairWithTheirReplies() {
        open();
        SegmentRewrite o = h.fromClient(1001, 5012, ACK, "USER a\r\nALGS STATUS64\r\nEPSV\r\nLPRT 6,16,1\r\n");
        assertEquals("USER a\r\nNOOP\r\nPASV\r\nNOOP\r\n", AlgHarness.payload(o, null));
        o = h.fromServer(5012, 1001 + 32, ACK, "331 password please\r\n200 NOOP ok\r\n" + P227 + "200 NOOP ok\r\n");
        assertEquals("331 password please\r\n" + AlgReplies.ALGS_ENABLED + "\r\n" + P229 + AlgReplies.LPRT_REFUSED
                + "\r\n", AlgHarness.payload(o, null));
    }

    @Test
    void preliminaryAndMultiLineRepliesCountOnce() {
        open();
        h.fromClient(1001, 5012, ACK, "RETR f\r\nALGS STATUS64\r\n");
        String replies = "150-opening\r\n more\r\n150 data\r\n226-done\r\n226 bye\r\n200 NOOP ok\r\n";
        SegmentRewrite o = h.fromServer(5012, 1001, ACK, replies);
        assertEquals("150-opening\r\n more\r\n150 data\r\n226-done\r\n226 bye\r\n" + AlgReplies.ALGS_ENABLED + "\r\n",
                AlgHarness.payload(o, null));
    }

    @Test
    void aMultiLine227BecomesOne229() {
        open();
        h.fromClient(1001, 5012, ACK, "EPSV\r\n");
        String multi = "227-Entering Passive Mode\r\n227-(203,0,113,9,195,149)\r\n227 ok\r\n";
        SegmentRewrite o = h.fromServer(5012, 1007, ACK, multi.substring(0, 30));
        assertEquals(0, o.payloadLength, "held until the last line");
        o = h.fromServer(5012 + 30, 1007, ACK, multi.substring(30) + "150 go\r\n");
        assertEquals(P229 + "150 go\r\n", AlgHarness.payload(o, null));
        assertEquals(5012, o.seq);
    }

    @Test
    void a227NamingAnotherAddressIsRefused() {
        open();
        h.fromClient(1001, 5012, ACK, "EPSV\r\n");
        SegmentRewrite o = h.fromServer(5012, 1007, ACK, "227 Entering Passive Mode (10,0,0,1,195,149)\r\n");
        assertEquals(AlgReplies.PASSIVE_ELSEWHERE + "\r\n", AlgHarness.payload(o, null));
    }

    @Test
    void authTlsMakesTheConnectionTransparentKeepingTheDelta() {
        open();
        String eprt = "EPRT |2|2001:db8::5|40000|\r\n";
        h.fromClient(1001, 5012, ACK, eprt);
        int delta = 23 - eprt.length();
        h.fromServer(5012, 1024, ACK, "200 PORT ok\r\n");
        int c = 1001 + eprt.length();
        h.fromClient(c, 5025, ACK, "AUTH TLS\r\n");
        SegmentRewrite o = h.fromServer(5025, c + 10 + delta, ACK, "234 go ahead\r\n");
        assertEquals(c + 10, o.ack);
        assertTrue(h.alg.transparent());
        assertEquals(1, h.counters.transparent.sum());
        // Anything now passes, even what looks like a command, shifted by the old delta.
        o = h.fromClient(c + 10, 5039, ACK, "EPSV\r\n\u0016\u0003\u0001");
        assertFalse(o.payloadChanged);
        assertEquals(c + 10 + delta, o.seq);
        // Out of order is fine now: TLS records are not parsed.
        h.alg.fromClient(c + 100, 5039, ACK, java.lang.foreign.MemorySegment.ofArray(new byte[1]), 0, 1, o);
        assertFalse(o.drop);
        assertEquals(c + 100 + delta, o.seq);
    }

    @Test
    void bytesHeldWhenTheConnectionWentTransparentGoOutUnchanged() {
        open();
        h.fromClient(1001, 5012, ACK, "AUTH TLS\r\nEP");
        h.fromServer(5012, 1011, ACK, "234 go ahead\r\n");
        SegmentRewrite o = h.fromClient(1020, 5026, ACK, "x");
        assertTrue(o.drop, "a gap while bytes are held");
        o = h.fromClient(1013, 5026, ACK, "SV\r\n");
        assertEquals("EPSV\r\n", AlgHarness.payload(o, null));
        assertEquals(1011, o.seq);
        assertEquals("AUTH TLS\r\nEPSV\r\n", h.atServer.text());
    }

    @Test
    void authRefusedKeepsParsing() {
        open();
        h.fromClient(1001, 5012, ACK, "AUTH TLS\r\n");
        h.fromServer(5012, 1011, ACK, "504 no\r\n");
        assertFalse(h.alg.transparent());
        assertEquals("PASV\r\n", AlgHarness.payload(h.fromClient(1011, 5020, ACK, "EPSV\r\n"), null));
    }

    @Test
    void algsRepliesAndDisable() {
        open();
        h.fromClient(1001, 5012, ACK, "ALGS DISABLE64\r\n");
        SegmentRewrite o = h.fromServer(5012, 1007, ACK, "200 NOOP ok\r\n");
        assertEquals("216 NONE FTP64 ALG disabled\r\n", AlgHarness.payload(o, null));
        // Disabled: EPSV and its reply pass untouched (RFC 6384 §11).
        o = h.fromClient(1017, 5025, ACK, "EPSV\r\n");
        assertFalse(o.payloadChanged);
        assertEquals(1007, o.seq);
        String p229 = "229 Entering Extended Passive Mode (|||6446|)\r\n";
        o = h.fromServer(5025, 1023, ACK, p229);
        assertFalse(o.payloadChanged);
        o = h.fromClient(1023, 5025, ACK, "ALGS ENABLE64\r\nALGS STATUS64\r\nALGS FOO\r\n");
        assertEquals("NOOP\r\nNOOP\r\nNOOP\r\n", AlgHarness.payload(o, null));
        assertEquals(4, h.counters.algsAnswered.sum());
        int s = 5025 + p229.length();
        o = h.fromServer(s, 1023, ACK, "200 a\r\n200 b\r\n200 c\r\n");
        assertEquals(AlgReplies.ALGS_ENABLED + "\r\n" + AlgReplies.ALGS_ENABLED + "\r\n" + AlgReplies.ALGS_SYNTAX
                + "\r\n", AlgHarness.payload(o, null));
    }

    @Test
    void eprtNamingAnotherHostIsABounceAndRefused() {
        open();
        SegmentRewrite o = h.fromClient(1001, 5012, ACK, "EPRT |2|2001:db8::6|40000|\r\n");
        assertEquals("NOOP\r\n", AlgHarness.payload(o, null));
        assertTrue(h.mapped.isEmpty());
        o = h.fromServer(5012, 1007, ACK, "200 NOOP ok\r\n");
        assertEquals(AlgReplies.BOUNCE_REFUSED + "\r\n", AlgHarness.payload(o, null));
        assertEquals(1, h.counters.refused.sum());
    }

    @Test
    void refusals() {
        open();
        String cmds = "EPRT |1|192.0.2.7|40000|\r\nEPSV 1\r\nPORT 10,0,0,1,4,1\r\nLPSV\r\nEPRT |2|2001:db8::5|x|\r\nEPSV x\r\n";
        h.fromClient(1001, 5012, ACK, cmds);
        assertEquals("NOOP\r\n".repeat(6), h.atServer.text());
        h.fromServer(5012, 1037, ACK, "200 NOOP ok\r\n".repeat(6));
        assertEquals(GREETING + String.join("\r\n", AlgReplies.PROTOCOL_NOT_SUPPORTED, AlgReplies.PROTOCOL_NOT_SUPPORTED,
                AlgReplies.PORT_REFUSED, AlgReplies.LPSV_REFUSED, AlgReplies.EPRT_SYNTAX, AlgReplies.EPSV_SYNTAX) + "\r\n",
                h.atClient.text());
    }

    @Test
    void mapperFailureAnswers425() {
        open();
        h.mapperFails = true;
        h.fromClient(1001, 5012, ACK, "EPRT |2|2001:db8::5|40000|\r\n");
        h.fromServer(5012, 1007, ACK, "200 NOOP ok\r\n");
        assertEquals(GREETING + AlgReplies.NO_MAPPING + "\r\n", h.atClient.text());
    }

    @Test
    void aMappingOnAnotherAddressThanTheControlConnectionsIsRefused() {
        open();
        h.mapperAddress = 0xc0000202;
        h.fromClient(1001, 5012, ACK, "EPRT |2|2001:db8::5|40000|\r\n");
        assertEquals("ftp-alg: EPRT |2|2001:db8::5|40000| refused: mapping on 192.0.2.2, not the control connection's"
                + " 192.0.2.1 (425)", h.alg.lastExplain());
        assertEquals("NOOP\r\n", h.atServer.text());
    }

    @Test
    void epsvAllIsAnsweredAndEnforced() {
        open();
        h.fromClient(1001, 5012, ACK, "EPSV ALL\r\nPASV\r\nEPRT |2|2001:db8::5|40000|\r\nEPSV\r\n");
        assertEquals("NOOP\r\nNOOP\r\nNOOP\r\nPASV\r\n", h.atServer.text());
        h.fromServer(5012, 1031, ACK, "200 ok\r\n200 ok\r\n200 ok\r\n" + P227);
        assertEquals(GREETING + AlgReplies.EPSV_ALL_OK + "\r\n" + AlgReplies.EPSV_ALL_IN_EFFECT + "\r\n"
                + AlgReplies.EPSV_ALL_IN_EFFECT + "\r\n" + P229, h.atClient.text());
    }

    @Test
    void telnetNegotiationIsNotRelayedAndRefused() {
        open();
        SegmentRewrite o = h.fromClient(1001, 5012, ACK, "\u00ff\u00fb\u0001USER a\u00ff\u00fd\u0003\r\n");
        assertEquals("USER a\r\n", AlgHarness.payload(o, null));
        o = h.fromServer(5012, 1009, ACK, "331 pass\r\n");
        assertEquals("\u00ff\u00fe\u0001\u00ff\u00fc\u0003331 pass\r\n", AlgHarness.payload(o, null));
        // The client's ack of the refusals and the reply is the server's ack of the reply.
        assertEquals(5012 + 10, h.alg.mapAck(true, 5012 + 16));
        assertEquals(1001 + 14, h.fromServer(5022, 1001 + 8, ACK, "").ack);
    }

    @Test
    void ipAndDmBeforeAborPass() {
        open();
        SegmentRewrite o = h.fromClient(1001, 5012, ACK, "\u00ff\u00f4\u00ff\u00f2ABOR\r\n");
        assertFalse(o.payloadChanged);
    }

    @Test
    void pickedUpMidStreamResyncsAtTheFirstLineEnd() {
        SegmentRewrite o = h.fromClient(7000, 9000, ACK, "SV\r\nEPSV\r\n");
        assertEquals("SV\r\nPASV\r\n", AlgHarness.payload(o, null));
        assertEquals(7000, o.seq);
        o = h.fromServer(9000, 7010, ACK, "57 Entering\r\n" + P227);
        assertEquals("57 Entering\r\n" + P229, AlgHarness.payload(o, null));
    }

    @Test
    void finFlushesAHeldLineAndRstIsMapped() {
        open();
        String eprt = "EPRT |2|2001:db8::5|40000|\r\n";
        h.fromClient(1001, 5012, ACK, eprt);
        SegmentRewrite o = h.fromClient(1001 + eprt.length(), 5012, ACK | FIN, "EPS");
        assertEquals("EPS", AlgHarness.payload(o, null));
        assertEquals(1024, o.seq);
        o = h.fromServer(5012, 1024 + 4, ACK, "");
        assertEquals(1001 + eprt.length() + 4, o.ack, "the FIN is acknowledged");
        o = h.fromClient(1001 + eprt.length() + 4, 5012, RST, "");
        assertEquals(1028, o.seq);
    }

    @Test
    void anOverlongLineIsPassedUnparsed() {
        open();
        String big = "EPRT " + "x".repeat(2000);
        SegmentRewrite o = h.fromClient(1001, 5012, ACK, big);
        assertFalse(o.payloadChanged);
        assertEquals(1, h.counters.overlong.sum());
        o = h.fromClient(1001 + big.length(), 5012, ACK, "\r\nEPSV\r\n");
        assertEquals("\r\nPASV\r\n", AlgHarness.payload(o, null));
    }

    @Test
    void aRetransmissionOfForgottenHistoryIsTrimmed() {
        open();
        String eprt = "EPRT |2|2001:db8::5|40000|\r\n";
        for (int i = 0; i < SeqMap.HISTORY + 2; i++) {
            h.fromClient(1001 + i * eprt.length(), 5012, ACK, eprt);
        }
        SegmentRewrite o = h.fromClient(1001, 5012, ACK, eprt);
        assertTrue(o.payloadChanged);
        assertEquals(0, o.payloadLength, "its PORT line is forgotten: nothing is resent");
        int last = 1001 + (SeqMap.HISTORY + 1) * eprt.length();
        o = h.fromClient(last, 5012, ACK, eprt);
        assertEquals("PORT 192,0,2,1,156,64\r\n", AlgHarness.payload(o, null));
        assertEquals(1001 + (SeqMap.HISTORY + 1) * 23, o.seq);
    }

    @Test
    void extremePipeliningPassesWhatTheFifoCannotHold() {
        open();
        h.fromClient(1001, 5012, ACK, "EPSV\r\n".repeat(40));
        int rewritten = PendingCommands.SLOTS - 1;
        assertEquals("PASV\r\n".repeat(rewritten) + "EPSV\r\n".repeat(40 - rewritten), h.atServer.text());
        String e229 = "229 Entering Extended Passive Mode (|||6446|)\r\n";
        h.fromServer(5012, 1241, ACK, P227.repeat(rewritten) + e229.repeat(40 - rewritten));
        assertEquals(GREETING + P229.repeat(rewritten) + e229.repeat(40 - rewritten), h.atClient.text());
    }

    @Test
    void sessionsCountUpAndDown() {
        assertEquals(1, h.counters.sessions.sum());
        h.alg.close();
        h.alg.close();
        assertEquals(0, h.counters.sessions.sum());
    }
}
