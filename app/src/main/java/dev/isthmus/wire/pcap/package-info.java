/**
 * Capture files for the offline translator: read IP packets out of pcap and pcapng, write them
 * back as pcap.
 *
 * <ul>
 *   <li>{@link dev.isthmus.wire.pcap.CaptureReader}: classic pcap (draft-ietf-opsawg-pcap) in
 *       either byte order with microsecond or nanosecond timestamps, and pcapng
 *       (draft-ietf-opsawg-pcapng); decodes each frame down to the IP packet for the link types of
 *       {@link dev.isthmus.wire.pcap.LinkType} and counts the frames it passes over under a
 *       {@link dev.isthmus.wire.pcap.SkipReason};
 *   <li>{@link dev.isthmus.wire.pcap.PcapWriter}: classic pcap, microseconds, LINKTYPE_RAW, also
 *       usable as a {@link dev.isthmus.wire.PacketSink};
 *   <li>{@link dev.isthmus.wire.pcap.CaptureFormatException}: a truncated or corrupt file, with
 *       the record number and file offset.
 * </ul>
 *
 * <p>Both stream through one 1 MiB native buffer each, parse headers in place and allocate
 * nothing per record, so a file of any size runs in constant memory. A broken file is an
 * exception (it is input to a tool, not a packet on the hot path); a well-formed frame that is not
 * IP is a counted skip.
 *
 * <p>Depends on {@code dev.isthmus.wire} only ({@link dev.isthmus.wire.PacketBuffer}, {@link
 * dev.isthmus.wire.PacketSink}, {@link dev.isthmus.wire.BigEndian}).
 */
package dev.isthmus.wire.pcap;
