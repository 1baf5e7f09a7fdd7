package dev.isthmus.control;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The queue table's ages and times to the next try: the largest unit that fits, never negative. */
class SmtpQueueStatsTest {

    @ParameterizedTest(name = "{0} s is {1}")
    @CsvSource({"0,0s", "59,59s", "60,1m", "3599,59m", "3600,1h", "86399,23h", "86400,1d", "432000,5d", "-3,0s"})
    void spans(long seconds, String shown) {
        assertEquals(shown, SmtpQueueStats.span(Duration.ofSeconds(seconds)));
    }
}
