package dev.isthmus.alg.ftp.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.isthmus.addr.AddressSet;
import dev.isthmus.addr.Rfc6052Prefix;
import dev.isthmus.relay.ClientLimits;
import dev.isthmus.relay.DescriptorBudget;
import dev.isthmus.relay.DestinationPolicy;
import dev.isthmus.relay.LocalAddresses;
import dev.isthmus.relay.TransparentDestination;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The refusals at accept: closed without a word, counted (no server connection is tried). */
class FtpAdmissionTest {
    static final Rfc6052Prefix POOL6 = Rfc6052Prefix.parse("2001:db8:64::/96");

    static FtpProxySettings transparent() {
        return new FtpProxySettings("any", new InetSocketAddress("::", 21), null, POOL6,
                AddressSet.parse(List.of("2001:db8:6::/64")), AddressSet.NONE, FtpProxySettings.DEFAULT_CONNECT_PORTS,
                10, 1, Duration.ofSeconds(60), Duration.ofSeconds(5), Duration.ofSeconds(5),
                FtpProxySettings.Tls.REFUSE, FtpProxySettings.ServerMode.PASSIVE, DataPorts.DEFAULT);
    }

    final FtpProxy proxy = new FtpProxy(transparent(), DescriptorBudget.unlimited());
    final TransparentDestination destinations = new TransparentDestination(POOL6, FtpProxySettings.DEFAULT_CONNECT_PORTS,
            new DestinationPolicy(AddressSet.NONE, true, new LocalAddresses()));

    @Test
    void aClientNotInAllow() {
        EmbeddedChannel ch = accept("2001:db8:99::2", "2001:db8:64::c633:6402", 21);
        assertFalse(ch.isActive());
        assertEquals(1, proxy.counters().refused(FtpRefusal.CLIENT_NOT_ALLOWED));
        assertEquals(0, proxy.counters().sessions());
    }

    /** RFC 3142 §7: pool6 + 127.0.0.1 is the gateway's own loopback. */
    @Test
    void anEmbeddedLoopbackServer() {
        EmbeddedChannel ch = accept("2001:db8:6::2", "2001:db8:64::7f00:1", 21);
        assertFalse(ch.isActive());
        assertEquals(1, proxy.counters().refused(FtpRefusal.DESTINATION_REFUSED));
    }

    @Test
    void aPortNotInConnectPorts() {
        EmbeddedChannel ch = accept("2001:db8:6::2", "2001:db8:64::c633:6402", 2121);
        assertFalse(ch.isActive());
        assertEquals(1, proxy.counters().refused(FtpRefusal.CONNECT_PORT));
    }

    private EmbeddedChannel accept(String client, String reached, int port) {
        InetSocketAddress remote = new InetSocketAddress(client, 40000);
        InetSocketAddress local = new InetSocketAddress(reached, port);
        EmbeddedChannel ch = new EmbeddedChannel(false, false) {
            @Override
            protected SocketAddress remoteAddress0() {
                return remote;
            }

            @Override
            protected SocketAddress localAddress0() {
                return local;
            }
        };
        ch.pipeline().addLast(new FtpAdmission(proxy, new ClientLimits(10, 1), destinations));
        try {
            ch.register();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return ch;
    }
}
