package dev.isthmus.nat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.isthmus.wire.Ipv4Address;
import org.junit.jupiter.api.Test;

/** The loan table: found until given back, through growth and through slots given back and reused. */
class PortLoansTest {
    private static final int T = Ipv4Address.parse("192.0.2.2");

    private static long key(int t) {
        return Nat64Table.StaticMap.key(NatProtocol.UDP.ordinal(), T, t);
    }

    @Test
    void loansAreFoundUntilGivenBack() {
        PortLoans loans = new PortLoans();
        assertEquals(-1, loans.borrower(key(1000)));
        for (int t = 1000; t < 3000; t++) {
            loans.lend(key(t), t % 1024);
        }
        for (int t = 1000; t < 3000; t += 2) {
            loans.giveBack(key(t));
        }
        loans.giveBack(key(5000)); // never lent: nothing happens
        // Many more come and go, so the table is rebuilt over slots given back.
        for (int round = 0; round < 20; round++) {
            for (int t = 10_000; t < 10_500; t++) {
                loans.lend(key(t), 7);
            }
            for (int t = 10_000; t < 10_500; t++) {
                loans.giveBack(key(t));
            }
        }
        for (int t = 1000; t < 3000; t++) {
            assertEquals(t % 2 == 0 ? -1 : t % 1024, loans.borrower(key(t)), "port " + t);
        }
        assertEquals(-1, loans.borrower(key(10_001)));
        assertEquals(2000, loans.snapshot().length, "1000 live loans, two longs each");
    }
}
