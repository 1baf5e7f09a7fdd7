package dev.isthmus.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.isthmus.cli.lab.Shell;
import dev.isthmus.cli.lab.Topology;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The SIP proxy and media relay ({@code [sip]}, docs/SIP.md) between real user agents: SIPp
 * (Debian sip-tester) on the IPv6-only client namespace and on the IPv4-only server namespace,
 * isthmus in the middle, tcpdump on the middle's two links and tshark reading what each side was
 * sent.
 *
 * <pre>
 *  client 2001:db8:6::2 (allowed)  ── 2001:db8:6::1  middle (isthmus)  198.51.100.1 ── 198.51.100.2 server (allowed)
 *         2001:db8:6::66 (not allowed)
 * </pre>
 *
 * Cases: an IPv6 UAC calls an IPv4 UAS registered at the proxy, the UAS echoing the UAC's RTP
 * (SIPp's pcap play of G.711): the call completes, RTP flows both ways (show calls, tshark), the
 * SDP each side received names only its own family, BYE frees the ports; the other way round;
 * baresip (a real phone) registering over IPv6 and calling an IPv4 UAS with a tone it hears echoed;
 * 100 calls at 10 calls/s; a call to a host name the proxy resolves; a call to an unregistered
 * user gets 404; a client not in allow gets 403.
 * Every registration answers the registrar's digest challenge (RFC 3261 §22); a wrong password
 * is challenged again.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class SipProxyE2E {
    static final String MID6 = Topology.MID6;
    static final String MID4 = Topology.MID4;
    static final String STRANGER6 = "2001:db8:6::66";
    static final Duration CALL_LIMIT = Duration.ofSeconds(40);

    static final String CONFIG = """
            [sip]
            listen = ["[2001:db8:6::1]:5060", "198.51.100.1:5060"]
            allow = ["2001:db8:6::2/128", "198.51.100.2/32"]
            domain = "example.test"

            [[sip.users]]
            name = "v6to4"
            password = "pw-v6to4"

            [[sip.users]]
            name = "v4to6"
            password = "pw-v4to6"

            [[sip.users]]
            name = "phone"
            password = "pw-phone"

            [[sip.users]]
            name = "bulk"
            password = "pw-bulk"

            [[sip.users]]
            name = "alice"
            password = "pw-alice"

            [sip.media]
            ipv4 = "198.51.100.1"
            ipv6 = "2001:db8:6::1"
            ports = "30000-30999"
            """;

    /**
     * A REGISTER of [service]@example.test whose contact is the UA's port 5060, from another port,
     * answering the registrar's digest challenge (RFC 3261 §22.4; SIPp's -au/-ap); with a wrong
     * password the second answer is 401 again (SECOND).
     */
    static final String REGISTER = """
            <?xml version="1.0" encoding="ISO-8859-1" ?>
            <scenario name="register">
              <send retrans="500">
                <![CDATA[

                  REGISTER sip:example.test SIP/2.0
                  Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
                  From: <sip:[service]@example.test>;tag=[pid]SIPpTag00[call_number]
                  To: <sip:[service]@example.test>
                  Call-ID: [call_id]
                  CSeq: 1 REGISTER
                  Contact: <sip:[service]@[local_ip]:5060>
                  Max-Forwards: 70
                  Expires: 3600
                  Content-Length: 0

                ]]>
              </send>
              <recv response="401" auth="true"/>
              <send retrans="500">
                <![CDATA[

                  REGISTER sip:example.test SIP/2.0
                  Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
                  From: <sip:[service]@example.test>;tag=[pid]SIPpTag00[call_number]
                  To: <sip:[service]@example.test>
                  Call-ID: [call_id]
                  CSeq: 2 REGISTER
                  Contact: <sip:[service]@[local_ip]:5060>
                  [authentication]
                  Max-Forwards: 70
                  Expires: 3600
                  Content-Length: 0

                ]]>
              </send>
              <recv response="SECOND"/>
            </scenario>
            """;

    /** An INVITE that must be refused with STATUS (then ACKed, RFC 3261 §17.1.1.3). */
    static final String REFUSED = """
            <?xml version="1.0" encoding="ISO-8859-1" ?>
            <scenario name="refused">
              <send retrans="500">
                <![CDATA[

                  INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
                  Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
                  From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
                  To: <sip:[service]@[remote_ip]:[remote_port]>
                  Call-ID: [call_id]
                  CSeq: 1 INVITE
                  Contact: sip:sipp@[local_ip]:[local_port]
                  Max-Forwards: 70
                  Content-Length: 0

                ]]>
              </send>
              <recv response="100" optional="true"/>
              <recv response="STATUS"/>
              <send>
                <![CDATA[

                  ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
                  Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
                  From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
                  To: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]
                  Call-ID: [call_id]
                  CSeq: 1 ACK
                  Max-Forwards: 70
                  Content-Length: 0

                ]]>
              </send>
            </scenario>
            """;

    /**
     * A call to a Request-URI with a host name, which the proxy resolves (the middle's
     * /etc/hosts): INVITE, the final answer, then ACK and BYE along the route set and to the
     * callee's Contact (SIPp's [routes] and [next_url]).
     */
    static final String UAC_BY_NAME = """
            <?xml version="1.0" encoding="ISO-8859-1" ?>
            <scenario name="call by name">
              <send retrans="500">
                <![CDATA[

                  INVITE sip:[service]@uas.example.net:5060 SIP/2.0
                  Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
                  From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
                  To: <sip:[service]@uas.example.net:5060>
                  Call-ID: [call_id]
                  CSeq: 1 INVITE
                  Contact: sip:sipp@[local_ip]:[local_port]
                  Max-Forwards: 70
                  Content-Length: 0

                ]]>
              </send>
              <recv response="100" optional="true"/>
              <recv response="180" optional="true"/>
              <recv response="200" rrs="true"/>
              <send>
                <![CDATA[

                  ACK [next_url] SIP/2.0
                  Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
                  [routes]
                  From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
                  To: <sip:[service]@uas.example.net:5060>[peer_tag_param]
                  Call-ID: [call_id]
                  CSeq: 1 ACK
                  Max-Forwards: 70
                  Content-Length: 0

                ]]>
              </send>
              <pause milliseconds="500"/>
              <send retrans="500">
                <![CDATA[

                  BYE [next_url] SIP/2.0
                  Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
                  [routes]
                  From: sipp <sip:sipp@[local_ip]:[local_port]>;tag=[pid]SIPpTag00[call_number]
                  To: <sip:[service]@uas.example.net:5060>[peer_tag_param]
                  Call-ID: [call_id]
                  CSeq: 2 BYE
                  Max-Forwards: 70
                  Content-Length: 0

                ]]>
              </send>
              <recv response="200"/>
            </scenario>
            """;

    /**
     * SIPp's built-in uas does not copy Record-Route into its responses (RFC 3261 §12.1.1 says it
     * must), so a caller would send its ACK and BYE straight to the callee's Contact: this one
     * does, and answers PCMU as a phone would.
     */
    static final String UAS_RR = """
            <?xml version="1.0" encoding="ISO-8859-1" ?>
            <scenario name="uas with record-route">
              <recv request="INVITE" crlf="true"/>
              <send>
                <![CDATA[

                  SIP/2.0 180 Ringing
                  [last_Via:]
                  [last_Record-Route:]
                  [last_From:]
                  [last_To:];tag=[pid]SIPpTag01[call_number]
                  [last_Call-ID:]
                  [last_CSeq:]
                  Contact: <sip:[local_ip]:[local_port];transport=[transport]>
                  Content-Length: 0

                ]]>
              </send>
              <send retrans="500">
                <![CDATA[

                  SIP/2.0 200 OK
                  [last_Via:]
                  [last_Record-Route:]
                  [last_From:]
                  [last_To:];tag=[pid]SIPpTag01[call_number]
                  [last_Call-ID:]
                  [last_CSeq:]
                  Contact: <sip:[local_ip]:[local_port];transport=[transport]>
                  Content-Type: application/sdp
                  Content-Length: [len]

                  v=0
                  o=user1 53655765 2353687637 IN IP[local_ip_type] [local_ip]
                  s=-
                  c=IN IP[media_ip_type] [media_ip]
                  t=0 0
                  m=audio [media_port] RTP/AVP 0
                  a=rtpmap:0 PCMU/8000

                ]]>
              </send>
              <recv request="ACK" rtd="true" crlf="true"/>
              <recv request="BYE"/>
              <send>
                <![CDATA[

                  SIP/2.0 200 OK
                  [last_Via:]
                  [last_From:]
                  [last_To:]
                  [last_Call-ID:]
                  [last_CSeq:]
                  Contact: <sip:[local_ip]:[local_port];transport=[transport]>
                  Content-Length: 0

                ]]>
              </send>
            </scenario>
            """;

    /** baresip on the IPv6-only side: G.711, a tone file as the microphone, what it hears dumped (sndfile). */
    static final String BARESIP_CONFIG = """
            poll_method\tepoll
            sip_listen\t[2001:db8:6::2]:5080
            sip_trans_def\tudp
            net_interface\tc6
            audio_source\taufile,@DIR@/tone.wav
            audio_player\taubridge,nil
            audio_alert\taubridge,nil
            snd_path\t@DIR@/rec
            module_path\t/usr/lib/baresip/modules
            module\tg711.so
            module\taufile.so
            module\taubridge.so
            module\tsndfile.so
            module\taccount.so
            module\tmenu.so
            """;

    SocketLab lab;

    @BeforeAll
    @Timeout(60)
    void start() throws IOException {
        lab = SocketLab.start(CONFIG, "198.51.100.2 uas.example.net\n", new String[] {"sipp", "sip-tester"}, new String[] {"tshark", "tshark"},
                new String[] {"tcpdump", "tcpdump"}, new String[] {"baresip", "baresip"});
        Path pcap = lab.work.resolve("pcap");
        Files.createDirectories(pcap);
        for (String f : List.of("g711a.pcap", "dtmf_2833_1.pcap")) {
            Files.copy(Path.of("/usr/share/sip-tester", f), pcap.resolve(f));
        }
        Files.writeString(lab.work.resolve("register.xml"), REGISTER.replace("SECOND", "200"));
        Files.writeString(lab.work.resolve("register-wrong.xml"), REGISTER.replace("SECOND", "401"));
        for (int status : new int[] {403, 404}) {
            Files.writeString(lab.work.resolve("refused" + status + ".xml"), REFUSED.replace("STATUS", String.valueOf(status)));
        }
        Files.writeString(lab.work.resolve("uas_rr.xml"), UAS_RR);
        Files.writeString(lab.work.resolve("uac_by_name.xml"), UAC_BY_NAME);
        lab.exec(lab.client(), "ip", "-6", "addr", "add", STRANGER6 + "/64", "dev", Topology.CLIENT_IF, "nodad").orThrow();
    }

    @AfterAll
    void stop() {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void anIpv6PhoneCallsAnIpv4PhoneWithMediaBothWays() throws Exception {
        call(lab.client(), Topology.CLIENT6, MID6, lab.server(), Topology.SERVER4, MID4, "v6to4");
    }

    @Test
    void anIpv4PhoneCallsAnIpv6PhoneWithMediaBothWays() throws Exception {
        call(lab.server(), Topology.SERVER4, MID4, lab.client(), Topology.CLIENT6, MID6, "v4to6");
    }

    /**
     * The UAS registers {@code user} from {@code uasNs} (port 5070, contact port 5060), answers on
     * 5060 and echoes RTP; the UAC in {@code uacNs} calls {@code user} at the proxy's address of its
     * own family and plays G.711 (about 9 s). Both links of the middle are captured.
     */
    private void call(String uacNs, String uacIp, String proxyForUac, String uasNs, String uasIp, String proxyForUas,
            String user) throws Exception {
        sipp(uasNs, "register-" + user, bracket(proxyForUas) + ":5060", "-sf", "register.xml", "-s", user, "-au", user,
                "-ap", "pw-" + user, "-i", uasIp, "-p", "5070", "-m", "1").orThrow();
        Process uas = lab.peer(uasNs, "uas-" + user, "sh", "-c", "cd " + lab.work + " && exec sipp -sf uas_rr.xml -i " + uasIp
                + " -p 5060 -mi " + uasIp + " -rtp_echo -m 1 -nostdin -timeout 40s -timeout_error");
        Process dump6 = capture(Topology.MID6_IF, user + "-x6");
        Process dump4 = capture(Topology.MID4_IF, user + "-x4");
        try {
            Thread.sleep(500);
            Process uac = lab.peer(uacNs, "uac-" + user, "sh", "-c", "cd " + lab.work + " && exec sipp -sn uac_pcap "
                    + bracket(proxyForUac) + ":5060 -s " + user + " -i " + uacIp + " -p 5061 -m 1 -nostdin -timeout 40s"
                    + " -timeout_error");
            // In the middle of the call (the scenario plays 8 s of G.711 after the ACK): RTP both ways.
            long[] packets = awaitPackets(user);
            assertTrue(packets[0] > 20 && packets[1] > 20, "RTP both ways while the call lasts: " + Arrays.toString(packets)
                    + "\n" + lab.control("show", "calls").out());
            assertTrue(uac.waitFor(CALL_LIMIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS), "the UAC did not end");
            assertEquals(0, uac.exitValue(), "the call failed:\n" + lab.peerLog("uac-" + user) + "\n" + lab.log());
            assertTrue(uas.waitFor(10, java.util.concurrent.TimeUnit.SECONDS), "the UAS did not end");
            assertEquals(0, uas.exitValue(), lab.peerLog("uas-" + user));
        } finally {
            uas.destroy();
            stopCapture(dump6);
            stopCapture(dump4);
        }
        lab.awaitLog("ended (bye)");
        assertEquals("no calls", lab.control("show", "calls").out().strip(), "BYE ends the call");
        assertEquals(0, statsValue("media", "calls-now"), "BYE frees the media ports");

        // What each side was sent: SDP of its own family only (RFC 6157), with the relay's address.
        String uacSide = uacIp.contains(":") ? user + "-x6" : user + "-x4";
        String uasSide = uasIp.contains(":") ? user + "-x6" : user + "-x4";
        assertSdpAddresses(uacSide, proxyForUac);
        assertSdpAddresses(uasSide, proxyForUas);
        // RTP through the relay on both links, both ways: the pcap is about 236 packets.
        for (String side : List.of(uacSide, uasSide)) {
            assertTrue(rtpPackets(side, true) > 150, side + ": RTP to the relay " + rtpPackets(side, true));
            assertTrue(rtpPackets(side, false) > 150, side + ": RTP from the relay " + rtpPackets(side, false));
        }
    }

    /**
     * A real phone: baresip registers over IPv6 and calls an IPv4-only SIPp UAS (which echoes RTP)
     * by its address of record, playing a 440 Hz tone from a file; it hears the echo back.
     */
    @Test
    void baresipOnIpv6RegistersAndCallsAnIpv4Phone() throws Exception {
        Path dir = lab.work.resolve("baresip");
        Files.createDirectories(dir.resolve("rec"));
        Files.writeString(dir.resolve("config"), BARESIP_CONFIG.replace("@DIR@", dir.toString()));
        Files.writeString(dir.resolve("accounts"), "<sip:alice@example.test>;auth_pass=pw-alice;regint=600;"
                + "outbound=\"sip:[" + MID6 + "]:5060\";audio_codecs=PCMU\n");
        writeTone(dir.resolve("tone.wav"), 5);
        sipp(lab.server(), "register-phone", MID4 + ":5060", "-sf", "register.xml", "-s", "phone", "-au", "phone",
                "-ap", "pw-phone", "-i", Topology.SERVER4, "-p", "5070", "-m", "1").orThrow();
        Process uas = lab.peer(lab.server(), "uas-phone", "sh", "-c", "cd " + lab.work + " && exec sipp -sf uas_rr.xml -i "
                + Topology.SERVER4 + " -p 5060 -mi " + Topology.SERVER4 + " -rtp_echo -m 1 -nostdin -timeout 40s");
        try {
            Thread.sleep(500);
            Shell.Result phone = lab.topology.exec(lab.client(), CALL_LIMIT, "baresip", "-f", dir.toString(), "-6",
                    "-e", "/dial sip:phone@example.test", "-t", "9");
            // baresip answers the registrar's 401 and the proxy's 407 (RFC 3261 §22) with its password.
            assertTrue(phone.out().contains("alice@example.test: {0/UDP/v6} 200 OK"), "registered:\n" + phone.out());
            assertTrue(phone.out().contains("Call established"), phone.describe() + "\n" + phone.out());
            assertTrue(phone.out().contains("terminated"), "the tone ran out and baresip hung up:\n" + phone.out());
        } finally {
            uas.destroy();
        }
        lab.awaitLog("sip: call ");
        Matcher m = Pattern.compile("stream 0: (\\d+) packets to the callee, (\\d+) to the caller").matcher(lab.log());
        long toCallee = 0;
        long toCaller = 0;
        while (m.find()) {
            toCallee = Long.parseLong(m.group(1));
            toCaller = Long.parseLong(m.group(2));
        }
        assertTrue(toCallee > 150 && toCaller > 150, "G.711 through the relay both ways: " + toCallee + "/" + toCaller);
        // What baresip heard (decoded, 16-bit at 8 kHz): at least 3 s of the echoed tone.
        try (var files = Files.list(dir.resolve("rec"))) {
            long heard = files.filter(f -> f.toString().endsWith("-dec.wav")).mapToLong(f -> f.toFile().length()).sum();
            assertTrue(heard > 3 * 8000 * 2, "baresip heard " + heard + " bytes of audio");
        }
    }

    /** A mono 16-bit 8 kHz WAV of a 440 Hz tone. */
    private static void writeTone(Path file, int seconds) throws IOException {
        int samples = 8000 * seconds;
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(44 + 2 * samples).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes()).putInt(36 + 2 * samples).put("WAVEfmt ".getBytes()).putInt(16).putShort((short) 1)
                .putShort((short) 1).putInt(8000).putInt(16000).putShort((short) 2).putShort((short) 16)
                .put("data".getBytes()).putInt(2 * samples);
        for (int i = 0; i < samples; i++) {
            b.putShort((short) (8000 * Math.sin(2 * Math.PI * 440 * i / 8000)));
        }
        Files.write(file, b.array());
    }

    @Test
    void aHundredCallsAtTenPerSecond() throws Exception {
        sipp(lab.server(), "register-bulk", MID4 + ":5060", "-sf", "register.xml", "-s", "bulk", "-au", "bulk",
                "-ap", "pw-bulk", "-i", Topology.SERVER4, "-p", "5070", "-m", "1").orThrow();
        Process uas = lab.peer(lab.server(), "uas-bulk", "sh", "-c", "cd " + lab.work + " && exec sipp -sn uas -i "
                + Topology.SERVER4 + " -p 5060 -m 100 -nostdin -timeout 40s");
        try {
            Shell.Result uac = sipp(lab.client(), "uac-bulk", bracket(MID6) + ":5060", "-sn", "uac", "-s", "bulk", "-i",
                    Topology.CLIENT6, "-p", "5062", "-r", "10", "-m", "100", "-d", "200", "-timeout", "40s",
                    "-timeout_error");
            assertTrue(uac.ok(), uac.describe() + "\n" + tail(lab.log()));
            Matcher done = Pattern.compile("Successful call\\s*\\|\\s*\\d+\\s*\\|\\s*(\\d+)").matcher(uac.out());
            assertTrue(done.find(), uac.out());
            assertEquals(100, Integer.parseInt(done.group(1)), uac.out());
            assertTrue(uas.waitFor(10, java.util.concurrent.TimeUnit.SECONDS), "the UAS did not end");
        } finally {
            uas.destroy();
        }
        awaitZero("sip", "calls-now");
        assertEquals(0, statsValue("media", "calls-now"), "every call's ports freed");
    }

    @Test
    void aWrongPasswordIsChallengedAgain() {
        long before = refused("authentication-required");
        Shell.Result r = sipp(lab.server(), "register-wrong", MID4 + ":5060", "-sf", "register-wrong.xml", "-s", "phone",
                "-au", "phone", "-ap", "guess", "-i", Topology.SERVER4, "-p", "5071", "-m", "1", "-timeout", "10s",
                "-timeout_error");
        assertTrue(r.ok(), "401, then 401 with a new nonce: " + r.describe() + "\n" + r.out());
        assertTrue(refused("authentication-required") >= before + 2);
    }

    /** A Request-URI with a host name: the proxy resolves it (here from the middle's /etc/hosts) and routes the call there. */
    @Test
    void aCallToAHostNameIsRoutedToItsAddress() throws Exception {
        Process uas = lab.peer(lab.server(), "uas-name", "sh", "-c", "cd " + lab.work + " && exec sipp -sf uas_rr.xml -i "
                + Topology.SERVER4 + " -p 5060 -m 1 -nostdin -timeout 30s");
        try {
            Thread.sleep(500);
            Shell.Result r = sipp(lab.client(), "uac-name", bracket(MID6) + ":5060", "-sf", "uac_by_name.xml", "-s", "anyone",
                    "-i", Topology.CLIENT6, "-p", "5065", "-m", "1", "-timeout", "20s", "-timeout_error");
            assertTrue(r.ok(), r.describe() + "\n" + r.out() + "\n" + tail(lab.log()));
            assertTrue(uas.waitFor(10, java.util.concurrent.TimeUnit.SECONDS), "the UAS did not end");
            assertEquals(0, uas.exitValue(), lab.peerLog("uas-name"));
        } finally {
            uas.destroy();
        }
    }

    @Test
    void aCallToAnUnregisteredUserGets404() {
        Shell.Result r = sipp(lab.client(), "uac-404", bracket(MID6) + ":5060", "-sf", "refused404.xml", "-s", "nobody",
                "-i", Topology.CLIENT6, "-p", "5063", "-m", "1", "-timeout", "10s", "-timeout_error");
        assertTrue(r.ok(), r.describe() + "\n" + r.out());
    }

    @Test
    void aClientNotInAllowGets403() {
        long before = refused("client-not-allowed");
        Shell.Result r = sipp(lab.client(), "uac-403", bracket(MID6) + ":5060", "-sf", "refused403.xml", "-s", "anyone",
                "-i", STRANGER6, "-p", "5064", "-m", "1", "-timeout", "10s", "-timeout_error");
        assertTrue(r.ok(), r.describe() + "\n" + r.out());
        assertTrue(refused("client-not-allowed") > before);
    }

    // ---- helpers ----

    private Shell.Result sipp(String ns, String name, String remote, String... args) {
        String cmd = "cd " + lab.work + " && exec sipp " + remote + " " + String.join(" ", args)
                + " -nostdin -trace_msg -message_file " + lab.work.resolve(name + ".msg");
        return lab.topology.exec(ns, CALL_LIMIT, "sh", "-c", cmd);
    }

    private static String bracket(String ip) {
        return ip.contains(":") ? "[" + ip + "]" : ip;
    }

    private Process capture(String iface, String name) throws InterruptedException {
        Process p = lab.peer(lab.mid(), "tcpdump-" + name, "tcpdump", "-i", iface, "-U", "-n", "-w",
                lab.work.resolve(name + ".pcap").toString(), "udp");
        long end = System.nanoTime() + SocketLab.LIMIT.toNanos();
        while (!lab.peerLog("tcpdump-" + name).contains("listening on")) {
            if (System.nanoTime() > end || !p.isAlive()) {
                fail("tcpdump did not start: " + lab.peerLog("tcpdump-" + name));
            }
            Thread.sleep(50);
        }
        return p;
    }

    private static void stopCapture(Process p) throws InterruptedException {
        p.destroy();
        p.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
    }

    /** Waits until show calls --json counts RTP both ways for the call; returns {to callee, to caller}. */
    private long[] awaitPackets(String user) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(8).toNanos();
        long[] last = {0, 0};
        while (System.nanoTime() < end) {
            String json = lab.control("show", "calls", "--json").out();
            Matcher toCallee = Pattern.compile("\"packets_to_callee\":(\\d+)").matcher(json);
            Matcher toCaller = Pattern.compile("\"packets_to_caller\":(\\d+)").matcher(json);
            if (toCallee.find() && toCaller.find()) {
                last = new long[] {Long.parseLong(toCallee.group(1)), Long.parseLong(toCaller.group(1))};
                if (last[0] > 20 && last[1] > 20) {
                    return last;
                }
            }
            Thread.sleep(200);
        }
        return last;
    }

    /** Every c= and o= address in the SDP the proxy sent on {@code side} is {@code relay}. */
    private void assertSdpAddresses(String side, String relay) {
        String from = relay.contains(":") ? "ipv6.src == " + relay : "ip.src == " + relay;
        Shell.Result r = tshark(side, "-Y", "sdp && " + from, "-T", "fields", "-e", "sdp.connection_info.address", "-e",
                "sdp.owner.address");
        assertTrue(r.ok(), r.describe());
        List<String> addresses = Arrays.stream(r.out().split("[\\s,]+")).filter(s -> !s.isBlank()).toList();
        assertFalse(addresses.isEmpty(), side + ": no SDP captured");
        for (String a : addresses) {
            assertEquals(relay, a, side + " was sent SDP naming " + a + ": " + addresses);
        }
    }

    /** UDP datagrams to (or from) the relay's media ports on {@code side}. */
    private long rtpPackets(String side, boolean toRelay) {
        String field = toRelay ? "udp.dstport" : "udp.srcport";
        Shell.Result r = tshark(side, "-Y", field + " >= 30000 && " + field + " <= 30999", "-T", "fields", "-e", "frame.number");
        assertTrue(r.ok(), r.describe());
        return r.out().lines().filter(s -> !s.isBlank()).count();
    }

    private Shell.Result tshark(String side, String... args) {
        String[] cmd = new String[args.length + 5];
        cmd[0] = "tshark";
        cmd[1] = "-r";
        cmd[2] = lab.work.resolve(side + ".pcap").toString();
        cmd[3] = "-d";
        cmd[4] = "udp.port==5060,sip";
        System.arraycopy(args, 0, cmd, 5, args.length);
        return Shell.run(SocketLab.LIMIT, cmd);
    }

    private long refused(String reason) {
        String json = lab.statsJson();
        String sip = json.substring(json.indexOf("\"sip\":"));
        Matcher m = Pattern.compile("\"" + reason + "\":(\\d+)").matcher(sip.substring(sip.indexOf("\"refused\"")));
        assertTrue(m.find(), reason + " not in " + json);
        return Long.parseLong(m.group(1));
    }

    private long statsValue(String block, String key) {
        String json = lab.statsJson();
        int at = json.indexOf("\"" + block + "\":");
        assertTrue(at >= 0, block + " not in " + json);
        Matcher m = Pattern.compile("\"" + key + "\":(\\d+)").matcher(json.substring(at));
        assertTrue(m.find(), key + " not in " + json);
        return Long.parseLong(m.group(1));
    }

    private void awaitZero(String block, String key) throws InterruptedException {
        long end = System.nanoTime() + SocketLab.LIMIT.toNanos();
        while (statsValue(block, key) != 0) {
            if (System.nanoTime() > end) {
                fail(block + " " + key + " is still " + statsValue(block, key) + "\n" + tail(lab.log()));
            }
            Thread.sleep(200);
        }
    }

    private static String tail(String log) {
        return log.length() <= 4000 ? log : log.substring(log.length() - 4000);
    }
}
