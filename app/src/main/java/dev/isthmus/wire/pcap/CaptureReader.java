package dev.isthmus.wire.pcap;

import dev.isthmus.wire.BigEndian;
import dev.isthmus.wire.PacketBuffer;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * Streams the IP packets out of a classic pcap or a pcapng capture file.
 *
 * <p>The format is detected from the first four bytes: classic pcap in either byte order with
 * microsecond (0xA1B2C3D4) or nanosecond (0xA1B23C4D) timestamps (draft-ietf-opsawg-pcap §4), or
 * pcapng (draft-ietf-opsawg-pcapng §4.1: a Section Header Block, whose byte-order magic sets the
 * byte order of its section). In pcapng the reader handles any number of sections and of
 * Interface Description Blocks with different link types and {@code if_tsresol}, returns the
 * packets of Enhanced, Simple and (obsolete) Packet Blocks, and steps over every other block (name
 * resolution, interface statistics, decryption secrets, custom, unknown) by its length.
 *
 * <p>Each frame is decoded down to the IP packet for the link types of {@link LinkType}: raw IP,
 * Ethernet with any number of 802.1Q / 802.1ad tags, Linux cooked v1 and v2, BSD loopback. Frames
 * that carry something else, or come from an interface of another link type, are <em>skipped</em>,
 * not reported as errors: {@link #next} passes over them and counts each under a {@link
 * SkipReason}. On link types that can pad a frame (Ethernet minimum frame size, a trailing FCS)
 * the packet is cut to the length its own IP header states, so the translator sees the IP packet
 * and nothing behind it; raw-IP records are handed over exactly as captured.
 *
 * <p>Streaming and allocation-free: the file is read through its channel into one 1 MiB native
 * buffer that is refilled by compacting, headers are parsed in place, and {@link #next} copies
 * only the IP packet into the caller's {@link PacketBuffer}. Memory use does not depend on the
 * file size.
 *
 * <p>Errors: a file whose structure is broken (bad magic, a header or packet running past the end
 * of the file, an absurd captured length, a pcapng block length that is not a multiple of 4 or
 * disagrees with its trailing copy, a packet for an undeclared interface…) makes {@link #open} or
 * {@link #next} throw {@link CaptureFormatException} naming the record and the file offset. Every
 * record before the broken one has been returned normally first; after the exception the reader
 * keeps throwing it.
 *
 * <p>Not thread-safe: one thread reads, as in the offline translator's loop:
 *
 * <pre>{@code
 * try (CaptureReader in = CaptureReader.open(path)) {
 *     while (in.next(buf)) { translate(buf, in.timestampNanos()); }
 * }
 * }</pre>
 */
public final class CaptureReader implements AutoCloseable {
    /**
     * Largest captured length accepted in a record: libpcap's and Wireshark's limit for ordinary
     * link types. Anything larger is taken as corruption, which also bounds the buffer a record
     * can need.
     */
    public static final int MAX_CAPTURED_LENGTH = 262_144;

    /** The read buffer; also the largest pcapng packet or interface block the reader accepts. */
    static final int BUFFER_SIZE = 1 << 20;

    /** A bound on Interface Description Blocks per section, so a hostile file cannot exhaust memory. */
    static final int MAX_INTERFACES = 1 << 16;

    // Classic pcap, draft-ietf-opsawg-pcap §4 (File Header) and §5 (Packet Record).
    private static final int MAGIC_MICROS = 0xA1B2C3D4;
    private static final int MAGIC_NANOS = 0xA1B23C4D;
    private static final int MAGIC_MODIFIED = 0xA1B2CD34;
    private static final int FILE_HEADER = 24;
    private static final int FH_VERSION_MAJOR = 4;
    private static final int FH_VERSION_MINOR = 6;
    private static final int FH_SNAPLEN = 16;
    private static final int FH_LINKTYPE = 20;
    private static final int RECORD_HEADER = 16;
    private static final int PR_TS_SEC = 0;
    private static final int PR_TS_FRAC = 4;
    private static final int PR_CAPLEN = 8;
    private static final int PR_ORIGLEN = 12;

    // pcapng, draft-ietf-opsawg-pcapng §3.1 (General Block Structure) and §4.
    private static final int BT_SHB = 0x0A0D0D0A;
    private static final int BT_IDB = 0x00000001;
    private static final int BT_PB = 0x00000002;
    private static final int BT_SPB = 0x00000003;
    private static final int BT_EPB = 0x00000006;
    private static final int BYTE_ORDER_MAGIC = 0x1A2B3C4D;
    private static final int BLOCK_HEADER = 8;
    private static final int MIN_BLOCK = 12;
    private static final int MIN_SHB = 28;
    private static final int MIN_IDB = 20;
    private static final int MIN_EPB = 32;
    private static final int MIN_PB = 32;
    private static final int MIN_SPB = 16;
    private static final int OPT_ENDOFOPT = 0;
    private static final int IF_TSRESOL = 9;
    private static final int IF_TSOFFSET = 14;

    // Link layers.
    private static final int ETHERTYPE_IPV4 = 0x0800;
    private static final int ETHERTYPE_IPV6 = 0x86DD;
    private static final int ETHERTYPE_8021Q = 0x8100;
    private static final int ETHERTYPE_8021AD = 0x88A8;
    private static final int ETHERTYPE_QINQ_OLD = 0x9100;
    private static final int AF_INET = 2;
    private static final int AF_INET6_LINUX = 10;
    private static final int AF_INET6_BSD = 24;
    private static final int AF_INET6_FREEBSD = 28;
    private static final int AF_INET6_DARWIN = 30;

    private static final int DECODED = -1;
    private static final SkipReason[] REASONS = SkipReason.values();

    private static final ValueLayout.OfInt I32_LE =
            ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16_LE =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64_LE =
            ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final ReadableByteChannel channel;
    private final Arena arena;
    private final MemorySegment buf;
    private final ByteBuffer bb;
    /** Unconsumed bytes are {@code buf[pos, lim)}; {@code buf[0]} is at file offset {@code base}. */
    private int pos;
    private int lim;
    private long base;
    private boolean eof;
    private boolean closed;
    private CaptureFormatException failure;

    private CaptureFormat format;
    /** File (pcap) or section (pcapng) byte order. */
    private ValueLayout.OfInt i32 = BigEndian.U32;
    private ValueLayout.OfShort i16 = BigEndian.U16;
    private ValueLayout.OfLong i64 = BigEndian.U64;

    // Classic pcap file header.
    private int pcapSnaplen;
    private int pcapLinkType;
    private long fracToNanos;

    // pcapng interfaces of the current section, indexed by interface id.
    private int ifCount;
    private int[] ifLinkType = new int[4];
    private int[] ifSnaplen = new int[4];
    private byte[] ifTsMode = new byte[4];
    private long[] ifTsScale = new long[4];
    private long[] ifTsOffsetNanos = new long[4];

    private static final byte TS_MUL = 0;
    private static final byte TS_DIV = 1;
    private static final byte TS_BIN = 2;

    // The current record.
    private long recordNumber;
    private long timestampNanos;
    private long originalLength;
    private int capturedLength;
    private int linkType;
    private int interfaceId;
    private int dataOff;
    private int ipVersion;
    private int ipOff;
    private int ipLen;
    private final long[] skipped = new long[REASONS.length];
    private SkipListener skipListener;

    /**
     * Told of each record {@link #next} passes over, as it does, while the accessors
     * ({@link #recordNumber}, {@link #timestampNanos}, {@link #linkType}, {@link #capturedLength}…)
     * describe that record: so that a tool can account for every record, not only count them.
     */
    @FunctionalInterface
    public interface SkipListener {
        void skipped(SkipReason reason);
    }

    private CaptureReader(ReadableByteChannel channel) {
        this.channel = channel;
        this.arena = Arena.ofShared();
        this.buf = arena.allocate(BUFFER_SIZE, 64);
        this.bb = buf.asByteBuffer();
    }

    /** Opens a capture file and reads its header; the format is detected from the magic. */
    public static CaptureReader open(Path path) throws IOException {
        return open(FileChannel.open(path, StandardOpenOption.READ));
    }

    /**
     * Reads a capture from any channel (a file, standard input, an in-memory channel in tests). The
     * reader owns the channel and closes it, also when the header is rejected.
     */
    public static CaptureReader open(ReadableByteChannel channel) throws IOException {
        CaptureReader r;
        try {
            r = new CaptureReader(channel);
        } catch (RuntimeException | Error e) {
            channel.close();
            throw e;
        }
        try {
            r.readFileHeader();
            return r;
        } catch (IOException | RuntimeException | Error e) {
            try {
                r.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /**
     * Loads the next IP packet into {@code into}'s window (behind its headroom) and returns true;
     * returns false at a clean end of file (the file ends exactly after a record).
     *
     * <p>Records that are not IP packets are passed over and counted ({@link #skipped}); the
     * accessors then describe the returned record. Throws {@link CaptureFormatException} when the
     * file is truncated or corrupt at the next record, and keeps throwing it on later calls.
     */
    public boolean next(PacketBuffer into) throws IOException {
        if (closed) {
            throw new IllegalStateException("capture reader is closed");
        }
        if (failure != null) {
            throw failure;
        }
        int room = into.capacity() - PacketBuffer.HEADROOM;
        try {
            while (true) {
                boolean more = format == CaptureFormat.PCAPNG ? nextBlockRecord() : nextPcapRecord();
                if (!more) {
                    return false;
                }
                int why = decode(linkType, dataOff, capturedLength);
                if (why == DECODED && ipLen > room) {
                    why = SkipReason.TOO_LARGE_FOR_BUFFER.ordinal();
                }
                if (why == DECODED) {
                    into.load(buf, ipOff, ipLen);
                    return true;
                }
                skipped[why]++;
                if (skipListener != null) {
                    skipListener.skipped(REASONS[why]);
                }
            }
        } catch (CaptureFormatException e) {
            failure = e;
            throw e;
        }
    }

    /** Who is told of each skipped record from now on; null for nobody (the default). */
    public void onSkip(SkipListener listener) {
        skipListener = listener;
    }

    public CaptureFormat format() {
        return format;
    }

    /** The current record's number: 1-based, counting every packet record or block, skipped ones too. */
    public long recordNumber() {
        return recordNumber;
    }

    /**
     * The current record's timestamp in nanoseconds since 1970-01-01 UTC, converted from the file's
     * resolution (pcapng: the interface's {@code if_tsresol}, plus its {@code if_tsoffset}). A
     * pcapng Simple Packet Block carries no timestamp; its packets read as 0.
     */
    public long timestampNanos() {
        return timestampNanos;
    }

    /**
     * The frame's length on the wire as the record states it, link-layer header included
     * (saturated at {@link Integer#MAX_VALUE}; the field is an unsigned 32-bit number).
     */
    public int originalLength() {
        return (int) Math.min(originalLength, Integer.MAX_VALUE);
    }

    /** Bytes of the frame the record holds, link-layer header included. */
    public int capturedLength() {
        return capturedLength;
    }

    /** True when the capture cut the frame short (captured length below original length). */
    public boolean truncated() {
        return capturedLength < originalLength;
    }

    /** The current record's link type ({@link LinkType}); in pcapng, its interface's. */
    public int linkType() {
        return linkType;
    }

    /** The pcapng interface id of the current record; 0 for classic pcap. */
    public int interfaceId() {
        return interfaceId;
    }

    /**
     * 4 or 6: the IP version the link layer announced for the returned packet (the version nibble
     * for raw IP). The packet bytes themselves are not validated here; that is the translator's job.
     */
    public int ipVersion() {
        return ipVersion;
    }

    /** How many records were passed over for {@code reason} so far. */
    public long skipped(SkipReason reason) {
        return skipped[reason.ordinal()];
    }

    /** How many records were passed over for any reason so far. */
    public long skippedCount() {
        long n = 0;
        for (long s : skipped) {
            n += s;
        }
        return n;
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            channel.close();
        } finally {
            arena.close();
        }
    }

    // ---------------------------------------------------------------- buffer

    /**
     * Makes at least {@code n} (at most {@link #BUFFER_SIZE}) unconsumed bytes available, compacting
     * the buffer and reading as needed. False when the file ends first.
     */
    private boolean ensure(int n) throws IOException {
        if (lim - pos >= n) {
            return true;
        }
        if (pos > 0) {
            int rest = lim - pos;
            if (rest > 0) {
                MemorySegment.copy(buf, pos, buf, 0, rest);
            }
            base += pos;
            lim = rest;
            pos = 0;
        }
        while (lim < n && !eof) {
            bb.limit(BUFFER_SIZE).position(lim);
            int r = channel.read(bb);
            if (r < 0) {
                eof = true;
            } else {
                lim += r;
            }
        }
        return lim - pos >= n;
    }

    private CaptureFormatException error(long record, String detail) {
        return new CaptureFormatException(record, base + pos, detail);
    }

    private int u16(int off) {
        return buf.get(i16, off) & 0xffff;
    }

    private int i32(int off) {
        return buf.get(i32, off);
    }

    private void setOrder(boolean bigEndian) {
        i32 = bigEndian ? BigEndian.U32 : I32_LE;
        i16 = bigEndian ? BigEndian.U16 : I16_LE;
        i64 = bigEndian ? BigEndian.U64 : I64_LE;
    }

    // ---------------------------------------------------------------- file header

    private void readFileHeader() throws IOException {
        if (!ensure(4)) {
            throw error(0, lim == pos
                    ? "file is empty; expected a pcap or pcapng header"
                    : "file is " + (lim - pos) + " bytes long, too short for a capture file header");
        }
        int magic = buf.get(BigEndian.U32, pos);
        switch (magic) {
            case BT_SHB -> {
                format = CaptureFormat.PCAPNG;
                readSectionHeader();
            }
            case MAGIC_MICROS, MAGIC_NANOS -> readPcapHeader(true, magic == MAGIC_NANOS);
            default -> {
                int swapped = Integer.reverseBytes(magic);
                if (swapped == MAGIC_MICROS || swapped == MAGIC_NANOS) {
                    readPcapHeader(false, swapped == MAGIC_NANOS);
                } else if (magic == MAGIC_MODIFIED || swapped == MAGIC_MODIFIED) {
                    throw error(0, "modified (Kuznetzov) pcap format, magic 0xa1b2cd34, is not supported");
                } else if ((magic >>> 16) == 0x1f8b) {
                    throw error(0, "file is gzip-compressed; decompress it first");
                } else {
                    throw error(0, String.format(
                            "not a pcap or pcapng file: magic 0x%08x is none of 0xa1b2c3d4, 0xa1b23c4d"
                                    + " (either byte order) or 0x0a0d0d0a", magic));
                }
            }
        }
    }

    private void readPcapHeader(boolean bigEndian, boolean nanos) throws IOException {
        format = nanos ? CaptureFormat.PCAP_NANOS : CaptureFormat.PCAP_MICROS;
        fracToNanos = nanos ? 1 : 1_000;
        setOrder(bigEndian);
        if (!ensure(FILE_HEADER)) {
            throw error(0, "file ends inside the pcap file header (" + (lim - pos) + " of 24 bytes)");
        }
        int major = u16(pos + FH_VERSION_MAJOR);
        if (major != 2) {
            throw error(0, "unsupported pcap version " + major + "." + u16(pos + FH_VERSION_MINOR)
                    + " (expected 2.x)");
        }
        pcapSnaplen = i32(pos + FH_SNAPLEN);
        // The upper 16 bits hold the FCS length and reserved bits (draft-ietf-opsawg-pcap §4); a
        // trailing FCS is cut off with any padding by the IP length trim.
        pcapLinkType = i32(pos + FH_LINKTYPE) & 0xffff;
        linkType = pcapLinkType;
        pos += FILE_HEADER;
    }

    // ---------------------------------------------------------------- classic pcap records

    private boolean nextPcapRecord() throws IOException {
        if (!ensure(RECORD_HEADER)) {
            if (lim == pos) {
                return false;
            }
            throw error(recordNumber + 1,
                    "file ends inside the record header (" + (lim - pos) + " of 16 bytes)");
        }
        long number = ++recordNumber;
        int cap = i32(pos + PR_CAPLEN);
        if (cap < 0 || cap > MAX_CAPTURED_LENGTH) {
            throw error(number, "captured length " + Integer.toUnsignedString(cap)
                    + " is larger than the maximum " + MAX_CAPTURED_LENGTH);
        }
        // draft-ietf-opsawg-pcap §5: the captured length is at most the file's SnapLen. A zero
        // SnapLen (forbidden by §4 but written by old tools) sets no bound.
        if (pcapSnaplen > 0 && cap > pcapSnaplen) {
            throw error(number, "captured length " + cap + " is larger than the file's snapshot length "
                    + pcapSnaplen);
        }
        if (!ensure(RECORD_HEADER + cap)) {
            throw error(number, "file ends inside the packet data (" + (lim - pos - RECORD_HEADER)
                    + " of " + cap + " bytes)");
        }
        long sec = i32(pos + PR_TS_SEC) & 0xffffffffL;
        long frac = i32(pos + PR_TS_FRAC) & 0xffffffffL;
        timestampNanos = sec * 1_000_000_000L + frac * fracToNanos;
        originalLength = i32(pos + PR_ORIGLEN) & 0xffffffffL;
        capturedLength = cap;
        dataOff = pos + RECORD_HEADER;
        pos += RECORD_HEADER + cap;
        return true;
    }

    // ---------------------------------------------------------------- pcapng blocks

    private boolean nextBlockRecord() throws IOException {
        while (true) {
            if (!ensure(BLOCK_HEADER)) {
                if (lim == pos) {
                    return false;
                }
                throw error(recordNumber + 1,
                        "file ends inside a block header (" + (lim - pos) + " of 8 bytes)");
            }
            int type = i32(pos);
            if (type == BT_SHB) {
                readSectionHeader();
                continue;
            }
            long total = i32(pos + 4) & 0xffffffffL;
            boolean packet = type == BT_EPB || type == BT_SPB || type == BT_PB;
            long number = packet ? ++recordNumber : recordNumber + 1;
            checkBlockLength(number, type, total);
            if (!packet && type != BT_IDB) {
                skipBlock(number, type, total);
                continue;
            }
            int min = type == BT_IDB ? MIN_IDB : type == BT_SPB ? MIN_SPB : type == BT_EPB ? MIN_EPB : MIN_PB;
            if (total < min) {
                throw error(number, blockName(type) + " of " + total + " bytes is shorter than its "
                        + min + "-byte minimum");
            }
            if (total > BUFFER_SIZE) {
                throw error(number, blockName(type) + " of " + total + " bytes is larger than this"
                        + " reader's limit of " + BUFFER_SIZE);
            }
            int len = (int) total;
            if (!ensure(len)) {
                throw error(number, "file ends inside the " + blockName(type) + " (" + (lim - pos)
                        + " of " + len + " bytes)");
            }
            checkTrailer(number, type, len, pos + len - 4);
            if (type == BT_IDB) {
                readInterface(number, len);
                pos += len;
                continue;
            }
            readPacketBlock(number, type, len);
            pos += len;
            return true;
        }
    }

    /** draft-ietf-opsawg-pcapng §3.1: at least 12 bytes (type, length, trailing length), a multiple of 4. */
    private void checkBlockLength(long number, int type, long total) throws CaptureFormatException {
        if (total < MIN_BLOCK) {
            throw error(number, blockName(type) + " total length " + total + " is below the 12-byte minimum");
        }
        if ((total & 3) != 0) {
            throw error(number, blockName(type) + " total length " + total + " is not a multiple of 4");
        }
    }

    private void checkTrailer(long number, int type, long total, int at) throws CaptureFormatException {
        long trailer = i32(at) & 0xffffffffL;
        if (trailer != total) {
            throw error(number, blockName(type) + " total length " + total
                    + " does not match its trailing copy " + trailer);
        }
    }

    /**
     * Steps over a block the reader does not interpret, streaming its body so that a block of any
     * size needs no more than the one buffer, then checks the trailing length.
     */
    private void skipBlock(long number, int type, long total) throws IOException {
        long start = base + pos;
        long remaining = total - 4;
        while (remaining > 0) {
            if (pos == lim && !ensure(1)) {
                throw new CaptureFormatException(number, start, "file ends inside the " + blockName(type)
                        + " (" + (total - 4 - remaining) + " of " + total + " bytes)");
            }
            int n = (int) Math.min(remaining, lim - pos);
            pos += n;
            remaining -= n;
        }
        if (!ensure(4)) {
            throw new CaptureFormatException(number, start, "file ends inside the " + blockName(type)
                    + " (" + (total - 4 + lim - pos) + " of " + total + " bytes)");
        }
        long trailer = i32(pos) & 0xffffffffL;
        if (trailer != total) {
            throw new CaptureFormatException(number, start, blockName(type) + " total length " + total
                    + " does not match its trailing copy " + trailer);
        }
        pos += 4;
    }

    /**
     * draft-ietf-opsawg-pcapng §4.1: the byte-order magic says how this section's numbers are
     * stored; a new section forgets the interfaces of the previous one.
     *
     * <p>Deviation: §3.4 says a reader that cannot read a section's version skips to the next
     * section. Only major version 1 exists, so another major is taken as corruption and reported,
     * rather than silently producing no packets.
     */
    private void readSectionHeader() throws IOException {
        long number = recordNumber + 1;
        if (!ensure(12)) {
            throw error(number, "file ends inside a Section Header Block (" + (lim - pos) + " of 12 bytes)");
        }
        int bom = buf.get(BigEndian.U32, pos + 8);
        if (bom == BYTE_ORDER_MAGIC) {
            setOrder(true);
        } else if (bom == Integer.reverseBytes(BYTE_ORDER_MAGIC)) {
            setOrder(false);
        } else {
            throw error(number, String.format(
                    "Section Header Block byte-order magic is 0x%08x, not 0x1a2b3c4d in either byte order", bom));
        }
        long total = i32(pos + 4) & 0xffffffffL;
        checkBlockLength(number, BT_SHB, total);
        if (total < MIN_SHB) {
            throw error(number, "Section Header Block of " + total + " bytes is shorter than its 28-byte minimum");
        }
        if (!ensure(16)) {
            throw error(number, "file ends inside a Section Header Block (" + (lim - pos) + " of 16 bytes)");
        }
        int major = u16(pos + 12);
        if (major != 1) {
            throw error(number, "unsupported pcapng version " + major + "." + u16(pos + 14) + " (expected 1.x)");
        }
        ifCount = 0;
        // The section length and the options are of no use to a packet reader; stream past them.
        skipBlock(number, BT_SHB, total);
    }

    /** draft-ietf-opsawg-pcapng §4.2: link type, snap length, and the options that fix timestamps. */
    private void readInterface(long number, int len) throws CaptureFormatException {
        if (ifCount >= MAX_INTERFACES) {
            throw error(number, "more than " + MAX_INTERFACES + " Interface Description Blocks in one section");
        }
        int lt = u16(pos + 8);
        int snap = i32(pos + 12);
        int resol = 6;
        long offsetSeconds = 0;
        int o = pos + 16;
        int end = pos + len - 4;
        while (end - o >= 4) {
            int code = u16(o);
            int olen = u16(o + 2);
            if (code == OPT_ENDOFOPT) {
                break;
            }
            if (olen > end - o - 4) {
                throw error(number, "Interface Description Block option " + code + " of " + olen
                        + " bytes runs past the end of the block");
            }
            if (code == IF_TSRESOL) {
                if (olen != 1) {
                    throw error(number, "if_tsresol option has length " + olen + ", not 1");
                }
                resol = BigEndian.u8(buf, o + 4);
            } else if (code == IF_TSOFFSET) {
                if (olen != 8) {
                    throw error(number, "if_tsoffset option has length " + olen + ", not 8");
                }
                offsetSeconds = buf.get(i64, o + 4);
            }
            o += 4 + ((olen + 3) & ~3);
        }
        byte mode;
        long scale;
        if ((resol & 0x80) == 0) {
            // A power of ten: units of 10^-resol seconds.
            if (resol <= 9) {
                mode = TS_MUL;
                scale = pow10(9 - resol);
            } else if (resol <= 27) {
                mode = TS_DIV;
                scale = pow10(resol - 9);
            } else {
                throw error(number, "if_tsresol 10^-" + resol + " s is finer than any clock this reader handles");
            }
        } else {
            // A power of two: units of 2^-(resol & 0x7f) seconds.
            mode = TS_BIN;
            scale = resol & 0x7f;
            if (scale > 63) {
                throw error(number, "if_tsresol 2^-" + scale + " s is finer than any clock this reader handles");
            }
        }
        if (ifCount == ifLinkType.length) {
            int n = ifCount * 2;
            ifLinkType = Arrays.copyOf(ifLinkType, n);
            ifSnaplen = Arrays.copyOf(ifSnaplen, n);
            ifTsMode = Arrays.copyOf(ifTsMode, n);
            ifTsScale = Arrays.copyOf(ifTsScale, n);
            ifTsOffsetNanos = Arrays.copyOf(ifTsOffsetNanos, n);
        }
        ifLinkType[ifCount] = lt;
        ifSnaplen[ifCount] = snap;
        ifTsMode[ifCount] = mode;
        ifTsScale[ifCount] = scale;
        ifTsOffsetNanos[ifCount] = offsetSeconds * 1_000_000_000L;
        ifCount++;
    }

    private static long pow10(int e) {
        long v = 1;
        for (int i = 0; i < e; i++) {
            v *= 10;
        }
        return v;
    }

    /**
     * Enhanced Packet Block (§4.3), Simple Packet Block (§4.4), Packet Block (Appendix A). The
     * three share the trailing layout, so after this the data sits at {@code dataOff}.
     */
    private void readPacketBlock(long number, int type, int len) throws CaptureFormatException {
        int ifc;
        long ts;
        int cap;
        long orig;
        int data;
        if (type == BT_SPB) {
            // §4.4: no interface id (it is the first interface), no timestamp, no captured length:
            // that is the smaller of the original length, the snap length and the room in the block.
            if (ifCount == 0) {
                throw error(number, "Simple Packet Block before any Interface Description Block");
            }
            ifc = 0;
            ts = 0;
            orig = i32(pos + 8) & 0xffffffffL;
            data = 12;
            long c = Math.min(orig, len - 16);
            int snap = ifSnaplen[0];
            if (snap > 0) {
                c = Math.min(c, snap);
            }
            if (c > MAX_CAPTURED_LENGTH) {
                throw error(number, "captured length " + c + " is larger than the maximum " + MAX_CAPTURED_LENGTH);
            }
            cap = (int) c;
        } else {
            ifc = type == BT_EPB ? i32(pos + 8) : u16(pos + 8);
            if (Integer.compareUnsigned(ifc, ifCount) >= 0) {
                throw error(number, blockName(type) + " names interface " + Integer.toUnsignedString(ifc)
                        + " but the section has " + ifCount);
            }
            ts = ((long) i32(pos + 12) << 32) | (i32(pos + 16) & 0xffffffffL);
            cap = i32(pos + 20);
            orig = i32(pos + 24) & 0xffffffffL;
            data = 28;
            if (cap < 0 || cap > MAX_CAPTURED_LENGTH) {
                throw error(number, "captured length " + Integer.toUnsignedString(cap)
                        + " is larger than the maximum " + MAX_CAPTURED_LENGTH);
            }
            // Data padded to 32 bits, then the trailing length.
            if (data + ((cap + 3) & ~3) + 4 > len) {
                throw error(number, "captured length " + cap + " does not fit in the " + blockName(type)
                        + " of " + len + " bytes");
            }
        }
        interfaceId = ifc;
        linkType = ifLinkType[ifc];
        timestampNanos = type == BT_SPB ? 0 : toNanos(ifc, ts) + ifTsOffsetNanos[ifc];
        capturedLength = cap;
        originalLength = orig;
        dataOff = pos + data;
    }

    private long toNanos(int ifc, long ts) {
        long scale = ifTsScale[ifc];
        switch (ifTsMode[ifc]) {
            case TS_MUL:
                return ts * scale;
            case TS_DIV:
                return Long.divideUnsigned(ts, scale);
            default:
                int shift = (int) scale;
                if (shift == 0) {
                    return ts * 1_000_000_000L;
                }
                long secs = ts >>> shift;
                long frac = ts & ((1L << shift) - 1);
                // frac * 10^9 / 2^shift in 128 bits: frac < 2^shift, so the result is below 10^9.
                long lo = frac * 1_000_000_000L;
                long hi = Math.unsignedMultiplyHigh(frac, 1_000_000_000L);
                long fracNanos = (lo >>> shift) | (hi << (64 - shift));
                return secs * 1_000_000_000L + fracNanos;
        }
    }

    private static String blockName(int type) {
        return switch (type) {
            case BT_SHB -> "Section Header Block";
            case BT_IDB -> "Interface Description Block";
            case BT_PB -> "Packet Block";
            case BT_SPB -> "Simple Packet Block";
            case BT_EPB -> "Enhanced Packet Block";
            case 4 -> "Name Resolution Block";
            case 5 -> "Interface Statistics Block";
            case 10 -> "Decryption Secrets Block";
            default -> String.format("block of type 0x%08x", type);
        };
    }

    // ---------------------------------------------------------------- link layers

    /**
     * Finds the IP packet in the frame {@code buf[off, off+len)}: sets {@link #ipOff}, {@link
     * #ipLen}, {@link #ipVersion} and returns {@link #DECODED}, or returns a {@link SkipReason}
     * ordinal.
     */
    private int decode(int lt, int off, int len) {
        int end = off + len;
        switch (lt) {
            case LinkType.RAW, LinkType.DLT_RAW_12, LinkType.DLT_RAW_14: {
                if (len < 1) {
                    return SkipReason.LINK_HEADER_TRUNCATED.ordinal();
                }
                int v = BigEndian.u8(buf, off) >>> 4;
                return v == 4 || v == 6 ? packet(v, off, end, false) : SkipReason.NOT_IP.ordinal();
            }
            case LinkType.IPV4:
                return packet(4, off, end, false);
            case LinkType.IPV6:
                return packet(6, off, end, false);
            case LinkType.ETHERNET:
                // Destination (6), source (6), EtherType or TPID (2).
                if (len < 14) {
                    return SkipReason.LINK_HEADER_TRUNCATED.ordinal();
                }
                return etherType(BigEndian.u16(buf, off + 12), off + 14, end);
            case LinkType.LINUX_SLL:
                // Packet type (2), ARPHRD type (2), address length (2), address (8), protocol (2).
                // The protocol is an EtherType for every device that can carry IP; for netlink
                // and CAN captures it holds small values that never collide with one.
                if (len < 16) {
                    return SkipReason.LINK_HEADER_TRUNCATED.ordinal();
                }
                return etherType(BigEndian.u16(buf, off + 14), off + 16, end);
            case LinkType.LINUX_SLL2:
                // Protocol (2), reserved (2), ifindex (4), ARPHRD type (2), packet type (1),
                // address length (1), address (8).
                if (len < 20) {
                    return SkipReason.LINK_HEADER_TRUNCATED.ordinal();
                }
                return etherType(BigEndian.u16(buf, off), off + 20, end);
            case LinkType.NULL, LinkType.LOOP: {
                if (len < 4) {
                    return SkipReason.LINK_HEADER_TRUNCATED.ordinal();
                }
                // NULL stores the family in the capturing host's byte order, which need not be the
                // file's (a file rewritten on another machine); LOOP in network order. Every family
                // value fits in the low byte, so whichever reading leaves the high half zero is right.
                int family = buf.get(BigEndian.U32, off);
                if ((family & 0xffff0000) != 0) {
                    family = Integer.reverseBytes(family);
                }
                if (family == AF_INET) {
                    return packet(4, off + 4, end, false);
                }
                if (family == AF_INET6_LINUX || family == AF_INET6_BSD || family == AF_INET6_FREEBSD
                        || family == AF_INET6_DARWIN) {
                    return packet(6, off + 4, end, false);
                }
                return SkipReason.NOT_IP.ordinal();
            }
            default:
                return SkipReason.UNSUPPORTED_LINK_TYPE.ordinal();
        }
    }

    /** Steps over any stack of VLAN tags (802.1Q, 802.1ad, and the pre-standard 0x9100 QinQ). */
    private int etherType(int type, int p, int end) {
        while (type == ETHERTYPE_8021Q || type == ETHERTYPE_8021AD || type == ETHERTYPE_QINQ_OLD) {
            // Tag control information (2), then the next EtherType (2).
            if (end - p < 4) {
                return SkipReason.LINK_HEADER_TRUNCATED.ordinal();
            }
            type = BigEndian.u16(buf, p + 2);
            p += 4;
        }
        if (type == ETHERTYPE_IPV4) {
            return packet(4, p, end, true);
        }
        if (type == ETHERTYPE_IPV6) {
            return packet(6, p, end, true);
        }
        return SkipReason.NOT_IP.ordinal();
    }

    /**
     * Records the packet at {@code buf[p, end)}. With {@code trim}, bytes behind the length the IP
     * header states (Ethernet padding to the 60-byte minimum frame, a captured FCS) are dropped; a
     * header that does not look like the announced version, or states more than was captured, is
     * left as captured for the translator to judge.
     */
    private int packet(int version, int p, int end, boolean trim) {
        int len = end - p;
        if (trim) {
            int nibble = len > 0 ? BigEndian.u8(buf, p) >>> 4 : 0;
            if (version == 4 && nibble == 4 && len >= 20) {
                // RFC 791 §3.1: Total Length counts header and data.
                int total = BigEndian.u16(buf, p + 2);
                if (total >= 20 && total < len) {
                    len = total;
                }
            } else if (version == 6 && nibble == 6 && len >= 40) {
                // RFC 8200 §3: Payload Length excludes the 40-byte header; 0 means a jumbogram.
                int payload = BigEndian.u16(buf, p + 4);
                if (payload != 0 && 40 + payload < len) {
                    len = 40 + payload;
                }
            }
        }
        ipVersion = version;
        ipOff = p;
        ipLen = len;
        return DECODED;
    }
}
