package dev.isthmus.alg.turn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * What the builder writes the decoder reads back: method, class, transaction id, every attribute
 * in order (whatever its length and padding), the integrity checks; XOR addresses of both
 * families with any transaction id; and encoding the decoded attributes gives the same bytes.
 */
class StunMessagePropertyTest {
    @Property(tries = 500)
    void roundTrip(@ForAll @IntRange(min = 0, max = StunMethod.MAX) int method, @ForAll StunClass cls,
            @ForAll @Size(12) byte[] transactionId, @ForAll("attributes") List<StunAttribute> attributes,
            @ForAll @Size(min = 1, max = 40) byte[] key, @ForAll boolean integrity, @ForAll boolean fingerprint,
            @ForAll @IntRange(min = 0, max = 255) int padding) throws Exception {
        StunMessageBuilder b = new StunMessageBuilder(method, cls, transactionId).padding(padding);
        attributes.forEach(a -> b.add(a.type(), a.value()));
        if (integrity) {
            b.messageIntegrity(key);
        }
        if (fingerprint) {
            b.fingerprint();
        }
        byte[] m = b.encode();
        StunMessage d = StunMessage.decode(m, 0, m.length);
        assertEquals(method, d.method());
        assertEquals(cls, d.messageClass());
        assertArrayEquals(transactionId, d.transactionId());
        int expected = attributes.size() + (integrity ? 1 : 0) + (fingerprint ? 1 : 0);
        assertEquals(expected, d.attributes().size());
        assertEquals(attributes, d.attributes().subList(0, attributes.size()));
        assertEquals(integrity ? StunMessage.Integrity.VALID : StunMessage.Integrity.ABSENT, d.checkIntegrity(key));

        StunMessageBuilder again = new StunMessageBuilder(method, cls, transactionId).padding(padding);
        d.attributes().forEach(a -> again.add(a.type(), a.value()));
        assertArrayEquals(m, again.encode());
    }

    @Property(tries = 300)
    void xorAddressesOfBothFamilies(@ForAll @Size(12) byte[] transactionId, @ForAll @Size(4) byte[] v4,
            @ForAll @Size(16) byte[] v6, @ForAll @IntRange(min = 0, max = 65535) int port) throws Exception {
        InetSocketAddress a4 = new InetSocketAddress(Inet4Address.getByAddress(v4), port);
        InetSocketAddress a6 = new InetSocketAddress(v6Address(v6), port);
        byte[] m = new StunMessageBuilder(StunMethod.ALLOCATE, StunClass.SUCCESS_RESPONSE, transactionId)
                .xorRelayedAddress(a4).xorMappedAddress(a6).xorPeerAddress(a6).xorPeerAddress(a4).encode();
        StunMessage d = StunMessage.decode(m, 0, m.length);
        assertEquals(a4, d.xorRelayedAddress());
        assertEquals(a6, d.xorMappedAddress());
        assertEquals(List.of(a6, a4), d.xorPeerAddresses());
    }

    private static Inet6Address v6Address(byte[] b) throws UnknownHostException {
        return Inet6Address.getByAddress(null, b, -1);
    }

    /**
     * Attributes the decoder takes as they are: DATA, and types it does not know from both
     * comprehension ranges, with values of every length up to past a padding boundary.
     */
    @Provide
    Arbitrary<List<StunAttribute>> attributes() {
        Arbitrary<Integer> type = Arbitraries.oneOf(Arbitraries.just(StunAttributeType.DATA),
                Arbitraries.integers().between(0x7F00, 0x7FFF), Arbitraries.integers().between(0xC000, 0xFFFF));
        Arbitrary<byte[]> value = Arbitraries.bytes().array(byte[].class).ofMaxSize(23);
        return Combinators.combine(type, value).as(StunAttribute::new).list().ofMaxSize(12);
    }
}
