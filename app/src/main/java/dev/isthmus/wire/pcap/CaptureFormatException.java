package dev.isthmus.wire.pcap;

import java.io.IOException;

/**
 * A capture file is truncated or corrupt: its bytes break the pcap or pcapng structure.
 *
 * <p>The message names where: the record number (1-based, counting every packet record or packet
 * block, whether or not it carried IP) and the byte offset in the file, then what was wrong. A
 * problem in a block that is not a packet (a pcapng Section Header or Interface Description Block)
 * names the record that would have come next.
 */
public final class CaptureFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final long recordNumber;
    private final long fileOffset;

    public CaptureFormatException(long recordNumber, long fileOffset, String detail) {
        super("record " + recordNumber + " (file offset " + fileOffset + "): " + detail);
        this.recordNumber = recordNumber;
        this.fileOffset = fileOffset;
    }

    /** The record at fault, or the one that would have followed the faulty non-packet block; 0 for the file header. */
    public long recordNumber() {
        return recordNumber;
    }

    /** Offset of the faulty record, block or header from the start of the file. */
    public long fileOffset() {
        return fileOffset;
    }
}
