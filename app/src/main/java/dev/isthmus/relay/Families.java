package dev.isthmus.relay;

import dev.isthmus.addr.AddressSet;
import io.netty.channel.socket.SocketProtocolFamily;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/** The socket family for an address, and the address text operators read in logs. */
public final class Families {
    private Families() {}

    public static SocketProtocolFamily of(InetAddress a) {
        return a instanceof Inet4Address ? SocketProtocolFamily.INET : SocketProtocolFamily.INET6;
    }

    /** {@code 192.0.2.1:80} or {@code [2001:db8::1]:80}, mapped IPv4 shown as IPv4. */
    public static String text(InetSocketAddress a) {
        if (a.getAddress() == null) {
            return a.getHostString() + ":" + a.getPort();
        }
        InetAddress u = AddressSet.unmapped(a.getAddress());
        String host = u.getHostAddress();
        int scope = host.indexOf('%');
        if (scope >= 0) {
            host = host.substring(0, scope);
        }
        if (u instanceof Inet4Address) {
            return host + ":" + a.getPort();
        }
        return "[" + dev.isthmus.wire.Ipv6Address.ofBytes(u.getAddress()) + "]:" + a.getPort();
    }
}
