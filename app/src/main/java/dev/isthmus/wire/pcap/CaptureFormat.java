package dev.isthmus.wire.pcap;

/** The container format of a capture file, as {@link CaptureReader#open} detected it from the magic. */
public enum CaptureFormat {
    /** Classic pcap, magic 0xA1B2C3D4: timestamps in seconds and microseconds. */
    PCAP_MICROS,
    /** Classic pcap, magic 0xA1B23C4D: timestamps in seconds and nanoseconds. */
    PCAP_NANOS,
    /** pcapng, first block a Section Header Block (type 0x0A0D0D0A). */
    PCAPNG
}
