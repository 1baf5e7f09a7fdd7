package dev.isthmus.wire;

import java.lang.foreign.MemorySegment;

/**
 * Where finished packets go: the TUN device in live mode, a pcap writer offline, a list in tests.
 *
 * <p>The bytes are only valid during the call; a sink that keeps them must copy.
 */
@FunctionalInterface
public interface PacketSink {
    void emit(MemorySegment segment, int offset, int length);
}
