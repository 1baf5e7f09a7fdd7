package dev.isthmus.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.ChannelFactory;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

/** The socket plane's descriptors: taken at accept and at connect, given back at close, never past the budget. */
class DescriptorBudgetTest {

    @Test
    void theBudgetIsTheLimitLessTheReserveOrHalfOfASmallLimit() {
        assertEquals(1_048_576 - 356, DescriptorBudget.of(1_048_576, 356).max());
        assertEquals(1024 - 256, DescriptorBudget.of(1024, DescriptorBudget.RESERVE).max());
        assertEquals(150, DescriptorBudget.of(300, 356).max(), "a limit below the reserve still gives half");
        assertEquals(Integer.MAX_VALUE, DescriptorBudget.of(Long.MAX_VALUE, 256).max());
    }

    @Test
    void anAcceptedChannelTakesOneUntilItCloses() {
        DescriptorBudget b = new DescriptorBudget(2);
        EmbeddedChannel one = new EmbeddedChannel();
        EmbeddedChannel two = new EmbeddedChannel();
        assertTrue(b.take(one));
        assertTrue(b.take(two));
        assertFalse(b.take(new EmbeddedChannel()), "a third is over the budget");
        assertEquals(2, b.used());
        one.close();
        assertEquals(1, b.used());
        assertTrue(b.take(new EmbeddedChannel()));
    }

    @Test
    void aCountedFactoryMakesNoChannelPastTheBudget() {
        DescriptorBudget b = new DescriptorBudget(1);
        ChannelFactory<EmbeddedChannel> make = b.counted(EmbeddedChannel::new);
        EmbeddedChannel ch = make.newChannel();
        assertThrows(DescriptorBudget.Exhausted.class, make::newChannel);
        assertEquals(1, b.used());
        ch.close();
        assertEquals(0, b.used());
        make.newChannel();
        assertEquals(1, b.used());
    }

    @Test
    void aFactoryThatFailsGivesItsDescriptorBack() {
        DescriptorBudget b = new DescriptorBudget(1);
        ChannelFactory<EmbeddedChannel> make = b.counted(() -> {
            throw new IllegalStateException("Too many open files");
        });
        assertThrows(IllegalStateException.class, make::newChannel);
        assertEquals(0, b.used());
    }
}
