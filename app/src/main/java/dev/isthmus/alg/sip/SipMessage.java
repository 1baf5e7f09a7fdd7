package dev.isthmus.alg.sip;

import dev.isthmus.alg.sip.SipParseException.Reason;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * A SIP request or response (RFC 3261 §7): start line, header fields in their order, body.
 *
 * <p>Text is held one char per byte (ISO-8859-1), so UTF-8 in a display name or an unknown header
 * passes through unchanged; every header keeps its raw text ({@link SipHeader#raw}) and
 * {@link #toBytes} writes it back, so only what a {@code with*} method changed differs from what
 * was received. Instances are immutable: each change returns a new message.
 *
 * <p>{@link #parse} checks what the proxy relies on, and refuses the rest with a
 * {@link SipParseException}: the start line (§7.1, §7.2), header syntax and folding (§7.3.1),
 * To, From, Call-ID, CSeq and Via present (§8.1.1) and well formed, every Via
 * ({@link Via#parse}), the SIP URIs of To, From, Contact, Route and Record-Route, Max-Forwards and
 * Content-Length. Other headers are kept as opaque text (RFC 4475 §3.1.1.1's
 * {@code UnknownHeaderWithUnusualValue: ;;,,;;,;} is forwarded unchanged).
 */
public final class SipMessage {
    /**
     * Largest message read: the largest UDP payload; RFC 3261 §18.1.1 keeps UDP messages far
     * smaller, and a stream message larger than this is no call signalling this proxy carries.
     */
    public static final int MAX_MESSAGE_SIZE = 65535;

    /** Most header fields: a real INVITE has about 20; 256 leaves room for long Via and Route sets. */
    public static final int MAX_HEADERS = 256;

    /** Longest header field with its continuation lines: bounds the work of unfolding and splitting one. */
    public static final int MAX_HEADER_LENGTH = 8192;

    /** The Max-Forwards a proxy writes when a request has none (§16.6 step 3). */
    public static final int DEFAULT_MAX_FORWARDS = 70;

    /** CSeq numbers are below 2**31 (§8.1.1.5). */
    private static final long MAX_CSEQ = 0x7fffffffL;

    /** RFC 4475 §3.1.2.4: a Max-Forwards over 255 is invalid. */
    private static final long MAX_MAX_FORWARDS = 255;

    private static final String CRLF = "\r\n";

    /** How the message arrived; it decides what a missing Content-Length means (§18.3). */
    public enum Transport {
        /** UDP: the body is the rest of the datagram when Content-Length is absent. */
        DATAGRAM,
        /** TCP or TLS: Content-Length is required, it is what frames the message. */
        STREAM,
    }

    private final String startLine;
    private final String method;
    private final String requestUri;
    private final int status;
    private final List<SipHeader> headers;
    private final byte[] body;

    private SipMessage(String startLine, String method, String requestUri, int status, List<SipHeader> headers, byte[] body) {
        this.startLine = startLine;
        this.method = method;
        this.requestUri = requestUri;
        this.status = status;
        this.headers = headers;
        this.body = body;
    }

    /** Reads a whole datagram. */
    public static SipMessage parseDatagram(byte[] datagram) throws SipParseException {
        return parse(datagram, 0, datagram.length, Transport.DATAGRAM);
    }

    /**
     * Reads one message from {@code data[off, off+len)}. Over a stream the bytes are one frame
     * ({@link SipFraming#frameLength}); over a datagram, bytes after Content-Length's end are
     * discarded and a Content-Length larger than the bytes is refused (§18.3).
     */
    public static SipMessage parse(byte[] data, int off, int len, Transport transport) throws SipParseException {
        if (len > MAX_MESSAGE_SIZE) {
            throw new SipParseException(Reason.TOO_LARGE, len + " bytes");
        }
        String s = new String(data, off, len, StandardCharsets.ISO_8859_1);
        Head head = Head.read(s);
        int available = len - head.bodyStart;
        long contentLength = head.contentLength();
        int bodyLength;
        if (contentLength < 0) {
            if (transport == Transport.STREAM) {
                throw new SipParseException(Reason.BODY_LENGTH_MISMATCH, "no Content-Length over a stream");
            }
            bodyLength = available;
        } else if (contentLength > available) {
            throw new SipParseException(Reason.BODY_LENGTH_MISMATCH, "Content-Length " + contentLength + " > " + available);
        } else {
            bodyLength = (int) contentLength;
        }
        byte[] body = Arrays.copyOfRange(data, off + head.bodyStart, off + head.bodyStart + bodyLength);
        SipMessage m = head.startLine.method == null
                ? new SipMessage(head.startLine.text, null, null, head.startLine.status, head.headers, body)
                : new SipMessage(head.startLine.text, head.startLine.method, head.startLine.requestUri, 0, head.headers, body);
        m.check();
        return m;
    }

    /** A new request with no headers yet (add them with {@link #withHeader}). */
    public static SipMessage request(String method, String requestUri) throws SipParseException {
        String line = method + " " + requestUri + " SIP/2.0";
        StartLine sl = StartLine.read(line);
        return new SipMessage(line, sl.method, sl.requestUri, 0, List.of(), new byte[0]);
    }

    /** A new response with no headers yet. */
    public static SipMessage response(int status, String reasonPhrase) throws SipParseException {
        String line = "SIP/2.0 " + status + " " + reasonPhrase;
        return new SipMessage(line, null, null, StartLine.read(line).status, List.of(), new byte[0]);
    }

    /** The checks of §8.1.1 and of the headers the proxy reads, after the header section has been split. */
    private void check() throws SipParseException {
        for (String name : new String[] {"to", "from", "call-id", "cseq", "via"}) {
            if (first(name) == null) {
                throw new SipParseException(Reason.MISSING_HEADER, name);
            }
        }
        for (String name : new String[] {"to", "from", "call-id", "cseq", "max-forwards"}) {
            if (all(name).size() > 1) {
                throw new SipParseException(Reason.BAD_HEADER, name + " given twice");
            }
        }
        if (first("call-id").value().isEmpty()) {
            throw new SipParseException(Reason.BAD_HEADER, "empty Call-ID");
        }
        checkCseq(first("cseq").value());
        SipHeader maxForwards = first("max-forwards");
        if (maxForwards != null && SipText.boundedNumber(maxForwards.value(), MAX_MAX_FORWARDS) < 0) {
            throw new SipParseException(Reason.BAD_MAX_FORWARDS, maxForwards.value());
        }
        for (String v : values("via")) {
            Via.parse(v);
        }
        for (SipHeader h : headers) {
            switch (h.key()) {
                case "to", "from" -> NameAddr.checkUri(NameAddr.single(h.value()));
                case "route", "record-route" -> {
                    for (String v : SipText.splitCommas(h.value())) {
                        NameAddr.checkUri(v);
                    }
                }
                case "contact" -> {
                    for (String v : SipText.splitCommas(h.value())) {
                        if (!v.equals("*")) { // REGISTER's remove-all (§10.2.2)
                            NameAddr.checkUri(v);
                        }
                    }
                }
                default -> { }
            }
        }
    }

    /** {@code CSeq: 1*DIGIT LWS Method} (§20.16), the method the request's own (§8.1.1.5). */
    private void checkCseq(String value) throws SipParseException {
        int sp = 0;
        while (sp < value.length() && !SipText.isWsp(value.charAt(sp))) {
            sp++;
        }
        String number = value.substring(0, sp);
        String cseqMethod = SipText.strip(value.substring(sp));
        if (SipText.boundedNumber(number, MAX_CSEQ) < 0 || !SipText.isToken(cseqMethod)) {
            throw new SipParseException(Reason.BAD_CSEQ, value);
        }
        if (method != null && !method.equals(cseqMethod)) {
            throw new SipParseException(Reason.BAD_CSEQ, "method " + cseqMethod + " in a " + method);
        }
    }

    // ---- reading ----

    public boolean isRequest() {
        return method != null;
    }

    /** The request's method, case as written (methods are case-sensitive, §7.1); null for a response. */
    public String method() {
        return method;
    }

    /** The Request-URI as written; null for a response. */
    public String requestUri() {
        return requestUri;
    }

    /** The status code of a response, 0 for a request. */
    public int status() {
        return status;
    }

    /** The request or status line as written, without CRLF. */
    public String startLine() {
        return startLine;
    }

    public List<SipHeader> headers() {
        return headers;
    }

    /** The first header named {@code name} (long or compact, any case), or null. */
    public SipHeader first(String name) {
        String key = SipHeader.canonical(name);
        for (SipHeader h : headers) {
            if (h.key().equals(key)) {
                return h;
            }
        }
        return null;
    }

    /** Every header named {@code name}, in order. */
    public List<SipHeader> all(String name) {
        String key = SipHeader.canonical(name);
        List<SipHeader> out = new ArrayList<>();
        for (SipHeader h : headers) {
            if (h.key().equals(key)) {
                out.add(h);
            }
        }
        return out;
    }

    /**
     * The values of a header that may hold a comma-separated list (§7.3.1), across all header
     * fields of that name, in order.
     *
     * @throws SipParseException BAD_HEADER for an unterminated quoted string or {@code <}
     */
    public List<String> values(String name) throws SipParseException {
        List<String> out = new ArrayList<>();
        for (SipHeader h : all(name)) {
            out.addAll(SipText.splitCommas(h.value()));
        }
        return out;
    }

    /** {@link #values} of a header {@link #check} has split already. */
    private List<String> valuesOf(String name) {
        try {
            return values(name);
        } catch (SipParseException e) {
            throw new IllegalStateException("checked when parsed", e);
        }
    }

    /** Every Via value, topmost first. */
    public List<Via> vias() {
        List<Via> out = new ArrayList<>();
        for (String v : valuesOf("via")) {
            try {
                out.add(Via.parse(v));
            } catch (SipParseException e) {
                throw new IllegalStateException("checked when parsed", e);
            }
        }
        return out;
    }

    public Via topVia() {
        return vias().getFirst();
    }

    /** The Route values (name-addr text), topmost first. */
    public List<String> routes() {
        return valuesOf("route");
    }

    /** The Record-Route values, topmost first. */
    public List<String> recordRoutes() {
        return valuesOf("record-route");
    }

    /** The Contact values. */
    public List<String> contacts() {
        return valuesOf("contact");
    }

    public String callId() {
        return first("call-id").value();
    }

    public long cseq() {
        String v = first("cseq").value();
        int end = 0;
        while (end < v.length() && !SipText.isWsp(v.charAt(end))) {
            end++;
        }
        return Long.parseLong(v, 0, end, 10);
    }

    /** The method of CSeq: a response's tells which request it answers (§8.1.3.1). */
    public String cseqMethod() {
        String v = first("cseq").value();
        int sp = 0;
        while (sp < v.length() && !SipText.isWsp(v.charAt(sp))) {
            sp++;
        }
        return SipText.strip(v.substring(sp));
    }

    /** The From tag (§19.3), or null (a request of RFC 2543 may have none). */
    public String fromTag() {
        return NameAddr.param(first("from").value(), "tag");
    }

    /** The To tag, or null outside a dialog (§12.2). */
    public String toTag() {
        return NameAddr.param(first("to").value(), "tag");
    }

    /** Max-Forwards, or -1 when the message has none. */
    public int maxForwards() {
        SipHeader h = first("max-forwards");
        return h == null ? -1 : (int) SipText.boundedNumber(h.value(), MAX_MAX_FORWARDS);
    }

    /** A copy of the body. */
    public byte[] body() {
        return body.clone();
    }

    public int bodyLength() {
        return body.length;
    }

    /** The message as bytes to send: start line, headers as received or set, CRLF, body. */
    public byte[] toBytes() {
        StringBuilder sb = new StringBuilder(startLine.length() + 64 * headers.size());
        sb.append(startLine).append(CRLF);
        for (SipHeader h : headers) {
            sb.append(h.raw()).append(CRLF);
        }
        sb.append(CRLF);
        ByteArrayOutputStream out = new ByteArrayOutputStream(sb.length() + body.length);
        out.writeBytes(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(body);
        return out.toByteArray();
    }

    // ---- changing (each returns a new message) ----

    /** This message with {@code header} appended after the others. */
    public SipMessage withHeader(SipHeader header) {
        List<SipHeader> h = new ArrayList<>(headers);
        h.add(header);
        return with(h, body);
    }

    /** Without the topmost Via value (a proxy forwarding a response, §16.7 step 3). */
    public SipMessage withoutTopVia() {
        return withoutFirstValue("via");
    }

    /** With {@code via} above the others (a proxy forwarding a request, §16.6 step 8). */
    public SipMessage withTopVia(Via via) {
        return withFirstValue("Via", via.toString());
    }

    /** With the topmost Via value replaced, e.g. by {@link Via#withReceived} (§18.2.1). */
    public SipMessage withTopViaReplaced(Via via) {
        return withoutTopVia().withTopVia(via);
    }

    /** With {@code value} (a name-addr, {@code <sip:proxy;lr>}) above the Record-Routes (§16.6 step 4). */
    public SipMessage withRecordRoute(String value) {
        return withFirstValue("Record-Route", value);
    }

    /** Without the topmost Route value (§16.4: the proxy's own URI in a loose route). */
    public SipMessage withoutTopRoute() {
        return withoutFirstValue("route");
    }

    /**
     * With Max-Forwards one less, or {@link #DEFAULT_MAX_FORWARDS} added when there is none (§16.6
     * step 3). The caller answers 483 to a request at 0 (§16.3 step 3) rather than forward it.
     *
     * @throws IllegalStateException if Max-Forwards is 0
     */
    public SipMessage withMaxForwardsDecremented() {
        int mf = maxForwards();
        if (mf == 0) {
            throw new IllegalStateException("Max-Forwards is 0: answer 483");
        }
        SipHeader old = first("max-forwards");
        List<SipHeader> h = new ArrayList<>(headers);
        if (old == null) {
            h.add(SipHeader.of("Max-Forwards", String.valueOf(DEFAULT_MAX_FORWARDS)));
        } else {
            h.set(h.indexOf(old), SipHeader.of(old.name(), String.valueOf(mf - 1)));
        }
        return with(h, body);
    }

    /**
     * With every header named {@code name} replaced by one holding {@code value}, where the first
     * of them stood (at the end if there was none): Contact when the proxy rewrites it, Content-Type
     * with a new body.
     */
    public SipMessage withHeaderReplaced(String name, String value) {
        String key = SipHeader.canonical(name);
        List<SipHeader> h = new ArrayList<>();
        boolean placed = false;
        for (SipHeader old : headers) {
            if (!old.key().equals(key)) {
                h.add(old);
            } else if (!placed) {
                h.add(SipHeader.of(old.name(), value));
                placed = true;
            }
        }
        if (!placed) {
            h.add(SipHeader.of(name, value));
        }
        return with(h, body);
    }

    /** Without any header named {@code name} (a proxy consuming its own credentials, RFC 3261 §22.3). */
    public SipMessage withoutHeaders(String name) {
        String key = SipHeader.canonical(name);
        return with(headers.stream().filter(h -> !h.key().equals(key)).toList(), body);
    }

    /** With this body and a Content-Length saying its length (§20.14; required over a stream, §18.3). */
    public SipMessage withBody(byte[] newBody) {
        return with(headers, newBody.clone()).withHeaderReplaced("Content-Length", String.valueOf(newBody.length));
    }

    /** With another Request-URI (§16.5 / §16.6 step 2); the method and version as they were. */
    public SipMessage withRequestUri(String uri) throws SipParseException {
        if (method == null) {
            throw new IllegalStateException("a response has no Request-URI");
        }
        String version = startLine.substring(startLine.lastIndexOf(' ') + 1);
        String line = method + " " + uri + " " + version;
        StartLine sl = StartLine.read(line);
        return new SipMessage(line, sl.method, sl.requestUri, 0, headers, body);
    }

    private SipMessage with(List<SipHeader> newHeaders, byte[] newBody) {
        return new SipMessage(startLine, method, requestUri, status, List.copyOf(newHeaders), newBody);
    }

    /** Removes the first comma-separated value of the first header {@code name}, the header with it if it was alone. */
    private SipMessage withoutFirstValue(String name) {
        SipHeader old = first(name);
        if (old == null) {
            return this;
        }
        List<String> values;
        try {
            values = SipText.splitCommas(old.value());
        } catch (SipParseException e) {
            throw new IllegalStateException("checked when parsed", e);
        }
        List<SipHeader> h = new ArrayList<>(headers);
        int i = h.indexOf(old);
        if (values.size() == 1) {
            h.remove(i);
        } else {
            h.set(i, SipHeader.of(old.name(), String.join(", ", values.subList(1, values.size()))));
        }
        return with(h, body);
    }

    /** Adds a header {@code name: value} before the first header of that name, or at the top. */
    private SipMessage withFirstValue(String name, String value) {
        SipHeader old = first(name);
        List<SipHeader> h = new ArrayList<>(headers);
        h.add(old == null ? 0 : h.indexOf(old), SipHeader.of(name, value));
        return with(h, body);
    }

    /** Same start line, the same header text in the same order, the same body. */
    @Override
    public boolean equals(Object o) {
        return o instanceof SipMessage m && startLine.equals(m.startLine) && headers.equals(m.headers)
                && Arrays.equals(body, m.body);
    }

    @Override
    public int hashCode() {
        return startLine.hashCode() * 31 + headers.hashCode() * 17 + Arrays.hashCode(body);
    }

    @Override
    public String toString() {
        return new String(toBytes(), StandardCharsets.ISO_8859_1);
    }

    /** The start line and header section of a message, and where its body starts. */
    record Head(StartLine startLine, List<SipHeader> headers, int bodyStart) {
        /**
         * Splits {@code s} (a message as one char per byte) at its first CRLF CRLF. RFC 3261 §7.5:
         * CRLFs before the start line are skipped (they are keep-alives, RFC 5626 §3.5.1).
         */
        static Head read(String s) throws SipParseException {
            int start = 0;
            while (s.startsWith(CRLF, start)) {
                start += 2;
            }
            int end = s.indexOf(CRLF + CRLF, start);
            if (end < 0) {
                throw new SipParseException(Reason.NO_HEADER_END, "no CRLF CRLF");
            }
            int lineEnd = s.indexOf(CRLF, start);
            StartLine startLine = StartLine.read(s.substring(start, lineEnd));
            List<SipHeader> headers = new ArrayList<>();
            int pos = lineEnd + 2;
            while (pos < end + 2) {
                // A header field runs to the CRLF not followed by SP or HTAB (folding, §7.3.1).
                int fieldEnd = s.indexOf(CRLF, pos);
                while (fieldEnd < end && SipText.isWsp(s.charAt(fieldEnd + 2))) {
                    fieldEnd = s.indexOf(CRLF, fieldEnd + 2);
                }
                if (fieldEnd - pos > MAX_HEADER_LENGTH) {
                    throw new SipParseException(Reason.HEADER_TOO_LONG, (fieldEnd - pos) + " bytes");
                }
                if (headers.size() == MAX_HEADERS) {
                    throw new SipParseException(Reason.TOO_MANY_HEADERS, "over " + MAX_HEADERS);
                }
                String raw = s.substring(pos, fieldEnd);
                checkNoStrayLineBreak(raw);
                headers.add(SipHeader.parse(raw));
                pos = fieldEnd + 2;
            }
            return new Head(startLine, Collections.unmodifiableList(headers), end + 4);
        }

        /** A CR or LF other than a folding CRLF would end the line for another parser: refused. */
        private static void checkNoStrayLineBreak(String raw) throws SipParseException {
            for (int i = 0; i < raw.length(); i++) {
                char c = raw.charAt(i);
                if (c == '\n' || c == '\r' && (i + 1 == raw.length() || raw.charAt(i + 1) != '\n')) {
                    throw new SipParseException(Reason.BAD_HEADER, "stray CR or LF");
                }
                if (c == '\r') {
                    i++;
                }
            }
        }

        /**
         * The Content-Length, or -1 when absent; all Content-Length headers must agree (two
         * different ones would let two parsers frame the message differently).
         */
        long contentLength() throws SipParseException {
            long length = -1;
            for (SipHeader h : headers) {
                if (h.key().equals("content-length")) {
                    long n = SipText.boundedNumber(h.value(), MAX_MESSAGE_SIZE);
                    if (n < 0 || length >= 0 && n != length) {
                        throw new SipParseException(Reason.BAD_CONTENT_LENGTH, h.value());
                    }
                    length = n;
                }
            }
            return length;
        }
    }

    /** A request line (§7.1) or status line (§7.2). */
    record StartLine(String text, String method, String requestUri, int status) {
        static StartLine read(String line) throws SipParseException {
            if (line.indexOf('\n') >= 0 || line.indexOf('\r') >= 0) {
                throw badLine("stray CR or LF");
            }
            if (line.regionMatches(true, 0, "SIP/", 0, 4)) {
                // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase
                int sp = line.indexOf(' ');
                if (sp < 0) {
                    throw badLine("no status code");
                }
                checkVersion(line.substring(0, sp));
                if (line.length() < sp + 5 || line.charAt(sp + 4) != ' ') {
                    throw badLine("status code not three digits and SP");
                }
                // §7.2 and §21: the classes are 1xx to 6xx (RFC 4475 §3.1.2.19 sends 4294967301).
                long code = SipText.boundedNumber(line.substring(sp + 1, sp + 4), 699);
                if (code < 100) {
                    throw badLine("status code not 100-699");
                }
                return new StartLine(line, null, null, (int) code);
            }
            // Request-Line = Method SP Request-URI SP SIP-Version: exactly one SP each
            // (RFC 4475 §3.1.2.9 and §3.1.2.10 refuse more, and trailing ones).
            String[] parts = line.split(" ", -1);
            if (parts.length != 3 || !SipText.isToken(parts[0])) {
                throw badLine("not Method SP Request-URI SP SIP-Version");
            }
            checkRequestUri(parts[1]);
            checkVersion(parts[2]);
            return new StartLine(line, parts[0], parts[1], 0);
        }

        private static void checkVersion(String version) throws SipParseException {
            if (version.equalsIgnoreCase("SIP/2.0")) {
                return;
            }
            if (version.regionMatches(true, 0, "SIP/", 0, 4) && version.substring(4).matches("[0-9]+\\.[0-9]+")) {
                throw new SipParseException(Reason.BAD_VERSION, version);
            }
            throw badLine("bad SIP-Version");
        }

        /**
         * A sip/sips Request-URI must parse and carry no headers (§19.1.5: they are not allowed
         * there; RFC 4475 §3.1.2.11); another scheme ({@code tel:}, §19.1.6) must at least be an
         * absoluteURI's {@code scheme ":" ...} of visible characters, for the proxy to answer 416.
         */
        private static void checkRequestUri(String uri) throws SipParseException {
            if (SipUri.isSipScheme(uri)) {
                if (SipUri.parse(uri).headers() != null) {
                    throw new SipParseException(Reason.BAD_URI, "headers in a Request-URI");
                }
                return;
            }
            int colon = uri.indexOf(':');
            if (colon < 1 || colon == uri.length() - 1 || !isAlpha(uri.charAt(0))) {
                throw new SipParseException(Reason.BAD_URI, "not an absolute URI");
            }
            for (int i = 0; i < uri.length(); i++) {
                char c = uri.charAt(i);
                boolean schemeChar = SipText.isAlphanum(c) || c == '+' || c == '-' || c == '.';
                if (c <= ' ' || c >= 0x7f || i < colon && !schemeChar || c == '<' || c == '>') {
                    throw new SipParseException(Reason.BAD_URI, "not an absolute URI");
                }
            }
        }

        private static boolean isAlpha(char c) {
            return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
        }

        private static SipParseException badLine(String detail) {
            return new SipParseException(Reason.BAD_START_LINE, detail);
        }
    }
}
