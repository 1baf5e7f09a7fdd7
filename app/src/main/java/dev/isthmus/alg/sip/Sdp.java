package dev.isthmus.alg.sip;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A session description (RFC 8866): the session-level lines and the media descriptions, in
 * their order and kept as received, so that what the relay does not rewrite leaves it byte for
 * byte (unknown attributes included). Lines end in CRLF on output; a bare LF is accepted on
 * input (RFC 8866 §5: "parsers SHOULD be tolerant and also accept records terminated with a
 * single newline character").
 *
 * <p>The body is read as ISO 8859-1, one char per byte, so that {@code s=} and {@code i=} text
 * in UTF-8 (RFC 8866 §5.3) comes back out as the same bytes.
 *
 * <p>Parsed and checked: {@code v=0} first, exactly one {@code o=}, {@code c=} (unicast
 * IN IP4/IP6 literals), {@code m=}, {@code t=}, {@code b=}, {@code a=rtcp}, {@code a=rtcp-mux},
 * {@code a=candidate} and the direction attributes. Anything else is passed through unread.
 */
public final class Sdp {
    /** The largest body: what one UDP datagram can carry, and far beyond any call's SDP with ICE. */
    public static final int MAX_BYTES = 65_535;

    /** The most lines: 64 KiB of short lines would still be a denial of service for the checks. */
    public static final int MAX_LINES = 1_024;

    /**
     * The most media descriptions: each costs the relay two port pairs, and a call with more
     * than 32 streams is an attack, not a phone.
     */
    public static final int MAX_MEDIA = 32;

    private static final String CRLF = "\r\n";

    private final List<String> session;
    private final List<SdpMedia> media;
    private final SdpOrigin origin;
    private final SdpConnection connection;
    private final SdpDirection direction;

    private Sdp(List<String> session, List<SdpMedia> media, SdpOrigin origin, SdpConnection connection,
            SdpDirection direction) {
        this.session = session;
        this.media = media;
        this.origin = origin;
        this.connection = connection;
        this.direction = direction;
    }

    /** Parses a body, or refuses it with the reason. */
    public static Sdp parse(byte[] body) throws SdpException {
        if (body.length > MAX_BYTES) {
            throw new SdpException(SdpException.Reason.TOO_LARGE, body.length + " bytes");
        }
        List<String> lines = lines(new String(body, StandardCharsets.ISO_8859_1));
        if (lines.isEmpty() || !lines.getFirst().equals("v=0")) {
            throw new SdpException(SdpException.Reason.BAD_VERSION, "the first line is not v=0");
        }
        int firstMedia = 0;
        while (firstMedia < lines.size() && lines.get(firstMedia).charAt(0) != 'm') {
            firstMedia++;
        }
        List<String> session = List.copyOf(lines.subList(0, firstMedia));
        SdpOrigin origin = null;
        SdpConnection connection = null;
        SdpDirection direction = null;
        for (String line : session.subList(1, session.size())) {
            switch (line.charAt(0)) {
                case 'v' -> throw new SdpException(SdpException.Reason.BAD_VERSION, "a second v= line");
                case 'o' -> {
                    if (origin != null) {
                        throw new SdpException(SdpException.Reason.BAD_ORIGIN, "two o= lines");
                    }
                    origin = SdpOrigin.parse(line.substring(2));
                }
                case 'c' -> {
                    if (connection != null) {
                        throw new SdpException(SdpException.Reason.BAD_CONNECTION, "two session-level c= lines");
                    }
                    connection = SdpConnection.parse(line.substring(2));
                }
                case 't' -> checkTiming(line);
                case 'b' -> checkBandwidth(line);
                case 'a' -> {
                    if (direction == null) {
                        direction = SdpDirection.ofAttribute(line.substring(2));
                    }
                }
                default -> { } // s=, i=, u=, e=, p=, r=, z=, k= pass through untouched
            }
        }
        if (origin == null) {
            throw new SdpException(SdpException.Reason.BAD_ORIGIN, "no o= line");
        }
        List<SdpMedia> media = new ArrayList<>();
        for (int start = firstMedia; start < lines.size(); ) {
            int end = start + 1;
            while (end < lines.size() && lines.get(end).charAt(0) != 'm') {
                end++;
            }
            if (media.size() == MAX_MEDIA) {
                throw new SdpException(SdpException.Reason.TOO_LARGE, "more than " + MAX_MEDIA + " media descriptions");
            }
            media.add(checked(SdpMedia.parse(lines.subList(start, end)), connection));
            start = end;
        }
        return new Sdp(session, List.copyOf(media), origin, connection, direction);
    }

    /** The checks on a media description that need the session level too. */
    private static SdpMedia checked(SdpMedia m, SdpConnection session) throws SdpException {
        int port = m.mediaLine().port();
        if (port != 0 && m.connection() == null && session == null) {
            throw new SdpException(SdpException.Reason.NO_CONNECTION, "m=" + m.mediaLine().format());
        }
        if (port == 65535 && m.rtcp() == null) {
            // RFC 3550 §11: RTCP goes to the RTP port plus one, and there is none above 65535.
            throw new SdpException(SdpException.Reason.BAD_MEDIA, "port 65535 leaves no RTCP port");
        }
        return m;
    }

    /** The lines of {@code text} without their line ends, each {@code <type>=...} with a lowercase type. */
    private static List<String> lines(String text) throws SdpException {
        List<String> lines = new ArrayList<>();
        int start = 0;
        while (start < text.length()) {
            int nl = text.indexOf('\n', start);
            int end = nl < 0 ? text.length() : nl;
            String line = text.substring(start, end > start && text.charAt(end - 1) == '\r' ? end - 1 : end);
            start = nl < 0 ? text.length() : nl + 1;
            if (lines.size() == MAX_LINES) {
                throw new SdpException(SdpException.Reason.TOO_LARGE, "more than " + MAX_LINES + " lines");
            }
            lines.add(line);
        }
        // Some stacks end the body with an empty line; only there is one tolerated.
        while (!lines.isEmpty() && lines.getLast().isEmpty()) {
            lines.removeLast();
        }
        for (String line : lines) {
            if (line.length() < 2 || line.charAt(0) < 'a' || line.charAt(0) > 'z' || line.charAt(1) != '='
                    || line.indexOf('\r') >= 0 || line.indexOf('\0') >= 0) {
                throw new SdpException(SdpException.Reason.BAD_LINE, SdpFields.quote(line));
            }
        }
        return lines;
    }

    /** {@code t=start-time stop-time}, both decimal (RFC 8866 §5.9). */
    private static void checkTiming(String line) throws SdpException {
        String[] f = SdpFields.split(line.substring(2));
        if (f == null || f.length != 2 || !SdpFields.digits(f[0]) || !SdpFields.digits(f[1])) {
            throw new SdpException(SdpException.Reason.BAD_TIMING, SdpFields.quote(line));
        }
    }

    /** {@code b=bwtype:bandwidth} (RFC 8866 §5.8), at session or media level. */
    static void checkBandwidth(String line) throws SdpException {
        int colon = line.indexOf(':');
        if (colon < 3 || !SdpFields.digits(line.substring(colon + 1)) || line.substring(2, colon).indexOf(' ') >= 0) {
            throw new SdpException(SdpException.Reason.BAD_BANDWIDTH, SdpFields.quote(line));
        }
    }

    /** The session-level lines as received, {@code v=0} first, without line ends. */
    public List<String> sessionLines() {
        return session;
    }

    public List<SdpMedia> media() {
        return media;
    }

    public SdpOrigin origin() {
        return origin;
    }

    /** The session-level {@code c=}, or null. */
    public SdpConnection connection() {
        return connection;
    }

    /**
     * What the relay needs of each stream, in {@code m=} order: the announced RTP and RTCP
     * destinations, the media type, the direction (media level, else session level, else
     * sendrecv: RFC 8866 §6.7), whether {@code rtcp-mux} is present, whether it is on hold.
     */
    public List<SdpStream> streams() {
        List<SdpStream> streams = new ArrayList<>(media.size());
        for (int i = 0; i < media.size(); i++) {
            SdpMedia m = media.get(i);
            SdpConnection c = m.connection() != null ? m.connection() : connection;
            SdpDirection d = m.direction() != null ? m.direction() : direction != null ? direction : SdpDirection.SENDRECV;
            int port = m.mediaLine().port();
            InetSocketAddress rtp = null;
            InetSocketAddress rtcp = null;
            if (port != 0) {
                rtp = new InetSocketAddress(c.address(), port);
                SdpRtcp r = m.rtcp();
                rtcp = r == null ? new InetSocketAddress(c.address(), port + 1)
                        : new InetSocketAddress(r.connection() != null ? r.connection().address() : c.address(), r.port());
            }
            streams.add(new SdpStream(i, m.mediaLine().media(), m.mediaLine().proto(), d, m.rtcpMux(),
                    c != null && c.hold(), rtp, rtcp));
        }
        return streams;
    }

    /** The same description with {@code o=}'s version replaced (RFC 3264 §8). */
    Sdp withOriginVersion(String version) throws SdpException {
        List<String> lines = lines();
        lines.replaceAll(line -> line.startsWith("o=") ? "o=" + origin.withVersion(version).format() : line);
        return ofLines(lines);
    }

    /** Every line in order, session level first, without line ends. */
    List<String> lines() {
        List<String> lines = new ArrayList<>(session);
        media.forEach(m -> lines.addAll(m.lines()));
        return lines;
    }

    /** Parses lines put together by the rewrite, so that what it writes is checked like what it reads. */
    static Sdp ofLines(List<String> lines) throws SdpException {
        return parse(String.join(CRLF, lines).concat(CRLF).getBytes(StandardCharsets.ISO_8859_1));
    }

    /** The body, every line ending in CRLF (RFC 8866 §5). */
    public byte[] toBytes() {
        return toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The body as text, one char per byte, every line ending in CRLF. */
    @Override
    public String toString() {
        return String.join(CRLF, lines()).concat(CRLF);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Sdp s && session.equals(s.session) && media.equals(s.media);
    }

    @Override
    public int hashCode() {
        return 31 * session.hashCode() + media.hashCode();
    }
}
