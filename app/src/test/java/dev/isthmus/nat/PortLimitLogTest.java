package dev.isthmus.nat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.ResourceBundle;
import org.junit.jupiter.api.Test;

/** The port-limit refusals (RFC 6888 REQ-4) reach the log at most once a second, the rest counted. */
class PortLimitLogTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void oneLineASecondSayingHowManyWereNotLogged() {
        List<String> lines = new ArrayList<>();
        PortLimitLog log = new PortLimitLog(new Recording(lines));
        long hi = 0x2001_0db8_0000_0000L;
        for (int i = 0; i < 5; i++) {
            log.refused(NatProtocol.UDP, hi, 1, 128, 1024, Fixture.T0 + i);
        }
        log.refused(NatProtocol.TCP, hi, 0, 56, 8, Fixture.T0 + SECOND);
        assertEquals(List.of(
                "nat64: subscriber 2001:db8::1/128 holds 1024 udp ports (max-ports-per-subscriber): new udp mappings"
                        + " refused (port-limit)",
                "nat64: subscriber 2001:db8::/56 holds 8 tcp ports (max-ports-per-subscriber): new tcp mappings"
                        + " refused (port-limit); 4 refusals not logged before"), lines);
    }

    /** Keeps each WARNING line. */
    private record Recording(List<String> lines) implements System.Logger {
        @Override
        public String getName() {
            return "test";
        }

        @Override
        public boolean isLoggable(Level level) {
            return true;
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
            lines.add(msg);
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            lines.add(format);
        }
    }
}
