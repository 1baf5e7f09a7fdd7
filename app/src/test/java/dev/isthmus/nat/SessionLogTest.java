package dev.isthmus.nat;

import static dev.isthmus.nat.Fixture.T0;
import static dev.isthmus.nat.Fixture.X_HI;
import static dev.isthmus.nat.Fixture.X_LO;
import static dev.isthmus.nat.Fixture.Z;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.addr.Ipv6Prefix;
import dev.isthmus.wire.Ipv6Address;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** The JSON-lines session log, per session and per port block. */
class SessionLogTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-03T08:00:00Z"), ZoneOffset.UTC);

    @Test
    void sessionStartAndEnd() throws Exception {
        SessionLog log = new SessionLog(SessionLog.Mode.SESSIONS, CLOCK, 16, null);
        Nat64Table t = new Nat64Table(Fixture.settings().shards(1).build(), log);
        NatResult r = new NatResult();
        t.outbound(r, NatProtocol.TCP, X_HI, X_LO, 40000, Z, 80, Fixture.SYN, T0);
        t.expire(T0 + Duration.ofMinutes(5).toNanos(), 1 << 16);
        StringBuilder out = new StringBuilder();
        assertEquals(2, log.drainTo(out));
        assertEquals("""
                {"time":"2026-12-03T08:00:00Z","event":"session-start","protocol":"tcp","ipv6":"2001:db8::1",\
                "port":40000,"t4":"192.0.2.2","tport":40000,"z4":"198.51.100.7","zport":80}
                {"time":"2026-12-03T08:00:00Z","event":"session-end","protocol":"tcp","ipv6":"2001:db8::1",\
                "port":40000,"t4":"192.0.2.2","tport":40000,"z4":"198.51.100.7","zport":80,"end":"expired"}
                """, out.toString());
        assertEquals(0, log.drainTo(out));
    }

    @Test
    void blocksAreLoggedOncePerSubscriber() throws Exception {
        SessionLog log = new SessionLog(SessionLog.Mode.BLOCKS, CLOCK, 16, null);
        PortBlocks blocks = new PortBlocks(Ipv6Prefix.parse("2001:db8:100::/40"), 48, 2048, 1024);
        Nat64Table t = new Nat64Table(Nat64Settings.builder(Pool4.of("192.0.2.0/28")).portBlocks(blocks).build(), log);
        NatResult r = new NatResult();
        Ipv6Address a = Ipv6Address.parse("2001:db8:115:1::1");
        for (int x = 1; x <= 50; x++) {
            t.outbound(r, NatProtocol.UDP, a.hi(), a.lo(), 40000 + x, Z, 53, 0, T0);
        }
        t.expire(T0 + Duration.ofMinutes(6).toNanos(), 1 << 16);
        StringBuilder out = new StringBuilder();
        assertEquals(2, log.drainTo(out));
        assertEquals("""
                {"time":"2026-12-03T08:00:00Z","event":"block-start","ipv6":"2001:db8:115::","t4":"192.0.2.5",\
                "ports":"3072-5119"}
                {"time":"2026-12-03T08:00:00Z","event":"block-end","ipv6":"2001:db8:115::","t4":"192.0.2.5",\
                "ports":"3072-5119"}
                """, out.toString());
    }

    @Test
    void aFullQueueDropsAndCounts() throws Exception {
        Fixture.Recorder next = new Fixture.Recorder();
        SessionLog log = new SessionLog(SessionLog.Mode.SESSIONS, CLOCK, 2, next);
        Nat64Table t = new Nat64Table(Fixture.settings().build(), log);
        NatResult r = new NatResult();
        for (int i = 0; i < 5; i++) {
            t.outbound(r, NatProtocol.UDP, X_HI, X_LO + i, 40000, Z, 53, 0, T0);
        }
        assertEquals(3, log.dropped());
        assertEquals(2, log.drainTo(new StringBuilder()));
        assertEquals(5, next.count("session-start"), "the next listener sees every event");
        assertTrue(next.count("bib-create") == 5);
    }
}
