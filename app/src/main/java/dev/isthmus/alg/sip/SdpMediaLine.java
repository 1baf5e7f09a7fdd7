package dev.isthmus.alg.sip;

/**
 * {@code m=media port[/count] proto fmt ...} (RFC 8866 §5.14). Port 0 is a rejected or
 * disabled stream (RFC 3264 §6, §8.2). {@code protoAndFormats} is the text after the port as
 * received, so that rewriting the port leaves the rest of the line byte for byte.
 *
 * @param count the port count, or 0 when the line has none (one port pair)
 */
public record SdpMediaLine(String media, int port, int count, String protoAndFormats) {

    static SdpMediaLine parse(String value) throws SdpException {
        String[] f = SdpFields.split(value);
        if (f == null || f.length < 4) {
            throw bad(value);
        }
        String portField = f[1];
        int count = 0;
        int slash = portField.indexOf('/');
        if (slash >= 0) {
            count = SdpFields.number(portField.substring(slash + 1), 5, 65535);
            portField = portField.substring(0, slash);
            if (count < 1) {
                throw bad(value);
            }
        }
        int port = SdpFields.port(portField);
        if (port < 0) {
            throw bad(value);
        }
        return new SdpMediaLine(f[0], port, count, value.substring(f[0].length() + 1 + f[1].length() + 1));
    }

    private static SdpException bad(String value) {
        return new SdpException(SdpException.Reason.BAD_MEDIA, SdpFields.quote(value));
    }

    /** The transport protocol, {@code RTP/AVP}, {@code UDP/TLS/RTP/SAVPF}... */
    public String proto() {
        return protoAndFormats.substring(0, protoAndFormats.indexOf(' '));
    }

    SdpMediaLine withPort(int p) {
        return new SdpMediaLine(media, p, count, protoAndFormats);
    }

    /** The value after {@code m=}. */
    String format() {
        return media + " " + port + (count > 0 ? "/" + count : "") + " " + protoAndFormats;
    }
}
