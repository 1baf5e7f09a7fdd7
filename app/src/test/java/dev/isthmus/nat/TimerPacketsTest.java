package dev.isthmus.nat;

import static dev.isthmus.nat.Fixture.ACK;
import static dev.isthmus.nat.Fixture.SYN;
import static dev.isthmus.nat.Fixture.T;
import static dev.isthmus.nat.Fixture.T0;
import static dev.isthmus.nat.Fixture.X_HI;
import static dev.isthmus.nat.Fixture.X_LO;
import static dev.isthmus.nat.Fixture.Z;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.isthmus.addr.Rfc6052Prefix;
import dev.isthmus.wire.BigEndian;
import dev.isthmus.wire.Checksum;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The packets the table's timers originate, byte by byte (RFC 6146 §3.5.2.2, RFC 5382 REQ-4). */
class TimerPacketsTest {
    private static final Rfc6052Prefix POOL6 = Rfc6052Prefix.parse("64:ff9b::/96");
    private final NatResult r = new NatResult();
    private final TimerPackets timers = new TimerPackets(POOL6);
    private final List<byte[]> sent = new ArrayList<>();

    private void flush() {
        timers.flush((seg, off, len) -> sent.add(seg.asSlice(off, len).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)));
    }

    private static long at(Duration d) {
        return T0 + d.toNanos();
    }

    /** 198.51.100.7:80 → 192.0.2.2:40000, SYN, seq 0x01020304, window 64240, checksums valid. */
    private static byte[] ipv4Syn() {
        byte[] p = HexFormat.of().parseHex("4500002800010000" + "40060000" + "c6336407" + "c0000202"
                + "00509c40" + "01020304" + "00000000" + "5002faf0" + "00000000");
        MemorySegment s = MemorySegment.ofArray(p);
        BigEndian.set16(s, 10, Checksum.finish(Checksum.add(s, 0, 20, 0)));
        BigEndian.set16(s, 36, Checksum.finish(Checksum.add(s, 20, 20, Checksum.ipv4Pseudo(Z, T, 6, 20))));
        return p;
    }

    @Test
    void aStoredSynThatTimesOutIsAnsweredWithPortUnreachableFromT() {
        Nat64Table t = new Nat64Table(Fixture.settings().build(), timers);
        byte[] syn = ipv4Syn();
        assertEquals(NatVerdict.SYN_STORED,
                t.inbound(r, NatProtocol.TCP, Z, 80, T, 40000, SYN, T0, MemorySegment.ofArray(syn), 0, syn.length));
        t.expire(at(Duration.ofSeconds(5)), 1 << 16);
        flush();
        assertEquals(0, sent.size(), "nothing before TCP_INCOMING_SYN (6 s) has passed");
        t.expire(at(Duration.ofSeconds(7)), 1 << 16);
        flush();
        assertEquals(1, sent.size());
        byte[] p = sent.get(0);
        MemorySegment s = MemorySegment.ofArray(p);
        assertEquals(20 + 8 + 40, p.length, "IPv4 + ICMP headers + the whole stored SYN");
        assertEquals(0x45, p[0] & 0xff);
        assertEquals(p.length, BigEndian.u16(s, 2));
        assertEquals(1, p[9], "ICMP");
        assertEquals(T, BigEndian.u32(s, 12), "from the address the SYN was sent to");
        assertEquals(Z, BigEndian.u32(s, 16), "to the SYN's sender");
        assertEquals(0, Checksum.finish(Checksum.add(s, 0, 20, 0)), "IPv4 header checksum");
        assertEquals(3, p[20], "Destination Unreachable");
        assertEquals(3, p[21], "Port Unreachable (RFC 5382 REQ-4)");
        assertEquals(0, BigEndian.u32(s, 24), "unused word");
        assertEquals(0, Checksum.finish(Checksum.add(s, 20, p.length - 20, 0)), "ICMP checksum");
        byte[] quoted = new byte[40];
        System.arraycopy(p, 28, quoted, 0, 40);
        assertArrayEquals(syn, quoted, "the SYN quoted as it arrived");
        assertEquals(1, timers.unreachables());
    }

    @Test
    void anIdleEstablishedSessionIsProbedFromTheServersEmbeddedAddress() {
        Nat64Table t = new Nat64Table(Fixture.settings().build(), timers);
        t.outbound(r, NatProtocol.TCP, X_HI, X_LO, 40000, Z, 80, SYN, T0);
        int tport = r.t4Port();
        t.inbound(r, NatProtocol.TCP, Z, 80, T, tport, SYN | ACK, T0);
        t.expire(at(Duration.ofMinutes(121)), 1 << 16);
        flush();
        assertEquals(1, sent.size());
        byte[] p = sent.get(0);
        MemorySegment s = MemorySegment.ofArray(p);
        assertEquals(40 + 20, p.length, "a TCP segment without data");
        assertEquals(0x60, p[0] & 0xf0);
        assertEquals(20, BigEndian.u16(s, 4), "payload length");
        assertEquals(6, p[6], "next header TCP");
        assertEquals(POOL6.embedHi(Z), BigEndian.u64(s, 8), "from Y' = pool6 + Z");
        assertEquals(POOL6.embedLo(Z), BigEndian.u64(s, 16));
        assertEquals(X_HI, BigEndian.u64(s, 24), "to X'");
        assertEquals(X_LO, BigEndian.u64(s, 32));
        assertEquals(80, BigEndian.u16(s, 40), "from y");
        assertEquals(40000, BigEndian.u16(s, 42), "to x");
        assertEquals(0, BigEndian.u32(s, 44), "sequence number zero");
        assertEquals(0, BigEndian.u32(s, 48), "acknowledgment number zero");
        assertEquals(0x50, p[52] & 0xff, "data offset 5");
        assertEquals(0x10, p[53] & 0xff, "ACK only");
        long pseudo = Checksum.ipv6Pseudo(POOL6.embedHi(Z), POOL6.embedLo(Z), X_HI, X_LO, 6, 20);
        assertEquals(0, Checksum.finish(Checksum.add(s, 40, 20, pseudo)), "TCP checksum");
        assertEquals(1, timers.probes());
    }

    @Test
    void packetsBeyondTheQueueAreCountedAndNothingIsSentWithoutASink() {
        NatEvent e = new NatEvent();
        e.z4 = Z;
        e.z4Port = 80;
        e.x6Hi = X_HI;
        e.x6Lo = X_LO;
        e.x6Port = 40000;
        for (int i = 0; i < TimerPackets.CAPACITY + 3; i++) {
            timers.probe(e);
        }
        assertEquals(3, timers.dropped());
        assertEquals(0, timers.flush(null));
        flush();
        assertEquals(0, sent.size(), "the queue was emptied by the flush without a sink");
    }
}
