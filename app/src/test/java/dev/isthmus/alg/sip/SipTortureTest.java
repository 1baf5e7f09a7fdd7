package dev.isthmus.alg.sip;

import static dev.isthmus.alg.sip.SipTestMessages.text;
import static dev.isthmus.alg.sip.SipTestMessages.wire;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.isthmus.alg.sip.SipParseException.Reason;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * RFC 4475 (SIP torture test messages), the cases this core decides: the valid ones of §3.1.1
 * parse, keep every byte and give the values the RFC describes (with §3.4.1's RFC 2543 INVITE);
 * the invalid ones of §3.1.2 and §3.3 are refused for the reason the RFC gives. Messages as the
 * RFC prints them, each line ending CRLF (§2); {@code <repeat>} and {@code <hex>} written out
 * (§2.2, §2.3).
 */
class SipTortureTest {
    private static final String SDP_150 = """
            v=0
            o=mhandley 29739 7272939 IN IP4 192.0.2.3
            s=-
            c=IN IP4 192.0.2.4
            t=0 0
            m=audio 49217 RTP/AVP 0 12
            m=video 3227 RTP/AVP 31
            a=rtpmap:31 LPC
            """;

    /** §3.1.1.1 A Short Tortuous INVITE (wsinv). */
    static final byte[] WSINV = wire("""
            INVITE sip:vivekg@chair-dnrc.example.com;unknownparam SIP/2.0
            TO :
             sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n
            from   : "J Rosenberg \\\\\\""       <sip:jdrosen@example.com>
              ;
              tag = 98asjd8
            MaX-fOrWaRdS: 0068
            Call-ID: wsinv.ndaksdj@192.0.2.1
            Content-Length   : 150
            cseq: 0009
              INVITE
            Via  : SIP  /   2.0
             /UDP
                192.0.2.2;branch=390skdjuw
            s :
            NewFangledHeader:   newfangled value
             continued newfangled value
            UnknownHeaderWithUnusualValue: ;;,,;;,;
            Content-Type: application/sdp
            Route:
             <sip:services.example.com;lr;unknownwith=value;unknown-no-value>
            v:  SIP  / 2.0  / TCP     spindle.example.com   ;
              branch  =   z9hG4bK9ikj8  ,
             SIP  /    2.0   / UDP  192.168.255.111   ; branch=
             z9hG4bK30239
            m:"Quoted string \\"\\"" <sip:jdrosen@example.com> ; newparam =
                  newvalue ;
              secondparam ; q = 0.33

            """ + SDP_150);

    @Test
    void wsinvParsesEveryHeaderAndKeepsEveryByte() throws SipParseException {
        SipMessage m = SipMessage.parseDatagram(WSINV);
        assertEquals("INVITE", m.method());
        assertEquals("sip:vivekg@chair-dnrc.example.com;unknownparam", m.requestUri());
        assertEquals(68, m.maxForwards());
        assertEquals(9, m.cseq());
        assertEquals("wsinv.ndaksdj@192.0.2.1", m.callId());
        assertEquals("\"J Rosenberg \\\\\\\"\"       <sip:jdrosen@example.com> ; tag = 98asjd8", m.first("From").value());
        assertEquals("newfangled value continued newfangled value", m.first("newfangledheader").value());
        assertEquals(";;,,;;,;", m.first("UnknownHeaderWithUnusualValue").value());
        assertEquals("", m.first("subject").value());
        assertEquals(List.of("<sip:services.example.com;lr;unknownwith=value;unknown-no-value>"), m.routes());
        List<Via> vias = m.vias();
        assertEquals(3, vias.size());
        assertEquals("192.0.2.2", vias.get(0).host());
        assertEquals("390skdjuw", vias.get(0).branch());
        assertEquals("TCP", vias.get(1).transport());
        assertEquals("spindle.example.com", vias.get(1).host());
        assertEquals("z9hG4bK9ikj8", vias.get(1).branch());
        assertEquals("192.168.255.111", vias.get(2).host());
        assertEquals("z9hG4bK30239", vias.get(2).branch());
        assertEquals(1, m.contacts().size());
        assertEquals(SDP_150.replace("\n", "\r\n"), new String(m.body(), StandardCharsets.US_ASCII));
        assertArrayEquals(WSINV, m.toBytes());
    }

    /** §3.1.1.2 Wide Range of Valid Characters (intmeth): control characters in a quoted pair, UTF-8. */
    static final byte[] INTMETH = wire("""
            !interesting-Method0123456789_*+`.%indeed'~ sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@example.com SIP/2.0
            Via: SIP/2.0/TCP host1.example.com;branch=z9hG4bK-.!%66*_+`'~
            To: "BEL:\\\u0007 NUL:\\\u0000 DEL:\\\u007f" <sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*@example.com>
            From: token1~` token2'+_ token3*%!.- <sip:mundane@example.com> ;fromParam''~+*_!.-%="работающий";tag=_token~1'+`*%!-.
            Call-ID: intmeth.word%ZK-!.*_+'@word`~)(><:\\/"][?}{
            CSeq: 139122385 !interesting-Method0123456789_*+`.%indeed'~
            Max-Forwards: 255
            extensionHeader-!.%*+_`'~:\ufeff大停電
            Content-Length: 0

            """);

    @Test
    void intmethKeepsUnusualTokensAndUtf8() throws SipParseException {
        SipMessage m = SipMessage.parseDatagram(INTMETH);
        assertEquals("!interesting-Method0123456789_*+`.%indeed'~", m.method());
        SipUri uri = SipUri.parse(m.requestUri());
        assertEquals("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*", uri.user());
        assertEquals("&it+has=1,weird!*pas$wo~d_too.(doesn't-it)", uri.password());
        assertEquals("example.com", uri.host());
        assertEquals("z9hG4bK-.!%66*_+`'~", m.topVia().branch());
        assertEquals(139122385, m.cseq());
        assertEquals(255, m.maxForwards());
        assertEquals(text("\ufeff大停電".getBytes(StandardCharsets.UTF_8)),
                m.first("extensionHeader-!.%*+_`'~").value());
        assertArrayEquals(INTMETH, m.toBytes());
    }

    /** §3.1.1.3 Valid Use of the % Escaping Mechanism (esc01). */
    static final byte[] ESC01 = wire("""
            INVITE sip:sips%3Auser%40example.com@example.net SIP/2.0
            To: sip:%75se%72@example.com
            From: <sip:I%20have%20spaces@example.net>;tag=938
            Max-Forwards: 87
            i: esc01.239409asdfakjkn23onasd0-3234
            CSeq: 234234 INVITE
            Via: SIP/2.0/UDP host5.example.net;branch=z9hG4bKkdjuw
            C: application/sdp
            Contact:
              <sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31>
            Content-Length: 150

            v=0
            o=mhandley 29739 7272939 IN IP4 192.0.2.1
            s=-
            c=IN IP4 192.0.2.1
            t=0 0
            m=audio 49217 RTP/AVP 0 12
            m=video 3227 RTP/AVP 31
            a=rtpmap:31 LPC
            """);

    @Test
    void esc01DecodesUserEscapesAndReadsCompactForms() throws SipParseException {
        SipMessage m = SipMessage.parseDatagram(ESC01);
        SipUri ruri = SipUri.parse(m.requestUri());
        assertEquals("sips%3Auser%40example.com", ruri.user());
        assertEquals("sips:user@example.com", ruri.userDecoded());
        assertEquals("example.net", ruri.host());
        assertEquals("esc01.239409asdfakjkn23onasd0-3234", m.callId());
        assertEquals("application/sdp", m.first("Content-Type").value());
        SipUri contact = SipUri.parse("sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31");
        assertEquals("caller", contact.userDecoded());
        assertEquals(150, m.bodyLength());
        assertArrayEquals(ESC01, m.toBytes());
    }

    /** §3.1.1.4 Escaped Nulls in URIs (escnull), with an upper-case compact Content-Length. */
    @Test
    void escnullAcceptsAnEscapedNul() throws SipParseException {
        byte[] escnull = wire("""
                REGISTER sip:example.com SIP/2.0
                To: sip:null-%00-null@example.com
                From: sip:null-%00-null@example.com;tag=839923423
                Max-Forwards: 70
                Call-ID: escnull.39203ndfvkjdasfkq3w4otrq0adsfdfnavd
                CSeq: 14398234 REGISTER
                Via: SIP/2.0/UDP host5.example.com;branch=z9hG4bKkdjuw
                Contact: <sip:%00@host5.example.com>
                Contact: <sip:%00%00@host5.example.com>
                L:0

                """);
        SipMessage m = SipMessage.parseDatagram(escnull);
        assertEquals(List.of("<sip:%00@host5.example.com>", "<sip:%00%00@host5.example.com>"), m.contacts());
        assertEquals("\0", SipUri.parse("sip:%00@host5.example.com").userDecoded());
        assertArrayEquals(escnull, m.toBytes());
    }

    /** §3.1.1.6 No LWS between Display Name and < (lwsdisp). */
    @Test
    void lwsdispParses() throws SipParseException {
        byte[] lwsdisp = wire("""
                OPTIONS sip:user@example.com SIP/2.0
                To: sip:user@example.com
                From: caller<sip:caller@example.com>;tag=323
                Max-Forwards: 70
                Call-ID: lwsdisp.1234abcd@funky.example.com
                CSeq: 60 OPTIONS
                Via: SIP/2.0/UDP funky.example.com;branch=z9hG4bKkdjuw
                l: 0

                """);
        SipMessage m = SipMessage.parseDatagram(lwsdisp);
        assertEquals("caller<sip:caller@example.com>;tag=323", m.first("f").value());
        assertArrayEquals(lwsdisp, m.toBytes());
    }

    /** §3.1.1.9 Semicolon-Separated Parameters in URI User Part (semiuri); a folded Accept list. */
    @Test
    void semiuriKeepsTheSemicolonInTheUserPart() throws SipParseException {
        byte[] semiuri = wire("""
                OPTIONS sip:user;par=u%40example.net@example.com SIP/2.0
                To: sip:j_user@example.com
                From: sip:caller@example.org;tag=33242
                Max-Forwards: 3
                Call-ID: semiuri.0ha0isndaksdj
                CSeq: 8 OPTIONS
                Accept: application/sdp, application/pkcs7-mime,
                        multipart/mixed, multipart/signed,
                        message/sip, message/sipfrag
                Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKkdjuw
                l: 0

                """);
        SipMessage m = SipMessage.parseDatagram(semiuri);
        SipUri ruri = SipUri.parse(m.requestUri());
        assertEquals("user;par=u%40example.net", ruri.user());
        assertEquals(List.of(), ruri.params());
        assertEquals(6, m.values("Accept").size());
        assertArrayEquals(semiuri, m.toBytes());
    }

    /** §3.1.1.13 Empty Reason Phrase (noreason): the SP after the code stays. */
    @Test
    void noreasonKeepsTheSpace() throws SipParseException {
        byte[] noreason = wire("""
                SIP/2.0 100\s
                Via: SIP/2.0/UDP 192.0.2.105;branch=z9hG4bK2398ndaoe
                Call-ID: noreason.asndj203insdf99223ndf
                CSeq: 35 INVITE
                From: <sip:user@example.com>;tag=39ansfi3
                To: <sip:user@example.edu>;tag=902jndnke3
                Content-Length: 0
                Contact: <sip:user@host105.example.com>

                """);
        SipMessage m = SipMessage.parseDatagram(noreason);
        assertEquals(100, m.status());
        assertEquals("SIP/2.0 100 ", m.startLine());
        assertArrayEquals(noreason, m.toBytes());
    }

    /** §3.4.1 INVITE with RFC 2543 Syntax (inv2543): no branch, no Max-Forwards, no Content-Length over UDP. */
    @Test
    void inv2543TakesTheRestOfTheDatagramAsBody() throws SipParseException {
        byte[] inv2543 = wire("""
                INVITE sip:UserB@example.com SIP/2.0
                Via: SIP/2.0/UDP iftgw.example.com
                From: <sip:+13035551111@ift.client.example.net;user=phone>
                Record-Route: <sip:UserB@example.com;maddr=ss1.example.com>
                To: sip:+16505552222@ss1.example.net;user=phone
                Call-ID: inv2543.1717@ift.client.example.com
                CSeq: 56 INVITE
                Content-Type: application/sdp

                v=0
                o=mhandley 29739 7272939 IN IP4 192.0.2.5
                s=-
                c=IN IP4 192.0.2.5
                t=0 0
                m=audio 49217 RTP/AVP 0
                """);
        SipMessage m = SipMessage.parseDatagram(inv2543);
        assertEquals(null, m.topVia().branch());
        assertEquals(-1, m.maxForwards());
        assertEquals(text(inv2543).substring(text(inv2543).indexOf("\r\n\r\n") + 4).length(), m.bodyLength());
        assertArrayEquals(inv2543, m.toBytes());
    }

    private static final String SDP_152 = """

            v=0
            o=mhandley 29739 7272939 IN IP4 192.0.2.15
            s=-
            c=IN IP4 192.0.2.15
            t=0 0
            m=audio 49217 RTP/AVP 0 12
            m=video 3227 RTP/AVP 31
            a=rtpmap:31 LPC
            """;

    /** §3.1.2.1 Extraneous Header Field Separators (badinv01). */
    @Test
    void badinv01IsRefused() {
        refused(Reason.BAD_VIA, """
                INVITE sip:user@example.com SIP/2.0
                To: sip:j.user@example.com
                From: sip:caller@example.net;tag=134161461246
                Max-Forwards: 7
                Call-ID: badinv01.0ha0isndaksdjasdf3234nas
                CSeq: 8 INVITE
                Via: SIP/2.0/UDP 192.0.2.15;;,;,,
                Contact: "Joe" <sip:joe@example.org>;;;;
                Content-Length: 152
                Content-Type: application/sdp
                """ + SDP_152);
    }

    /** §3.1.2.2 Content Length Larger Than Message (clerr): over UDP, refused (§18.3). */
    @Test
    void clerrIsRefused() {
        refused(Reason.BODY_LENGTH_MISMATCH, """
                INVITE sip:user@example.com SIP/2.0
                Max-Forwards: 80
                To: sip:j.user@example.com
                From: sip:caller@example.net;tag=93942939o2
                Contact: <sip:caller@hungry.example.net>
                Call-ID: clerr.0ha0isndaksdjweiafasdk3
                CSeq: 8 INVITE
                Via: SIP/2.0/UDP host5.example.com;branch=z9hG4bK-39234-23523
                Content-Type: application/sdp
                Content-Length: 9999

                v=0
                o=mhandley 29739 7272939 IN IP4 192.0.2.155
                s=-
                c=IN IP4 192.0.2.155
                t=0 0
                m=audio 49217 RTP/AVP 0 12
                m=video 3227 RTP/AVP 31
                a=rtpmap:31 LPC
                """);
    }

    /** §3.1.2.3 Negative Content-Length (ncl). */
    @Test
    void nclIsRefused() {
        refused(Reason.BAD_CONTENT_LENGTH, """
                INVITE sip:user@example.com SIP/2.0
                Max-Forwards: 254
                To: sip:j.user@example.com
                From: sip:caller@example.net;tag=32394234
                Call-ID: ncl.0ha0isndaksdj2193423r542w35
                CSeq: 0 INVITE
                Via: SIP/2.0/UDP 192.0.2.53;branch=z9hG4bKkdjuw
                Contact: <sip:caller@example53.example.net>
                Content-Type: application/sdp
                Content-Length: -999
                """ + SDP_152);
    }

    /**
     * §3.1.2.4 Request Scalar Fields with Overlarge Values (scalar02): its CSeq and its
     * Max-Forwards, each in an otherwise valid request.
     */
    @Test
    void scalar02FieldsAreRefused() {
        assertEquals(Reason.BAD_CSEQ, refusal(SipTestMessages.options(""), "CSeq: 1 OPTIONS", "CSeq: 36893488147419103232 OPTIONS"));
        assertEquals(Reason.BAD_MAX_FORWARDS, refusal(SipTestMessages.options(""), "Max-Forwards: 70", "Max-Forwards: 300"));
    }

    private static Reason refusal(byte[] message, String from, String to) {
        byte[] changed = text(message).replace(from, to).getBytes(StandardCharsets.ISO_8859_1);
        return assertThrows(SipParseException.class, () -> SipMessage.parseDatagram(changed)).reason();
    }

    /** §3.1.2.6 Unterminated Quoted String in Display Name (quotbal). */
    @Test
    void quotbalIsRefused() {
        refused(Reason.BAD_HEADER, """
                INVITE sip:user@example.com SIP/2.0
                To: "Mr. J. User <sip:j.user@example.com>
                From: sip:caller@example.net;tag=93334
                Max-Forwards: 10
                Call-ID: quotbal.aksdj
                Contact: <sip:caller@host59.example.net>
                CSeq: 8 INVITE
                Via: SIP/2.0/UDP 192.0.2.59:5050;branch=z9hG4bKkdjuw39234
                Content-Type: application/sdp
                Content-Length: 152
                """ + SDP_152);
    }

    /** §3.1.2.7 <> Enclosing Request-URI (ltgtruri): its request line. */
    @Test
    void ltgtruriIsRefused() {
        refusedStartLine("INVITE <sip:user@example.com> SIP/2.0", Reason.BAD_URI);
    }

    /** §3.1.2.8 Malformed SIP Request-URI, embedded LWS (lwsruri): its request line. */
    @Test
    void lwsruriIsRefused() {
        refusedStartLine("INVITE sip:user@example.com; lr SIP/2.0", Reason.BAD_START_LINE);
    }

    /** §3.1.2.9 Multiple SP Separating Request-Line Elements (lwsstart): its request line. */
    @Test
    void lwsstartIsRefused() {
        refusedStartLine("INVITE  sip:user@example.com  SIP/2.0", Reason.BAD_START_LINE);
    }

    /** §3.1.2.10 SP Characters at End of Request-Line (trws): its request line. */
    @Test
    void trwsIsRefused() {
        refusedStartLine("OPTIONS sip:remote-target@example.com SIP/2.0  ", Reason.BAD_START_LINE);
    }

    /** §3.1.2.11 Escaped Headers in SIP Request-URI (escruri): its request line. */
    @Test
    void escruriIsRefused() {
        refusedStartLine("INVITE sip:user@example.com?Route=%3Csip:example.com%3E SIP/2.0", Reason.BAD_URI);
    }

    /** §3.1.2.13 Failure to Enclose name-addr URI in <> (regbadct). */
    @Test
    void regbadctIsRefused() {
        refused(Reason.BAD_HEADER, """
                REGISTER sip:example.com SIP/2.0
                To: sip:user@example.com
                From: sip:user@example.com;tag=998332
                Max-Forwards: 70
                Call-ID: regbadct.k345asrl3fdbv@10.0.0.1
                CSeq: 1 REGISTER
                Via: SIP/2.0/UDP 135.180.130.133:5060;branch=z9hG4bKkdjuw
                Contact: sip:user@example.com?Route=%3Csip:sip.example.com%3E
                l: 0

                """);
    }

    /** §3.1.2.16 Unknown Protocol Version (badvers): named apart, the proxy answers 505. */
    @Test
    void badversIsRefusedAsAVersion() {
        refused(Reason.BAD_VERSION, """
                OPTIONS sip:t.watson@example.org SIP/7.0
                Via:     SIP/7.0/UDP c.example.com;branch=z9hG4bKkdjuw
                Max-Forwards:     70
                From:    A. Bell <sip:a.g.bell@example.com>;tag=qweoiqpe
                To:      T. Watson <sip:t.watson@example.org>
                Call-ID: badvers.31417@c.example.com
                CSeq:    1 OPTIONS
                l: 0

                """);
    }

    /** §3.1.2.17 Start Line and CSeq Method Mismatch (mismatch01). */
    @Test
    void mismatch01IsRefused() {
        refused(Reason.BAD_CSEQ, """
                OPTIONS sip:user@example.com SIP/2.0
                To: sip:j.user@example.com
                From: sip:caller@example.net;tag=34525
                Max-Forwards: 6
                Call-ID: mismatch01.dj0234sxdfl3
                CSeq: 8 INVITE
                Via: SIP/2.0/UDP host.example.com;branch=z9hG4bKkdjuw
                l: 0

                """);
    }

    /** §3.1.2.19 Overlarge Response Code (bigcode). */
    @Test
    void bigcodeIsRefused() {
        refused(Reason.BAD_START_LINE, """
                SIP/2.0 4294967301 better not break the receiver
                Via: SIP/2.0/UDP 192.0.2.105;branch=z9hG4bK2398ndaoe
                Call-ID: bigcode.asdof3uj203asdnf3429uasdhfas3ehjasdfas9i
                CSeq: 353494 INVITE
                From: <sip:user@example.com>;tag=39ansfi3
                To: <sip:user@example.edu>;tag=902jndnke3
                Content-Length: 0
                Contact: <sip:user@host105.example.com>

                """);
    }

    /** §3.3.1 Missing Required Header Fields (insuf): no To, From, Call-ID, Max-Forwards. */
    @Test
    void insufIsRefused() {
        refused(Reason.MISSING_HEADER, """
                INVITE sip:user@example.com SIP/2.0
                CSeq: 193942 INVITE
                Via: SIP/2.0/UDP 192.0.2.95;branch=z9hG4bKkdj.insuf
                Content-Type: application/sdp
                l: 152

                v=0
                o=mhandley 29739 7272939 IN IP4 192.0.2.95
                s=-
                c=IN IP4 192.0.2.95
                t=0 0
                m=audio 49217 RTP/AVP 0 12
                m=video 3227 RTP/AVP 31
                a=rtpmap:31 LPC
                """);
    }

    private static void refused(Reason reason, String rfcText) {
        SipParseException e = assertThrows(SipParseException.class, () -> SipMessage.parseDatagram(wire(rfcText)));
        assertEquals(reason, e.reason(), e.getMessage());
    }

    private static void refusedStartLine(String line, Reason reason) {
        refused(reason, line + "\n" + """
                To: sip:user@example.com
                From: sip:caller@example.net;tag=1
                Max-Forwards: 70
                Call-ID: startline@192.0.2.5
                CSeq: 1 %s
                Via: SIP/2.0/UDP 192.0.2.5;branch=z9hG4bKkdjuw
                l: 0

                """.formatted(line.substring(0, line.indexOf(' '))));
    }
}
