package dev.isthmus.nat;

import java.lang.foreign.MemorySegment;

/**
 * What a {@link Nat64Listener} is told: a flyweight the table refills for every event (valid only
 * during the call; copy what you keep). Fields that do not apply to an event are zero.
 */
public final class NatEvent {
    /** Why a session or BIB entry ended. */
    public enum End {
        /** Its lifetime ran out (RFC 6146 §3.5). */
        EXPIRED,
        /** A TCP RST or FIN exchange ended it and its TCP_TRANS ran out. */
        CLOSED,
        /** Its static BIB entry was removed, the table flushed, or the NAT64 stopped. */
        REMOVED,
        /** Its last session ended (a dynamic BIB entry, RFC 6146 §3.1). */
        NO_SESSIONS
    }

    NatProtocol protocol;
    long x6Hi;
    long x6Lo;
    int x6Port;
    int t4;
    int t4Port;
    int z4;
    int z4Port;
    TcpState state = TcpState.CLOSED;
    boolean isStatic;
    End end;
    /** Port block of a subscriber event: first and last port, -1 when dynamic. */
    int blockFirst = -1;
    int blockLast = -1;
    /** A stored SYN: the IPv4 packet as received (up to the stored length). */
    MemorySegment packet = MemorySegment.NULL;

    public NatProtocol protocol() { return protocol; }
    public long x6Hi() { return x6Hi; }
    public long x6Lo() { return x6Lo; }
    public int x6Port() { return x6Port; }
    public int t4() { return t4; }
    public int t4Port() { return t4Port; }
    public int z4() { return z4; }
    public int z4Port() { return z4Port; }
    public TcpState state() { return state; }
    public boolean isStatic() { return isStatic; }
    public End end() { return end; }
    public int blockFirst() { return blockFirst; }
    public int blockLast() { return blockLast; }
    /** The stored IPv4 SYN of {@link Nat64Listener#storedSynExpired}; {@code NULL} otherwise or when not kept. */
    public MemorySegment packet() { return packet; }

    void clear() {
        protocol = null;
        x6Hi = 0;
        x6Lo = 0;
        x6Port = 0;
        t4 = 0;
        t4Port = 0;
        z4 = 0;
        z4Port = 0;
        state = TcpState.CLOSED;
        isStatic = false;
        end = null;
        blockFirst = -1;
        blockLast = -1;
        packet = MemorySegment.NULL;
    }
}
