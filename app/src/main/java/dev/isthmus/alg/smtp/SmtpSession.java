package dev.isthmus.alg.smtp;

import dev.isthmus.addr.AddressSet;
import dev.isthmus.relay.Families;
import dev.isthmus.relay.Refusal;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.ZonedDateTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One client's SMTP session (RFC 5321 §3, §4.1): the greeting, then one command at a time, each
 * answered in order. Runs on the connection's event loop; the spool's disk work goes to the
 * server's disk pool, and the session waits ({@link #busy}) for what a reply depends on.
 *
 * <p>PIPELINING (RFC 2920): the commands a client sends in one flight are read into
 * {@link #pending} and handled in order; replies are written as they are made and flushed when
 * the flight is done or the session waits for the disk, so a group's replies go out together.
 *
 * <p>Relay control: a client in {@code allow} or authenticated may name any recipient; any other
 * gets 550 5.7.1 to RCPT, or, when no AUTH is configured (nothing it could do would let it relay),
 * a 554 greeting and 503 to everything but QUIT (RFC 5321 §3.1). The relaying tricks (the percent
 * hack, bang paths, {@code @} in a quoted local part) are refused from everyone; a source route is
 * reduced to its final address (§4.1.1.3) and judged as that.
 */
final class SmtpSession extends ChannelInboundHandlerAdapter {
    /** RFC 5321 §4.5.3.1.4: a command line is at most 512 octets with its CR LF. */
    static final int MAX_COMMAND = 512;
    /**
     * What MAIL's parameters may add to {@link #MAX_COMMAND} (§4.5.3.1.4: "extensions may increase
     * this limit"): SIZE (RFC 1870 §3: 26), BODY (15), SMTPUTF8 (9), ENVID (RFC 3461 §4.4: 100+7),
     * RET (§4.3: 9).
     */
    static final int MAIL_PARAMETERS_ALLOWANCE = 170;
    /** RFC 5321 §4.5.3.1.8: at least 100 recipients must be taken; more get 452 4.5.3 (§4.5.3.1.10). */
    static final int MAX_RECIPIENTS = 100;
    /** Commands read ahead of the one being handled before the connection stops being read. */
    static final int MAX_PENDING = 64;
    /**
     * Content bytes gathered before they go to the disk pool: most mail fits one chunk (a chunk is
     * taken only while there are bytes to gather, so a session between messages holds none).
     */
    static final int CHUNK = 16 * 1024;
    /** Chunks on their way to the disk before the session stops reading the client. */
    static final int MAX_CHUNKS_IN_FLIGHT = 4;
    /** The Received header is the relay's own: it does not count against the client's SIZE. */
    static final int RECEIVED_ALLOWANCE = 1024;
    /** Failed AUTH before the connection is closed (RFC 4954 §4: the server may). */
    static final int MAX_AUTH_FAILURES = 3;

    private final SmtpServer server;
    private final SmtpSettings settings;
    private final Deque<SmtpLine> pending = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    private Channel ch;
    private InetSocketAddress client;
    private InetAddress who;
    private boolean allowed;
    private boolean refusedGreeting;
    private ScheduledFuture<?> firstCommand;
    private boolean busy;
    private boolean closing;
    /** The client shut its side down: the session ends once the lines it sent are answered. */
    private boolean inputEnded;
    /** STARTTLS was answered and the handshake is not done: a line now was sent in the clear after it. */
    private boolean handshaking;

    // session state, reset by STARTTLS (RFC 3207 §4.2)
    private String helo;
    private boolean esmtp;
    private boolean tls;
    private String user;
    private int authFailures;
    private Auth auth;

    // transaction state, reset by RSET, HELO, EHLO and the end of DATA (RFC 5321 §4.1.1.5)
    private String reversePath;
    private boolean smtputf8;
    private boolean body8bit;
    private String envid;
    private Envelope.Ret ret;
    private final List<String> recipients = new ArrayList<>();
    private final List<Envelope.RecipientDsn> recipientDsn = new ArrayList<>();

    // DATA
    private boolean inData;
    private Spool.Writer writer;
    private CompletableFuture<Void> written;
    private byte[] chunk;
    private int chunkLength;
    private long size;
    private int chunksInFlight;
    private SmtpRefusal dataFault;

    /** AUTH in progress: what the next line answers (RFC 4954 §4). */
    private enum Auth { PLAIN, LOGIN_USER, LOGIN_PASSWORD }

    private String loginUser;

    SmtpSession(SmtpServer server) {
        this.server = server;
        this.settings = server.settings();
    }

    // ------------------------------------------------------------------ accept

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.ch = ctx.channel();
        this.client = (InetSocketAddress) ch.remoteAddress();
        this.who = AddressSet.unmapped(client.getAddress());
        if (server.refusals().blocked(who) && !settings.allow().contains(who)) {
            // Blocked for its relay refusals (RefusalTracker): no dialogue, no slot taken. Counted, not
            // logged: the line was written when the block began, and a client hammering must not fill the log.
            refuse(SmtpRefusal.REFUSAL_RATE, null);
            close("554 5.7.1 " + settings.hostname() + " too many relay refusals from your address, try later");
            return;
        }
        Refusal full = server.limits().acquire(who);
        if (full != null) {
            refuseAtAccept(full == Refusal.TOTAL_LIMIT ? SmtpRefusal.TOTAL_LIMIT : SmtpRefusal.CLIENT_LIMIT);
            return;
        }
        if (!server.descriptors().take(ch)) {
            server.limits().release(who);
            refuseAtAccept(SmtpRefusal.DESCRIPTOR_LIMIT);
            return;
        }
        SmtpCounters counters = server.counters();
        counters.opened();
        ch.closeFuture().addListener(f -> {
            server.limits().release(who);
            counters.closed();
        });
        ScheduledFuture<?> deadline = ch.eventLoop().schedule(this::firstCommandLate,
                server.firstCommandTimeout().toMillis(), TimeUnit.MILLISECONDS);
        firstCommand = deadline;
        ch.closeFuture().addListener(f -> deadline.cancel(false));
        allowed = settings.allow().contains(who);
        if (!allowed && settings.users().isEmpty()) {
            // RFC 5321 §3.1: 554 greeting; the client should QUIT, and gets 503 to anything else.
            refusedGreeting = true;
            refuse(SmtpRefusal.CLIENT_NOT_ALLOWED, "client " + Families.text(client) + " is not in allow");
            reply("554 5.7.1 " + settings.hostname() + " relay access denied");
        } else {
            // RFC 2034 §4: no enhanced code in the greeting.
            reply("220 " + settings.hostname() + " ESMTP isthmus");
        }
        ctx.flush();
        ctx.fireChannelActive();
    }

    private void refuseAtAccept(SmtpRefusal r) {
        refuse(r, "client " + Families.text(client) + ": " + switch (r) {
            case TOTAL_LIMIT -> settings.maxConnections() + " connections are open (max-connections)";
            case CLIENT_LIMIT -> settings.maxPerClient() + " connections from it are open (max-per-client)";
            default -> "the socket plane is out of descriptors (the open-file limit less the reserve)";
        });
        closing = true;
        ch.close();
    }

    private void firstCommandLate() {
        timeout(SmtpRefusal.FIRST_COMMAND_TIMEOUT, server.firstCommandTimeout().toSeconds());
    }

    private void timeout(SmtpRefusal r, long seconds) {
        if (!ch.isActive() || closing) {
            return;
        }
        refuse(r, "client " + Families.text(client) + ": nothing within " + seconds + " s");
        // RFC 5321 §4.5.3.2.7 and §3.8: 421 before closing.
        close("421 4.4.2 " + settings.hostname() + " timeout, closing connection");
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            timeout(SmtpRefusal.IDLE_TIMEOUT, SmtpServer.IDLE_TIMEOUT.toSeconds());
        } else if (evt instanceof ChannelInputShutdownEvent) {
            // A client that sends its commands and FIN at once (half-close) still reads the replies.
            inputEnded = true;
            pump();
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    // ------------------------------------------------------------------ input

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof SmtpLine line) || closing) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (handshaking) {
            // Sent after STARTTLS in the same flight, in the clear: it would be taken as if it
            // came over TLS (CVE-2011-0411). RFC 3207 §4.2 has the client wait for the 220.
            ReferenceCountUtil.release(msg);
            refuse(SmtpRefusal.STARTTLS_PIPELINED, "client " + Families.text(client) + ": commands after STARTTLS");
            closing = true;
            ch.close();
            return;
        }
        if (firstCommand != null) {
            firstCommand.cancel(false);
            firstCommand = null;
        }
        pending.add(line);
        if (pending.size() >= MAX_PENDING) {
            ch.config().setAutoRead(false);
        }
        pump();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    /** Handles the pending lines in order, as far as the disk lets it. */
    private void pump() {
        while (!pending.isEmpty() && !busy && !closing) {
            SmtpLine line = pending.poll();
            if (inData) {
                dataLine(line);
            } else {
                command(line);
            }
        }
        if (!busy && !closing && pending.size() < MAX_PENDING / 2 && !ch.config().isAutoRead()) {
            ch.config().setAutoRead(true);
        }
        if (inputEnded && pending.isEmpty() && !busy && !closing) {
            closing = true;
            if (inData) {
                discard(); // the data never ended: nothing was promised
            }
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closing = true;
        pending.clear();
        if (writer != null && inData) {
            discard(); // the client left before the end of data: nothing was promised
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (SslHandler.class.isInstance(ctx.pipeline().first()) && cause.getCause() instanceof javax.net.ssl.SSLException) {
            refuse(SmtpRefusal.TLS_FAILED, "client " + Families.text(client) + ": TLS: " + cause.getCause().getMessage());
        }
        ctx.channel().close();
    }

    // ------------------------------------------------------------------ commands

    private void command(SmtpLine line) {
        if (line.tooLong()) {
            refuse(SmtpRefusal.LINE_TOO_LONG, null);
            reply("500 5.5.2 Line too long (RFC 5321 §4.5.3.1.4)");
            return;
        }
        String text = new String(line.bytes(), StandardCharsets.UTF_8);
        if (auth != null) {
            authResponse(text);
            return;
        }
        SmtpCommand c = SmtpCommand.parse(text);
        int limit = MAX_COMMAND + (c.verb().equals("MAIL") ? MAIL_PARAMETERS_ALLOWANCE
                : c.verb().equals("RCPT") ? DsnParameters.RCPT_ALLOWANCE : 0);
        if (line.bytes().length + 2 > limit) {
            refuse(SmtpRefusal.LINE_TOO_LONG, null);
            reply("500 5.5.2 Command line too long (RFC 5321 §4.5.3.1.4)");
            return;
        }
        if (refusedGreeting && !c.verb().equals("QUIT")) {
            countRelayRefusal();
            reply("503 5.7.1 Relay access denied: only QUIT (RFC 5321 §3.1)");
            return;
        }
        switch (c.verb()) {
            case "EHLO" -> hello(c, true);
            case "HELO" -> hello(c, false);
            case "MAIL" -> mail(c);
            case "RCPT" -> rcpt(c);
            case "DATA" -> data(c);
            case "RSET" -> {
                if (noArgument(c)) {
                    resetTransaction();
                    reply("250 2.0.0 Ok");
                }
            }
            case "NOOP" -> reply("250 2.0.0 Ok"); // RFC 5321 §4.1.1.9: a parameter is ignored
            case "QUIT" -> close("221 2.0.0 " + settings.hostname() + " closing connection");
            // RFC 5321 §3.5.3: 252 when the server will not verify but would accept.
            case "VRFY" -> reply("252 2.5.2 Cannot VRFY, but will accept the message and attempt delivery");
            // RFC 5321 §3.5.2: EXPN may be disabled (502); a relay has no lists to expand.
            case "EXPN" -> reply("502 5.5.1 EXPN not available");
            case "HELP" -> reply("502 5.5.1 HELP not available");
            case "STARTTLS" -> startTls(c);
            case "AUTH" -> auth(c);
            default -> {
                refuse(SmtpRefusal.SYNTAX, null);
                reply("500 5.5.2 Command not recognized");
            }
        }
    }

    private boolean noArgument(SmtpCommand c) {
        if (c.argument().isBlank()) {
            return true;
        }
        syntax("501 5.5.4 " + c.verb() + " takes no argument");
        return false;
    }

    private void syntax(String reply) {
        refuse(SmtpRefusal.SYNTAX, null);
        reply(reply);
    }

    /** RFC 5321 §4.1.1.1: EHLO/HELO names the client, resets the transaction; EHLO lists the extensions. */
    private void hello(SmtpCommand c, boolean extended) {
        String name = c.argument().strip();
        if (name.isEmpty() || name.contains(" ")) {
            syntax("501 5.5.4 Syntax: " + c.verb() + " hostname");
            return;
        }
        resetTransaction();
        helo = name;
        esmtp = extended;
        String greet = "250" + (extended ? "-" : " ") + settings.hostname() + " greets " + ReceivedHeader.literal(who);
        if (!extended) {
            reply(greet);
            return;
        }
        List<String> lines = new ArrayList<>(List.of(greet, "PIPELINING", "SIZE " + settings.maxMessageSize(),
                "8BITMIME", "ENHANCEDSTATUSCODES", "SMTPUTF8", "DSN"));
        if (server.tls() != null && !tls) {
            lines.add("STARTTLS");
        }
        if (authOffered()) {
            lines.add("AUTH PLAIN LOGIN");
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            if (i > 0) {
                sb.append("250").append(i == lines.size() - 1 ? ' ' : '-').append(lines.get(i));
            } else {
                sb.append(lines.get(0));
            }
            if (i < lines.size() - 1) {
                sb.append("\r\n");
            }
        }
        reply(sb.toString());
    }

    /** RFC 4954 §4 with RFC 3207: AUTH only over TLS here, as passwords are sent in the clear. */
    private boolean authOffered() {
        return tls && !settings.users().isEmpty() && user == null;
    }

    private boolean mayRelay() {
        return allowed || user != null;
    }

    private void mail(SmtpCommand c) {
        if (helo == null) {
            syntax("503 5.5.1 Send EHLO or HELO first");
            return;
        }
        if (reversePath != null) {
            syntax("503 5.5.1 Nested MAIL command"); // RFC 5321 §4.1.4
            return;
        }
        MailPath.Parsed p = MailPath.parse(c.argument(), "FROM:");
        if (p.error() != null) {
            syntax(p.error());
            return;
        }
        MailPath path = p.path();
        boolean utf8 = false;
        boolean eight = false;
        String env = null;
        Envelope.Ret full = null;
        for (Map.Entry<String, String> e : path.parameters().entrySet()) {
            String v = e.getValue();
            switch (e.getKey()) {
                case "SIZE" -> { // RFC 1870 §6
                    if (v == null || !v.matches("[0-9]{1,20}")) {
                        syntax("501 5.5.4 Bad SIZE parameter");
                        return;
                    }
                    if (v.length() > 18 || Long.parseLong(v) > settings.maxMessageSize()) {
                        refuse(SmtpRefusal.TOO_BIG, null);
                        reply("552 5.3.4 Message size exceeds fixed maximum message size");
                        return;
                    }
                }
                case "BODY" -> { // RFC 6152 §3
                    String b = v == null ? "" : v.toUpperCase(Locale.ROOT);
                    if (!b.equals("7BIT") && !b.equals("8BITMIME")) {
                        syntax("501 5.5.4 Bad BODY parameter: 7BIT or 8BITMIME");
                        return;
                    }
                    eight = b.equals("8BITMIME");
                }
                case "SMTPUTF8" -> { // RFC 6531 §3.4
                    if (v != null) {
                        syntax("501 5.5.4 SMTPUTF8 takes no value");
                        return;
                    }
                    utf8 = true;
                }
                case "ENVID" -> { // RFC 3461 §4.4, kept for the delivery status notifications
                    env = DsnParameters.envid(v);
                    if (env == null) {
                        syntax("501 5.5.4 Bad ENVID parameter");
                        return;
                    }
                }
                case "RET" -> { // RFC 3461 §4.3
                    full = DsnParameters.ret(v);
                    if (full == null) {
                        syntax("501 5.5.4 Bad RET parameter: FULL or HDRS");
                        return;
                    }
                }
                default -> {
                    syntax("555 5.5.4 Unsupported parameter " + e.getKey()); // RFC 5321 §4.1.1.11
                    return;
                }
            }
        }
        if (path.mailbox() != null && !path.mailbox().ascii() && !utf8) {
            refuse(SmtpRefusal.NEEDS_SMTPUTF8, null);
            reply("553 5.6.7 Non-ASCII address needs SMTPUTF8 (RFC 6531)");
            return;
        }
        if (path.mailbox() != null && path.mailbox().domain() == null) {
            syntax("553 5.1.7 The sender address needs a domain");
            return;
        }
        reversePath = path.mailbox() == null ? "" : path.mailbox().address();
        smtputf8 = utf8;
        body8bit = eight;
        envid = env;
        ret = full;
        reply("250 2.1.0 Ok");
    }

    private void rcpt(SmtpCommand c) {
        if (reversePath == null) {
            syntax("503 5.5.1 Need MAIL before RCPT");
            return;
        }
        MailPath.Parsed p = MailPath.parse(c.argument(), "TO:");
        if (p.error() != null) {
            syntax(p.error());
            return;
        }
        MailPath path = p.path();
        DsnParameters.Rcpt dsn = DsnParameters.rcpt(path.parameters()); // RFC 3461 §4.1, §4.2
        if (dsn.error() != null) {
            syntax(dsn.error());
            return;
        }
        MailPath.Mailbox m = path.mailbox();
        if (m == null) {
            syntax("501 5.1.3 A recipient cannot be <>");
            return;
        }
        if (!m.ascii() && !smtputf8) {
            refuse(SmtpRefusal.NEEDS_SMTPUTF8, null);
            reply("553 5.6.7 Non-ASCII address needs SMTPUTF8 (RFC 6531)");
            return;
        }
        String rcpt = m.address();
        if (isPostmaster(m)) {
            // RFC 5321 §4.5.1 wants postmaster accepted; this relay keeps no mailbox to put it in.
            refuse(SmtpRefusal.POSTMASTER, "client " + Families.text(client) + ": RCPT <" + rcpt + ">");
            reply("550 5.1.1 <" + rcpt + ">: this relay has no mailboxes, not even postmaster's");
            return;
        }
        if (m.domain() == null) {
            syntax("553 5.1.3 <" + rcpt + ">: the recipient address needs a domain");
            return;
        }
        if (m.localText().contains("%") || m.localText().contains("!") || m.localText().contains("@")) {
            // The percent hack (user%host@relay), bang paths and an @ in a quoted local part each
            // ask the next hop to relay again, to a host the relay did not judge.
            refuse(SmtpRefusal.RELAY_TRICK, "client " + Families.text(client) + ": RCPT <" + rcpt + ">");
            reply("550 5.7.1 <" + rcpt + ">: relay access denied (routing in the local part)");
            return;
        }
        if (!mayRelay()) {
            refuse(SmtpRefusal.RELAY_DENIED, "client " + Families.text(client) + ": RCPT <" + rcpt + ">"
                    + (path.sourceRoute() ? " (source route stripped)" : ""));
            reply("550 5.7.1 <" + rcpt + ">: relay access denied");
            return;
        }
        if (recipients.size() >= MAX_RECIPIENTS) {
            refuse(SmtpRefusal.TOO_MANY_RECIPIENTS, null);
            reply("452 4.5.3 Too many recipients");
            return;
        }
        recipients.add(rcpt);
        recipientDsn.add(dsn.dsn());
        reply("250 2.1.5 Ok");
    }

    /** {@code <postmaster>}, or {@code <postmaster@HOSTNAME>} of this relay (RFC 5321 §4.5.1). */
    private boolean isPostmaster(MailPath.Mailbox m) {
        return !m.quoted() && m.localText().equalsIgnoreCase("postmaster")
                && (m.domain() == null || m.domain().equalsIgnoreCase(settings.hostname()));
    }

    private void data(SmtpCommand c) {
        if (!noArgument(c)) {
            return;
        }
        if (reversePath == null) {
            syntax("503 5.5.1 Need MAIL command");
            return;
        }
        if (recipients.isEmpty()) {
            syntax("554 5.5.1 No valid recipients"); // RFC 5321 §3.3, RFC 2920 §3.1
            return;
        }
        busy = true;
        CompletableFuture.supplyAsync(() -> {
            try {
                return server.drafts().begin();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, server.disk()).whenComplete((w, e) -> ch.eventLoop().execute(() -> begun(w, e)));
    }

    private void begun(Spool.Writer w, Throwable e) {
        busy = false;
        if (e != null) {
            spoolFailed(e);
        } else if (closing) {
            closeQuietly(w);
        } else {
            writer = w;
            written = CompletableFuture.completedFuture(null);
            inData = true;
            size = 0;
            dataFault = null;
            chunkLength = 0;
            append(ReceivedHeader.of(helo, who, settings.hostname(),
                    ReceivedHeader.protocol(esmtp, tls, user != null, smtputf8), w.id(), recipients, ZonedDateTime.now())
                    .getBytes(StandardCharsets.UTF_8));
            reply("354 End data with <CR><LF>.<CR><LF>"); // RFC 2034 §4: no enhanced code on 354's intermediate reply
        }
        ctx.flush();
        pump();
    }

    // ------------------------------------------------------------------ DATA

    /** RFC 5321 §4.5.2: a line of one "." ends the data; a leading "." of any other is removed. */
    private void dataLine(SmtpLine line) {
        byte[] b = line.bytes();
        if (!line.tooLong() && line.crlf() && b.length == 1 && b[0] == '.') {
            endOfData();
            return;
        }
        if (line.tooLong()) {
            fault(SmtpRefusal.LINE_TOO_LONG);
            return;
        }
        if (!line.crlf()) {
            fault(SmtpRefusal.BARE_LF);
            return;
        }
        int from = b.length > 0 && b[0] == '.' ? 1 : 0;
        if (size + chunkLength + (b.length - from) + 2 > settings.maxMessageSize() + RECEIVED_ALLOWANCE) {
            fault(SmtpRefusal.TOO_BIG);
            return;
        }
        if (dataFault != null) {
            return;
        }
        appendLine(b, from);
    }

    private void fault(SmtpRefusal r) {
        if (dataFault == null) {
            dataFault = r;
        }
    }

    /** Appends a text line and its CR LF (a line fits a chunk: MAX_LINE < CHUNK). */
    private void appendLine(byte[] b, int from) {
        int n = b.length - from;
        if (chunkLength + n + 2 > CHUNK) {
            flushChunk();
        }
        if (chunk == null) {
            chunk = new byte[CHUNK];
        }
        System.arraycopy(b, from, chunk, chunkLength, n);
        chunkLength += n;
        chunk[chunkLength++] = '\r';
        chunk[chunkLength++] = '\n';
    }

    private void append(byte[] b) {
        if (chunkLength + b.length > CHUNK) {
            flushChunk();
        }
        if (chunk == null) {
            chunk = new byte[CHUNK];
        }
        System.arraycopy(b, 0, chunk, chunkLength, b.length);
        chunkLength += b.length;
    }

    /** Hands the gathered bytes to the disk pool, after the ones before them. */
    private void flushChunk() {
        if (chunkLength == 0) {
            return;
        }
        byte[] out = chunk;
        int n = chunkLength;
        size += n;
        chunk = null; // the disk pool writes it; the next bytes take a new one
        chunkLength = 0;
        Spool.Writer w = writer;
        chunksInFlight++;
        if (chunksInFlight >= MAX_CHUNKS_IN_FLIGHT) {
            busy = true; // the disk is behind: stop taking lines until it catches up
        }
        written = written.thenRunAsync(() -> {
            try {
                w.write(out, 0, n);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, server.disk());
        written.whenComplete((v, e) -> ch.eventLoop().execute(this::chunkWritten));
    }

    private void chunkWritten() {
        chunksInFlight--;
        if (busy && inData && chunksInFlight < MAX_CHUNKS_IN_FLIGHT) {
            busy = false;
            pump();
            ctx.flush();
        }
    }

    private void endOfData() {
        inData = false;
        if (dataFault != null) {
            SmtpRefusal r = dataFault;
            refuse(r, null);
            discard();
            resetTransaction();
            reply(switch (r) {
                case TOO_BIG -> "552 5.3.4 Message size exceeds fixed maximum message size";
                case LINE_TOO_LONG -> "550 5.6.0 Message has a line longer than 1000 octets (RFC 5321 §4.5.3.1.6)";
                default -> "550 5.6.0 Message has a bare LF: lines end with CR LF (RFC 5321 §2.3.8)";
            });
            return;
        }
        flushChunk();
        busy = true;
        Spool.Writer w = writer;
        writer = null;
        Envelope envelope = new Envelope(reversePath, recipients, client, helo, null, smtputf8, body8bit, envid,
                ret, recipientDsn);
        written.thenApplyAsync(v -> {
            try {
                return w.commit(envelope);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, server.disk()).whenComplete((m, e) -> {
            if (e != null) {
                closeQuietly(w);
            }
            ch.eventLoop().execute(() -> committed(m, e));
        });
    }

    /**
     * RFC 5321 §6.1: 250 only now that the spool holds the message. The outbox hears of it even
     * if the client has gone meanwhile: the message is the relay's either way (the client that
     * did not see the 250 may send it again: SMTP's at-least-once).
     */
    private void committed(QueuedMessage m, Throwable e) {
        busy = false;
        resetTransaction();
        if (e != null) {
            spoolFailed(e);
        } else {
            server.counters().countAccepted(m);
            server.outbox().queued(m);
            System.getLogger("dev.isthmus.alg.smtp").log(System.Logger.Level.INFO, "smtp: " + m.id() + ": from=<"
                    + m.envelope().reversePath() + ">, size=" + m.size() + ", nrcpt=" + m.envelope().recipients().size()
                    + ", client=" + Families.text(client));
            reply("250 2.0.0 Ok: queued as " + m.id());
        }
        if (!closing) {
            ctx.flush();
            pump();
            ctx.flush();
        }
    }

    private void spoolFailed(Throwable e) {
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        refuse(SmtpRefusal.SPOOL_FAILED, "client " + Families.text(client) + ": the spool failed: " + cause.getMessage());
        resetTransaction();
        reply("451 4.3.0 Local error in processing: the message was not queued, try again later");
    }

    /** Throws the message being received away, after the writes before it. */
    private void discard() {
        Spool.Writer w = writer;
        writer = null;
        inData = false;
        if (w != null) {
            written.handleAsync((v, e) -> {
                closeQuietly(w);
                return null;
            }, server.disk());
        }
    }

    private void closeQuietly(Spool.Writer w) {
        try {
            w.close();
        } catch (IOException | RuntimeException e) {
            server.log().warn("smtp: cannot discard an uncommitted message: " + e.getMessage());
        }
    }

    private void resetTransaction() {
        reversePath = null;
        smtputf8 = false;
        body8bit = false;
        envid = null;
        ret = null;
        recipients.clear();
        recipientDsn.clear();
    }

    // ------------------------------------------------------------------ STARTTLS and AUTH

    /** RFC 3207 §4. */
    private void startTls(SmtpCommand c) {
        if (server.tls() == null || tls) {
            syntax("502 5.5.1 STARTTLS not available");
            return;
        }
        if (!noArgument(c)) {
            return;
        }
        if (!pending.isEmpty() || ((SmtpLineDecoder) ch.pipeline().get("lines")).holdsPartialLine()) {
            // Anything sent after STARTTLS before the handshake would be read as if it came over
            // TLS (CVE-2011-0411): refuse the session rather than guess.
            refuse(SmtpRefusal.STARTTLS_PIPELINED, "client " + Families.text(client) + ": commands after STARTTLS");
            close("554 5.5.1 Commands sent after STARTTLS before the TLS handshake");
            return;
        }
        handshaking = true;
        SslHandler h = new SslHandler(server.tls().newEngine(ch.alloc()), true); // startTls: the 220 goes out in the clear
        ch.pipeline().addFirst("tls", h);
        h.handshakeFuture().addListener(f -> {
            if (f.isSuccess()) {
                handshaking = false;
                server.counters().tlsStarted();
            }
        });
        reply("220 2.0.0 Ready to start TLS");
        ctx.flush();
        // RFC 3207 §4.2: the client must start over with EHLO; nothing learned before counts.
        tls = true;
        helo = null;
        esmtp = false;
        user = null;
        resetTransaction();
    }

    /** RFC 4954 §4: AUTH mechanism [initial-response]. */
    private void auth(SmtpCommand c) {
        if (!tls || settings.users().isEmpty()) {
            syntax(tls || settings.users().isEmpty() ? "502 5.5.1 AUTH not available"
                    : "538 5.7.11 Encryption required: STARTTLS first");
            return;
        }
        if (helo == null || user != null || reversePath != null) {
            syntax("503 5.5.1 " + (helo == null ? "Send EHLO first" : user != null ? "Already authenticated"
                    : "AUTH not allowed during a mail transaction"));
            return;
        }
        String[] words = c.argument().strip().split(" ");
        String mech = words[0].toUpperCase(Locale.ROOT);
        String initial = words.length > 1 ? words[1] : null;
        switch (mech) {
            case "PLAIN" -> {
                if (initial == null) {
                    auth = Auth.PLAIN;
                    reply("334 ");
                } else {
                    plain(initial);
                }
            }
            case "LOGIN" -> {
                if (initial == null) {
                    auth = Auth.LOGIN_USER;
                    reply("334 VXNlcm5hbWU6"); // "Username:"
                } else {
                    loginUser(initial);
                }
            }
            default -> syntax("504 5.5.4 Unrecognized authentication type");
        }
    }

    private void authResponse(String text) {
        Auth step = auth;
        auth = null;
        if (text.equals("*")) {
            reply("501 5.0.0 Authentication cancelled"); // RFC 4954 §4
            return;
        }
        switch (step) {
            case PLAIN -> plain(text);
            case LOGIN_USER -> loginUser(text);
            case LOGIN_PASSWORD -> check(loginUser, decode(text));
        }
    }

    private void loginUser(String b64) {
        String name = decode(b64);
        if (name == null) {
            syntax("501 5.5.2 Cannot decode the response");
            return;
        }
        loginUser = name;
        auth = Auth.LOGIN_PASSWORD;
        reply("334 UGFzc3dvcmQ6"); // "Password:"
    }

    /** RFC 4616 §2: [authzid] NUL authcid NUL passwd; an authzid other than authcid is refused. */
    private void plain(String b64) {
        String s = decode(b64);
        String[] parts = s == null ? new String[0] : s.split("\0", -1);
        if (parts.length != 3) {
            syntax("501 5.5.2 Cannot decode the response");
            return;
        }
        if (!parts[0].isEmpty() && !parts[0].equals(parts[1])) {
            check(null, null);
            return;
        }
        check(parts[1], parts[2]);
    }

    private void check(String name, String password) {
        String want = name == null ? null : settings.users().get(name);
        byte[] a = (want == null ? "\0never" : want).getBytes(StandardCharsets.UTF_8);
        byte[] b = (password == null ? "" : password).getBytes(StandardCharsets.UTF_8);
        boolean ok = MessageDigest.isEqual(a, b) & want != null; // the comparison takes no longer for a near miss
        Arrays.fill(b, (byte) 0);
        loginUser = null;
        if (ok) {
            user = name;
            server.counters().countAuthenticated();
            reply("235 2.7.0 Authentication successful");
            return;
        }
        refuse(SmtpRefusal.AUTH_FAILED, "client " + Families.text(client) + ": AUTH failed"
                + (name == null ? "" : " for \"" + name + "\""));
        if (++authFailures >= MAX_AUTH_FAILURES) {
            close("421 4.7.0 Too many failed authentications, closing connection");
        } else {
            reply("535 5.7.8 Authentication credentials invalid");
        }
    }

    private static String decode(String b64) {
        try {
            return new String(Base64.getDecoder().decode(b64.strip()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    // ------------------------------------------------------------------ output

    private void reply(String text) {
        ByteBuf b = Unpooled.copiedBuffer(text + "\r\n", StandardCharsets.UTF_8);
        ctx.write(b);
    }

    private void close(String text) {
        closing = true;
        pending.clear();
        ctx.writeAndFlush(Unpooled.copiedBuffer(text + "\r\n", StandardCharsets.UTF_8)).addListener(ChannelFutureListener.CLOSE);
    }

    /** Counts a refusal and, when {@code why} is given, logs it (rate-limited: a flood must not flood the log). */
    private void refuse(SmtpRefusal r, String why) {
        server.counters().refuse(r);
        if (why != null) {
            server.log().warn("smtp: refused (" + r.key() + "): " + why);
        }
        if (r == SmtpRefusal.CLIENT_NOT_ALLOWED || r == SmtpRefusal.RELAY_DENIED) {
            countRelayRefusal();
        }
    }

    /** One more relay refusal toward blocking the client ({@link RefusalTracker}); the block's start is logged. */
    private void countRelayRefusal() {
        if (server.refusals().refused(who)) {
            SmtpSettings.RefusalLimit l = settings.refusalLimit();
            server.log().warn("smtp: blocking client " + RefusalTracker.text(who) + " for " + l.block().toSeconds()
                    + " s: " + l.limit() + " relay refusals within " + l.window().toSeconds() + " s (refusal-limit)");
        }
    }
}
