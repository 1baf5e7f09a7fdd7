package dev.isthmus.alg.sip;

import java.util.ArrayList;
import java.util.List;

/**
 * One media description (RFC 8866 §5.14): the {@code m=} line and the lines up to the next,
 * kept as received, with the values the relay reads parsed out of them.
 */
public final class SdpMedia {
    private final List<String> lines;
    private final SdpMediaLine mediaLine;
    private final SdpConnection connection;
    private final SdpRtcp rtcp;
    private final boolean rtcpMux;
    private final SdpDirection direction;
    private final List<SdpCandidate> candidates;

    private SdpMedia(List<String> lines, SdpMediaLine mediaLine, SdpConnection connection, SdpRtcp rtcp,
            boolean rtcpMux, SdpDirection direction, List<SdpCandidate> candidates) {
        this.lines = lines;
        this.mediaLine = mediaLine;
        this.connection = connection;
        this.rtcp = rtcp;
        this.rtcpMux = rtcpMux;
        this.direction = direction;
        this.candidates = candidates;
    }

    /** {@code lines}: the {@code m=} line first, each without its line end. */
    static SdpMedia parse(List<String> lines) throws SdpException {
        SdpMediaLine m = SdpMediaLine.parse(lines.getFirst().substring(2));
        SdpConnection c = null;
        SdpRtcp rtcp = null;
        boolean mux = false;
        SdpDirection direction = null;
        List<SdpCandidate> candidates = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            switch (line.charAt(0)) {
                case 'c' -> {
                    if (c != null) {
                        // Several c= lines are for layered multicast only (RFC 8866 §5.7).
                        throw new SdpException(SdpException.Reason.BAD_CONNECTION, "two c= lines in one media description");
                    }
                    c = SdpConnection.parse(line.substring(2));
                }
                case 'b' -> Sdp.checkBandwidth(line);
                case 'a' -> {
                    if (line.startsWith(SdpRtcp.PREFIX)) {
                        if (rtcp != null) {
                            throw new SdpException(SdpException.Reason.BAD_RTCP, "two a=rtcp lines");
                        }
                        rtcp = SdpRtcp.parse(line.substring(SdpRtcp.PREFIX.length()));
                    } else if (line.startsWith(SdpCandidate.PREFIX)) {
                        candidates.add(SdpCandidate.parse(line.substring(SdpCandidate.PREFIX.length())));
                    } else if (line.equals("a=rtcp-mux")) {
                        mux = true;
                    } else if (direction == null) {
                        // The first direction attribute counts; RFC 8866 §6.7 allows one.
                        direction = SdpDirection.ofAttribute(line.substring(2));
                    }
                }
                default -> { } // i=, k= and what later RFCs add pass through untouched
            }
        }
        return new SdpMedia(List.copyOf(lines), m, c, rtcp, mux, direction, List.copyOf(candidates));
    }

    /** The lines as received, {@code m=} first, without line ends. */
    public List<String> lines() {
        return lines;
    }

    public SdpMediaLine mediaLine() {
        return mediaLine;
    }

    /** The media-level {@code c=}, or null when the session-level one applies. */
    public SdpConnection connection() {
        return connection;
    }

    /** {@code a=rtcp} (RFC 3605), or null. */
    public SdpRtcp rtcp() {
        return rtcp;
    }

    /** Whether {@code a=rtcp-mux} is present (RFC 5761 §5.1.1): offered, or accepted in an answer. */
    public boolean rtcpMux() {
        return rtcpMux;
    }

    /** The media-level direction attribute, or null. */
    public SdpDirection direction() {
        return direction;
    }

    /** The {@code a=candidate} lines, in order (RFC 8839 §5.1). */
    public List<SdpCandidate> candidates() {
        return candidates;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SdpMedia m && lines.equals(m.lines);
    }

    @Override
    public int hashCode() {
        return lines.hashCode();
    }
}
