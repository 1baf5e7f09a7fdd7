package dev.isthmus.alg.sip.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.alg.sip.RelayPorts;
import dev.isthmus.alg.sip.SdpDirection;
import dev.isthmus.alg.sip.SdpStream;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The forwarding step of one stream without sockets: in-memory channels stand for the relay's
 * sockets, so the test can see the very buffer that goes out.
 */
class MediaStreamTest {
    static final InetSocketAddress ALICE = new InetSocketAddress("::1", 5004);
    static final InetSocketAddress BOB = new InetSocketAddress("127.0.0.1", 6004);
    static final InetSocketAddress BOB_NAT = new InetSocketAddress("127.0.0.1", 7004);
    static final InetSocketAddress RELAY_V6 = new InetSocketAddress("::1", 30000);

    MediaStream stream;
    EmbeddedChannel toBob;
    MediaCounters totals;

    @BeforeEach
    void setUp() {
        stream = new MediaStream(0);
        toBob = new EmbeddedChannel();
        totals = new MediaCounters();
        MediaStream.Side caller = stream.side(Leg.CALLER);
        caller.ports = new RelayPorts(30000);
        caller.rtp = new EmbeddedChannel();
        caller.rtcp = new EmbeddedChannel();
        MediaStream.Side callee = stream.side(Leg.CALLEE);
        callee.ports = new RelayPorts(40000);
        callee.rtp = toBob;
        callee.rtcp = new EmbeddedChannel();
        caller.announce(announced(ALICE, false));
        callee.announce(announced(BOB, false));
    }

    @AfterEach
    void tearDown() {
        toBob.finishAndReleaseAll();
    }

    static SdpStream announced(InetSocketAddress rtp, boolean hold) {
        return new SdpStream(0, "audio", "RTP/AVP", SdpDirection.SENDRECV, false, hold, rtp,
                new InetSocketAddress(rtp.getAddress(), rtp.getPort() + 1));
    }

    /** What the socket's read hands the handler: a datagram from {@code from} to the relay. */
    static DatagramPacket datagram(ByteBuf content, InetSocketAddress from) {
        return new DatagramPacket(content, RELAY_V6, from);
    }

    @Test
    void theReceivedBufferIsForwardedNotCopied() {
        ByteBuf rtp = Unpooled.directBuffer(172).writeZero(172);
        stream.relay(Leg.CALLER, false, datagram(rtp, ALICE), totals);
        DatagramPacket out = toBob.readOutbound();
        assertSame(rtp, out.content());
        assertEquals(BOB, out.recipient());
        // Retained once for the write: the handler's own release leaves the write's reference.
        assertEquals(2, rtp.refCnt());
        rtp.release(2);
        assertEquals(1, totals.packets());
        assertEquals(172, totals.bytes());
    }

    @Test
    void aSocketWithAFullBufferDropsAndCounts() {
        toBob.config().setWriteBufferWaterMark(new WriteBufferWaterMark(1, 2));
        toBob.unsafe().outboundBuffer().addMessage(Unpooled.buffer(8).writeZero(8), 8, toBob.newPromise());
        ByteBuf rtp = Unpooled.buffer(12).writeZero(12);
        stream.relay(Leg.CALLER, false, datagram(rtp, ALICE), totals);
        assertEquals(1, totals.dropped(MediaDrop.SOCKET_FULL));
        assertEquals(1, rtp.refCnt());
        rtp.release();
    }

    @Test
    void latchingTakesTheFirstSourceAfterAnAnnouncement() {
        MediaStream.Side callee = stream.side(Leg.CALLEE);
        assertNull(callee.latchedRtp);
        // RFC 4961 §3 / RFC 7362: where Bob's media comes from is where Alice's goes.
        assertTrue(callee.admits(false, BOB_NAT));
        assertEquals(BOB_NAT, callee.destination(false));
        assertFalse(callee.admits(false, new InetSocketAddress("127.0.0.1", 9999)));
        assertTrue(callee.admits(false, BOB));
        assertEquals(BOB_NAT, callee.destination(false));
        // RTCP latches on its own socket; until then it goes to the announced RTCP port.
        assertEquals(new InetSocketAddress(BOB.getAddress(), BOB.getPort() + 1), callee.destination(true));
        callee.announce(announced(BOB, false));
        assertEquals(BOB, callee.destination(false));
    }
}
