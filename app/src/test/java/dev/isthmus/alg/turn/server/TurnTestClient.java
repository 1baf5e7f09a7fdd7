package dev.isthmus.alg.turn.server;

import dev.isthmus.alg.turn.LongTermCredentials;
import dev.isthmus.alg.turn.StunClass;
import dev.isthmus.alg.turn.StunFormatException;
import dev.isthmus.alg.turn.StunMessage;
import dev.isthmus.alg.turn.StunMessageBuilder;
import dev.isthmus.alg.turn.TurnDemux;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.Random;
import java.util.function.UnaryOperator;

/**
 * A TURN client for the tests, over UDP or TCP on loopback: sends the requests the tests build,
 * adds the long-term credentials (USERNAME, REALM, NONCE, MESSAGE-INTEGRITY, RFC 8489 §9.2.3)
 * once a 401 has given realm and nonce, and reads answers with a time limit.
 */
final class TurnTestClient implements AutoCloseable {
    static final int TIMEOUT_MS = 2000;

    private final DatagramSocket udp;
    private final Socket tcp;
    private final DataInputStream in;
    private final InetSocketAddress server;
    private final Random random = new Random(7);
    String user;
    String password;
    String realm;
    String nonce;
    boolean sha256;

    private TurnTestClient(DatagramSocket udp, Socket tcp, InetSocketAddress server) throws IOException {
        this.udp = udp;
        this.tcp = tcp;
        this.server = server;
        this.in = tcp == null ? null : new DataInputStream(tcp.getInputStream());
    }

    static TurnTestClient udp(InetSocketAddress server, String user, String password) {
        try {
            DatagramSocket s = new DatagramSocket(new InetSocketAddress(server.getAddress(), 0));
            s.setSoTimeout(TIMEOUT_MS);
            TurnTestClient c = new TurnTestClient(s, null, server);
            c.user = user;
            c.password = password;
            return c;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static TurnTestClient tcp(InetSocketAddress server, String user, String password) {
        try {
            Socket s = new Socket();
            s.connect(server, TIMEOUT_MS);
            s.setSoTimeout(TIMEOUT_MS);
            TurnTestClient c = new TurnTestClient(null, s, server);
            c.user = user;
            c.password = password;
            return c;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    InetSocketAddress local() {
        return (InetSocketAddress) (udp != null ? udp.getLocalSocketAddress() : tcp.getLocalSocketAddress());
    }

    byte[] newTransactionId() {
        byte[] id = new byte[StunMessage.TRANSACTION_ID_LENGTH];
        random.nextBytes(id);
        return id;
    }

    byte[] key() {
        return LongTermCredentials.md5Key(user, realm, password);
    }

    /** A request with credentials when realm and nonce are known; after a 401 or 438, once more with the new nonce. */
    StunMessage authed(int method, UnaryOperator<StunMessageBuilder> attributes) {
        if (realm != null) {
            StunMessage r = request(signed(method, newTransactionId(), attributes));
            if (!needsNonce(r)) {
                return r;
            }
        } else {
            StunMessage r = request(attributes.apply(new StunMessageBuilder(method, StunClass.REQUEST, newTransactionId())).encode());
            if (!needsNonce(r)) {
                return r;
            }
        }
        return request(signed(method, newTransactionId(), attributes));
    }

    private boolean needsNonce(StunMessage r) {
        if (r.messageClass() == StunClass.ERROR_RESPONSE
                && (r.errorCode().code() == 401 || r.errorCode().code() == 438) && r.nonce() != null) {
            realm = r.realm();
            nonce = r.nonce();
            return true;
        }
        return false;
    }

    /** The bytes of a request with this client's credentials. */
    byte[] signed(int method, byte[] transactionId, UnaryOperator<StunMessageBuilder> attributes) {
        StunMessageBuilder b = attributes.apply(new StunMessageBuilder(method, StunClass.REQUEST, transactionId))
                .username(user).realm(realm).nonce(nonce);
        return (sha256 ? b.messageIntegritySha256(key()) : b.messageIntegrity(key())).encode();
    }

    /** Sends {@code bytes}, returns the STUN response with the same transaction id. */
    StunMessage request(byte[] bytes) {
        send(bytes);
        byte[] id = Arrays.copyOfRange(bytes, 8, 20);
        long end = System.nanoTime() + TIMEOUT_MS * 1_000_000L;
        while (System.nanoTime() < end) {
            byte[] got = receive();
            if (got == null) {
                break;
            }
            if (TurnDemux.classify(got[0] & 0xFF) == TurnDemux.STUN && Arrays.equals(id, Arrays.copyOfRange(got, 8, 20))) {
                return decode(got);
            }
        }
        throw new AssertionError("no answer within " + TIMEOUT_MS + " ms");
    }

    static StunMessage decode(byte[] got) {
        try {
            return StunMessage.decode(got, 0, got.length);
        } catch (StunFormatException e) {
            throw new AssertionError(e);
        }
    }

    void send(byte[] bytes) {
        try {
            if (udp != null) {
                udp.send(new DatagramPacket(bytes, bytes.length, server));
            } else {
                tcp.getOutputStream().write(bytes);
                tcp.getOutputStream().flush();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The next datagram or TCP frame (ChannelData with its padding), or null after the time limit. */
    byte[] receive() {
        try {
            if (udp != null) {
                DatagramPacket p = new DatagramPacket(new byte[65536], 65536);
                udp.receive(p);
                return Arrays.copyOf(p.getData(), p.getLength());
            }
            byte[] head = new byte[4];
            in.readFully(head);
            int length = (head[2] & 0xFF) << 8 | head[3] & 0xFF;
            int rest = TurnDemux.classify(head[0] & 0xFF) == TurnDemux.STUN ? 16 + length : length + 3 & ~3;
            byte[] frame = Arrays.copyOf(head, 4 + rest);
            in.readFully(frame, 4, rest);
            return frame;
        } catch (SocketTimeoutException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws IOException {
        if (udp != null) {
            udp.close();
        } else {
            tcp.close();
        }
    }
}
