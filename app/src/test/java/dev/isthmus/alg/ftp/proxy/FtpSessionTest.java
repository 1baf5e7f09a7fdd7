package dev.isthmus.alg.ftp.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.isthmus.addr.AddressSet;
import dev.isthmus.relay.DescriptorBudget;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A session over in-memory channels (no data connection is opened): what reaches the server and
 * what the client is told, in order, for the commands the proxy relays, answers or refuses.
 */
class FtpSessionTest {
    static FtpProxySettings settings(FtpProxySettings.Tls tls) {
        return new FtpProxySettings("test", new InetSocketAddress("::", 21), new InetSocketAddress("198.51.100.2", 21),
                null, AddressSet.parse(List.of("2001:db8:6::/64")), AddressSet.NONE,
                FtpProxySettings.DEFAULT_CONNECT_PORTS, 10, 10, Duration.ofSeconds(60), Duration.ofSeconds(5),
                Duration.ofSeconds(5), tls, FtpProxySettings.ServerMode.PASSIVE, DataPorts.DEFAULT);
    }

    final FtpProxy proxy = new FtpProxy(settings(FtpProxySettings.Tls.REFUSE), DescriptorBudget.unlimited());
    final EmbeddedChannel client = channel(new InetSocketAddress("2001:db8:6::2", 40000),
            new InetSocketAddress("2001:db8:6::1", 21));
    final EmbeddedChannel server = channel(new InetSocketAddress("198.51.100.2", 21),
            new InetSocketAddress("198.51.100.1", 40100));

    void start(FtpProxy p) {
        new FtpSession(p, client, server).start(null);
        fromServer("220 Welcome\r\n");
        assertEquals("220 Welcome\r\n", written(client));
    }

    @Test
    void commandsAndRepliesPassLineByLineWithPreliminaryReplies() {
        start(proxy);
        fromClient("USER anonymous\r\nPASS x\r\n");
        assertEquals("USER anonymous\r\nPASS x\r\n", written(server), "relayed commands may be pipelined");
        fromServer("331 Please specify the password.\r\n230-Welcome\r\n230 Login successful.\r\n");
        assertEquals("331 Please specify the password.\r\n230-Welcome\r\n230 Login successful.\r\n", written(client));
        fromClient("REST 100\r\n");
        fromServer("350 Restart position accepted (100).\r\n");
        assertEquals("350 Restart position accepted (100).\r\n", written(client));
    }

    @Test
    void aLoneLineFeedEndsACommandToo() {
        start(proxy);
        fromClient("NOOP\n");
        assertEquals("NOOP\r\n", written(server));
    }

    /** Answered here, the proxy's reply waits for the replies to the commands before it. */
    @Test
    void aCommandAnsweredHereKeepsTheClientsOrder() {
        start(proxy);
        fromClient("NOOP\r\nEPSV ALL\r\nSYST\r\n");
        assertEquals("NOOP\r\n", written(server), "EPSV ALL and what follows wait for NOOP's reply");
        assertEquals("", written(client));
        fromServer("200 NOOP ok.\r\n");
        assertEquals("200 NOOP ok.\r\n200 EPSV ALL command successful.\r\n", written(client));
        assertEquals("SYST\r\n", written(server));
        fromClient("PASV\r\n");
        fromServer("215 UNIX Type: L8\r\n");
        assertEquals("215 UNIX Type: L8\r\n503 EPSV ALL was sent: only EPSV sets up data connections (RFC 2428 §4).\r\n",
                written(client));
    }

    @Test
    void authTlsIsRefusedAndTheSessionGoesOn() {
        start(proxy);
        fromClient("AUTH TLS\r\nUSER anonymous\r\n");
        assertEquals("534 The FTP proxy refuses TLS (tls = \"refuse\"): it must read this control connection to"
                + " translate its data connections.\r\n", written(client));
        assertEquals("USER anonymous\r\n", written(server));
        assertEquals(1, proxy.counters().refused(FtpRefusal.TLS_REFUSED));
    }

    @Test
    void authTlsPassthroughSaysSoAndThenRelaysOpaquely() {
        FtpProxy p = new FtpProxy(settings(FtpProxySettings.Tls.PASSTHROUGH), DescriptorBudget.unlimited());
        start(p);
        fromClient("AUTH TLS\r\n");
        assertEquals("AUTH TLS\r\n", written(server));
        fromServer("234 Proceed with negotiation.\r\n");
        assertEquals("234 Proceed with negotiation. [proxy: tls = \"passthrough\": this control connection is relayed"
                + " opaquely from here, and data connections through the proxy are refused]\r\n", written(client));
        // A TLS record is no line: it passes as it came, both ways.
        fromClient("\u0016\u0003\u0001\u0000\u0005hello");
        assertEquals("\u0016\u0003\u0001\u0000\u0005hello", written(server));
        fromServer("\u0016\u0003\u0003 no CRLF");
        assertEquals("\u0016\u0003\u0003 no CRLF", written(client));
        assertEquals(1, p.counters().tlsPassthrough());
    }

    @Test
    void refusedDataCommandsNeverReachTheServer() {
        start(proxy);
        fromClient("EPRT |2|2001:db8:6::99|40001|\r\nLPSV\r\nRETR x\r\nPASV\r\n");
        assertEquals("504 EPRT names 2001:db8:6::99, not this client's own address: refused (RFC 2577 §3, FTP bounce)\r\n"
                + "502 LPSV is not supported (RFC 1639): use EPSV (RFC 2428)\r\n"
                + "425 Use PORT, PASV, EPRT or EPSV first.\r\n"
                + "425 PASV answers with an IPv4 address, this connection is IPv6: use EPSV (RFC 2428 §3)\r\n",
                written(client));
        assertEquals("", written(server));
        assertEquals(1, proxy.counters().refused(FtpRefusal.BOUNCE));
        assertEquals(3, proxy.counters().refused(FtpRefusal.DATA_COMMAND));
    }

    /** The server refuses EPSV (500) and PASV: PASV is tried once, then the client gets 425; the next command goes on. */
    @Test
    void epsvFallsBackToPasvTowardsAnIpv4Server() {
        start(proxy);
        fromClient("EPSV\r\nNOOP\r\n");
        assertEquals("EPSV\r\n", written(server));
        fromServer("500 Command \"EPSV\" not understood.\r\n");
        assertEquals("PASV\r\n", written(server));
        fromServer("502 PASV not allowed here.\r\n");
        assertEquals("425 Can't open data connection: the server answered PASV with \"502 PASV not allowed here.\".\r\n",
                written(client));
        assertEquals("NOOP\r\n", written(server));
        // Learned: the next data command goes to PASV at once.
        fromServer("200 NOOP ok.\r\n");
        written(client);
        fromClient("EPSV\r\n");
        assertEquals("PASV\r\n", written(server));
    }

    /**
     * A client that pipelines faster than the server answers waits: at most MAX_PENDING commands
     * await replies, as many more wait in the proxy, and the client's connection is not read
     * until the server has caught up.
     */
    @Test
    void commandsAwaitingRepliesAreBounded() {
        start(proxy);
        int n = FtpSession.MAX_PENDING;
        fromClient("NOOP\r\n".repeat(2 * n + 8));
        assertEquals("NOOP\r\n".repeat(n), written(server));
        assertEquals(false, client.config().isAutoRead());
        fromServer("200 NOOP ok.\r\n");
        assertEquals("NOOP\r\n", written(server));
        fromServer("200 NOOP ok.\r\n".repeat(n + 7));
        assertEquals("NOOP\r\n".repeat(n + 7), written(server));
        assertEquals(true, client.config().isAutoRead());
    }

    @Test
    void whatIsNotAReplyEndsTheSession() {
        start(proxy);
        fromServer("SSH-2.0-OpenSSH\r\n");
        assertEquals(false, client.isActive());
    }

    @Test
    void aCommandLineTooLongIsRefused() {
        start(proxy);
        fromClient("RETR " + "x".repeat(FtpSession.MAX_COMMAND + 10) + "\r\n");
        assertEquals("500 Command line too long: closing control connection.\r\n", written(client));
        assertEquals(1, proxy.counters().refused(FtpRefusal.LINE_TOO_LONG));
        assertEquals(false, client.isActive());
    }

    static EmbeddedChannel channel(InetSocketAddress remote, InetSocketAddress local) {
        EmbeddedChannel ch = new EmbeddedChannel(false, false) {
            @Override
            protected SocketAddress remoteAddress0() {
                return remote;
            }

            @Override
            protected SocketAddress localAddress0() {
                return local;
            }
        };
        try {
            ch.register();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return ch;
    }

    void fromClient(String text) {
        send(client, text);
    }

    void fromServer(String text) {
        send(server, text);
    }

    static void send(EmbeddedChannel ch, String text) {
        ch.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
        ch.runPendingTasks();
    }

    static String written(EmbeddedChannel ch) {
        ch.runPendingTasks();
        StringBuilder out = new StringBuilder();
        for (Object o; (o = ch.readOutbound()) != null; ) {
            ByteBuf b = (ByteBuf) o;
            out.append(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }
        return out.toString();
    }
}
