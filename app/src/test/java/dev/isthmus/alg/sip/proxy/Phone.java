package dev.isthmus.alg.sip.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

import dev.isthmus.alg.sip.SipMessage;
import dev.isthmus.alg.sip.SipParseException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** A test phone: a UDP socket on loopback that sends hand-written SIP text and reads what arrives. */
final class Phone implements java.io.Closeable {
    /** How long a message the test expects may take (the proxy answers in milliseconds). */
    static final int WAIT_MILLIS = 3000;

    final DatagramSocket udp;
    final InetAddress address;

    Phone(String literal) {
        try {
            address = InetAddress.ofLiteral(literal);
            udp = new DatagramSocket(new InetSocketAddress(address, 0));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int port() {
        return udp.getLocalPort();
    }

    /** {@code [::1]:PORT} or {@code 127.0.0.1:PORT}, as in a Via sent-by or a Contact. */
    String hostPort() {
        return SipLab.text(new InetSocketAddress(address, port()));
    }

    void send(String message, InetSocketAddress to) {
        byte[] b = message.getBytes(StandardCharsets.UTF_8);
        try {
            udp.send(new DatagramPacket(b, b.length, to));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The next datagram, parsed; fails the test when none comes in {@link #WAIT_MILLIS}. */
    SipMessage receive() {
        DatagramPacket d = datagram(WAIT_MILLIS);
        if (d == null) {
            fail("nothing arrived at " + hostPort() + " in " + WAIT_MILLIS + " ms");
        }
        try {
            return SipMessage.parseDatagram(java.util.Arrays.copyOf(d.getData(), d.getLength()));
        } catch (SipParseException e) {
            throw new AssertionError("unparseable: " + new String(d.getData(), 0, d.getLength(), StandardCharsets.UTF_8), e);
        }
    }

    /** The next message, which must be a response with {@code status}. */
    SipMessage receiveResponse(int status) {
        SipMessage m = receive();
        assertEquals(status, m.isRequest() ? -1 : m.status(), m::toString);
        return m;
    }

    /** The next message, which must be a {@code method} request. */
    SipMessage receiveRequest(String method) {
        SipMessage m = receive();
        assertEquals(method, m.isRequest() ? m.method() : "response " + m.status(), m::toString);
        return m;
    }

    /** Fails when anything arrives within {@code millis}. */
    void assertSilent(int millis) {
        DatagramPacket d = datagram(millis);
        assertNull(d == null ? null : new String(d.getData(), 0, d.getLength(), StandardCharsets.UTF_8),
                "expected nothing at " + hostPort());
    }

    /** The next datagram's bytes within {@code millis}, or null. */
    byte[] receiveBytes(int millis) {
        DatagramPacket d = datagram(millis);
        return d == null ? null : java.util.Arrays.copyOf(d.getData(), d.getLength());
    }

    private DatagramPacket datagram(int millis) {
        DatagramPacket d = new DatagramPacket(new byte[65535], 65535);
        try {
            udp.setSoTimeout(millis);
            udp.receive(d);
            return d;
        } catch (SocketTimeoutException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        udp.close();
    }
}
