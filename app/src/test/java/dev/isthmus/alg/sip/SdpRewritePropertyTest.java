package dev.isthmus.alg.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.isthmus.wire.Ipv4Address;
import dev.isthmus.wire.Ipv6Address;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Any description the relay accepts, rewritten for either family, reads back with the relay's
 * address and ports on every stream, the lines the rewrite does not own unchanged and in order,
 * and no line gained or lost but the removed candidates.
 */
class SdpRewritePropertyTest {
    /** A generated body and what the relay gives it. */
    record Case(String text, InetAddress relay, List<RelayPorts> ports) {}

    @Property(tries = 500)
    void rewriteThenReadBack(@ForAll("cases") Case c) throws Exception {
        Sdp in = Sdp.parse(c.text().getBytes(StandardCharsets.ISO_8859_1));
        Sdp out = SdpRewrite.rewrite(in, c.relay(), c.ports());
        assertEquals(out, Sdp.parse(out.toBytes()));
        boolean relay4 = c.relay() instanceof Inet4Address;
        InetAddress unspecified = SdpFields.unspecified(c.relay());
        List<SdpStream> before = in.streams();
        List<SdpStream> after = out.streams();
        for (int i = 0; i < before.size(); i++) {
            SdpStream b = before.get(i);
            SdpStream a = after.get(i);
            if (b.rejected()) {
                assertEquals(true, a.rejected());
                continue;
            }
            RelayPorts p = c.ports().get(i);
            InetAddress rtpAddress = b.hold() ? unspecified : c.relay();
            assertEquals(new InetSocketAddress(rtpAddress, p.rtp()), a.rtp());
            SdpRtcp r = in.media().get(i).rtcp();
            int rtcpPort = r != null && r.port() == in.media().get(i).mediaLine().port() ? p.rtp() : p.rtcp();
            InetAddress rtcpAddress = r != null && r.connection() != null ? c.relay() : rtpAddress;
            assertEquals(new InetSocketAddress(rtcpAddress, rtcpPort), a.rtcp());
            assertEquals(b.hold(), a.hold());
            assertEquals(b.direction(), a.direction());
            assertEquals(b.rtcpMux(), a.rtcpMux());
        }
        assertEquals(unowned(in.lines()), unowned(out.lines()));
        long removed = in.media().stream().flatMap(m -> m.candidates().stream())
                .filter(k -> k.address() == null || (k.address() instanceof Inet4Address) != relay4).count();
        assertEquals(in.lines().size() - removed, out.lines().size());
    }

    /** The lines the rewrite leaves alone. */
    private static List<String> unowned(List<String> lines) {
        return lines.stream().filter(l -> !l.startsWith("o=") && !l.startsWith("c=") && !l.startsWith("m=")
                && !l.startsWith(SdpRtcp.PREFIX) && !l.startsWith(SdpCandidate.PREFIX)).toList();
    }

    @Provide
    Arbitrary<Case> cases() {
        return Arbitraries.randomValue(SdpRewritePropertyTest::generate);
    }

    private static Case generate(Random r) {
        List<String> lines = new ArrayList<>();
        lines.add("v=0");
        lines.add("o=" + pick(r, "-", "alice", "user") + " " + r.nextInt(Integer.MAX_VALUE) + " " + r.nextInt(1000)
                + " IN IP" + (r.nextBoolean() ? "4 " : "6 ") + pick(r, "host.example.com", "192.0.2.1", "2001:db8::1"));
        lines.add("s=" + pick(r, "-", "", "Anruf für Zoë"));
        boolean sessionConnection = r.nextBoolean();
        if (sessionConnection) {
            lines.add("c=" + connection(r, true));
        }
        lines.add("t=0 0");
        unknown(r, lines);
        int streams = 1 + r.nextInt(5);
        List<RelayPorts> ports = new ArrayList<>();
        for (int i = 0; i < streams; i++) {
            boolean rejected = r.nextInt(5) == 0;
            int port = rejected ? 0 : 1024 + r.nextInt(60000);
            lines.add("m=" + pick(r, "audio", "video", "text") + " " + port + " " + pick(r, "RTP/AVP 0 8", "RTP/AVPF 96",
                    "UDP/TLS/RTP/SAVPF 111 0"));
            if (!sessionConnection || r.nextBoolean()) {
                lines.add("c=" + connection(r, true));
            }
            if (r.nextBoolean()) {
                lines.add("b=AS:" + r.nextInt(10000));
            }
            if (r.nextBoolean()) {
                lines.add("a=rtcp-mux");
            }
            switch (r.nextInt(4)) {
                case 0 -> lines.add("a=rtcp:" + (port + 1));
                case 1 -> lines.add("a=rtcp:" + port);
                case 2 -> lines.add("a=rtcp:" + r.nextInt(65536) + " " + connection(r, false));
                default -> { }
            }
            for (int k = r.nextInt(5); k > 0; k--) {
                String address = switch (r.nextInt(3)) {
                    case 0 -> ipv4(r);
                    case 1 -> ipv6(r);
                    default -> Long.toHexString(r.nextLong()) + ".local";
                };
                lines.add("a=candidate:" + k + " 1 UDP " + r.nextInt(Integer.MAX_VALUE) + " " + address + " "
                        + r.nextInt(65536) + " typ " + pick(r, "host", "srflx raddr 10.0.0.1 rport 9", "relay"));
            }
            unknown(r, lines);
            ports.add(rejected && r.nextBoolean() ? null : new RelayPorts(2 + 2 * r.nextInt(32767)));
        }
        InetAddress relay = r.nextBoolean() ? SdpRewriteTest.ip(ipv4(r)) : SdpRewriteTest.ip(ipv6(r));
        return new Case(String.join(r.nextBoolean() ? "\r\n" : "\n", lines) + "\r\n", relay, ports);
    }

    /** A unicast address or, sometimes and where allowed, a hold. */
    private static String connection(Random r, boolean holdAllowed) {
        boolean v4 = r.nextBoolean();
        if (holdAllowed && r.nextInt(6) == 0) {
            return v4 ? "IN IP4 0.0.0.0" : "IN IP6 ::";
        }
        return v4 ? "IN IP4 " + ipv4(r) : "IN IP6 " + ipv6(r);
    }

    /** A unicast IPv4 literal (below 224/4), never 0.0.0.0. */
    private static String ipv4(Random r) {
        return Ipv4Address.format((int) (1 + (r.nextLong() & 0xffffffffL) % 0xdfffffffL));
    }

    /** A unicast IPv6 literal (not ff00::/8), never ::. */
    private static String ipv6(Random r) {
        return Ipv6Address.format(0x2001_0db8_0000_0000L | (r.nextInt() & 0xffffffffL), r.nextLong() | 1);
    }

    private static void unknown(Random r, List<String> lines) {
        for (int k = r.nextInt(4); k > 0; k--) {
            lines.add(pick(r, "a=rtpmap:0 PCMU/8000", "a=fmtp:96 profile-level-id=42e01f", "i=info",
                    "a=ice-ufrag:8hhY", "a=end-of-candidates", "a=sendonly", "a=inactive", "k=prompt",
                    "a=ssrc:1 cname:x", "a=x-" + Long.toString(r.nextLong() & Long.MAX_VALUE, 36) + ": odd  spacing "));
        }
    }

    private static String pick(Random r, String... choices) {
        return choices[r.nextInt(choices.length)];
    }
}
