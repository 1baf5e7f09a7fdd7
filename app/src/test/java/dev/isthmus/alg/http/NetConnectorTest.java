package dev.isthmus.alg.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.addr.AddressSet;
import dev.isthmus.relay.DestinationPolicy;
import dev.isthmus.relay.LocalAddresses;
import io.netty.channel.Channel;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.Future;
import java.net.InetAddress;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The forward proxy checks the addresses it would connect to, after resolution: a name is no way
 * around the destination rules, whether it resolves to 127.0.0.1 or to a pool6 address of this
 * process's translator that embeds one.
 */
class NetConnectorTest {
    /** Runs the connector's callbacks; no connection is made (every destination here is refused). */
    static final EventLoopGroup LOOPS = new DefaultEventLoopGroup(1);

    @AfterAll
    static void stop() {
        LOOPS.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** What the connector says about {@code host}, whose addresses are {@code addresses}. */
    static Refused refusal(String host, String... addresses) {
        NetConnector c = new NetConnector(
                new DestinationPolicy(AddressSet.NONE, false, new LocalAddresses(), GatewayChannels.POOL6),
                GatewayChannels.SETTINGS.connectTimeout(), name -> {
                    assertEquals(host, name);
                    InetAddress[] all = new InetAddress[addresses.length];
                    for (int i = 0; i < all.length; i++) {
                        all[i] = InetAddress.ofLiteral(addresses[i]);
                    }
                    return all;
                });
        Future<Channel> f = c.connect(LOOPS.next(), new Target(HttpCounters.Kind.FORWARD, host, 80, null));
        assertTrue(f.awaitUninterruptibly(5, TimeUnit.SECONDS), "the connector answered");
        return assertInstanceOf(Refused.class, f.cause());
    }

    @Test
    void aNameWhoseAaaaIsAPool6AddressOfARefusedIpv4AddressIsRefused() {
        Refused r = refusal("metadata.test", "2001:db8:64::a9fe:a9fe");
        assertEquals(HttpRefusal.DESTINATION_REFUSED, r.refusal());
        assertEquals("\"metadata.test\": 2001:db8:64::a9fe:a9fe is translated to 169.254.169.254 by pool6"
                + " 2001:db8:64::/96: link-local", r.getMessage());
    }

    @Test
    void everyAddressOfANameIsChecked() {
        Refused r = refusal("both.test", "2001:db8:64::7f00:1", "127.0.0.1");
        assertEquals(HttpRefusal.DESTINATION_REFUSED, r.refusal());
    }
}
