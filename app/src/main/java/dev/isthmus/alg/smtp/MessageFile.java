package dev.isthmus.alg.smtp;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;

/**
 * The spool's file per message, {@code <id>.msg}: the content, then its envelope as
 * {@link EnvelopeFile} writes it, then a fixed-length footer that gives the envelope's length:
 *
 * <pre>
 * content (size bytes) | envelope (n bytes) | "isthmus-msg 1 " n as 10 digits "\n"
 * </pre>
 *
 * <p>Why one file and the envelope behind the content: the envelope is complete only at the end of
 * DATA, so it can follow content already on disk without a second pass, and one file is one inode
 * to allocate, one fsync and one rename per accepted message (Postfix's queue file costs the same)
 * instead of two of each. The footer is read first: the file's length, the footer and the
 * envelope's {@code size} must agree to the byte, so a truncated or padded file is refused. A
 * later delivery state does not rewrite this file: {@link Spool#update} writes a separate
 * {@code <id>.env} that supersedes the envelope here.
 */
final class MessageFile {
    private static final String FOOTER_MAGIC = "isthmus-msg 1 ";
    /** The footer: magic, 10 digits, a line feed. */
    static final int FOOTER_BYTES = FOOTER_MAGIC.length() + 10 + 1;

    private MessageFile() {}

    /** The bytes that follow a message's content: its envelope and the footer. */
    static byte[] trailer(QueuedMessage m) {
        byte[] envelope = EnvelopeFile.encode(m);
        byte[] footer = (FOOTER_MAGIC + String.format("%010d", envelope.length) + "\n").getBytes(StandardCharsets.US_ASCII);
        byte[] trailer = new byte[envelope.length + footer.length];
        System.arraycopy(envelope, 0, trailer, 0, envelope.length);
        System.arraycopy(footer, 0, trailer, envelope.length, footer.length);
        return trailer;
    }

    /**
     * The message a committed file holds, from its trailer.
     *
     * @throws EnvelopeFile.Malformed a footer, envelope or length that does not fit, with the reason
     */
    static QueuedMessage read(String id, FileChannel file) throws IOException, EnvelopeFile.Malformed {
        long length = file.size();
        if (length < FOOTER_BYTES) {
            throw new EnvelopeFile.Malformed(length + " bytes: too short for the footer");
        }
        byte[] footer = readAt(file, length - FOOTER_BYTES, FOOTER_BYTES);
        long envelopeLength = envelopeLength(footer);
        if (envelopeLength > length - FOOTER_BYTES) {
            throw new EnvelopeFile.Malformed("the footer gives an envelope of " + envelopeLength
                    + " bytes, the file has " + length);
        }
        long envelopeAt = length - FOOTER_BYTES - envelopeLength;
        QueuedMessage m = EnvelopeFile.parse(id, readAt(file, envelopeAt, (int) envelopeLength));
        if (m.size() != envelopeAt) {
            throw new EnvelopeFile.Malformed("the envelope gives " + m.size() + " content bytes, the file has "
                    + envelopeAt);
        }
        return m;
    }

    private static long envelopeLength(byte[] footer) throws EnvelopeFile.Malformed {
        String text = new String(footer, StandardCharsets.ISO_8859_1);
        if (!text.startsWith(FOOTER_MAGIC) || footer[FOOTER_BYTES - 1] != '\n') {
            throw new EnvelopeFile.Malformed("no \"" + FOOTER_MAGIC.strip() + "\" footer at its end");
        }
        long n = 0;
        for (int i = FOOTER_MAGIC.length(); i < FOOTER_BYTES - 1; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                throw new EnvelopeFile.Malformed("the footer's length is not 10 digits");
            }
            n = n * 10 + (c - '0');
        }
        if (n > EnvelopeFile.MAX_BYTES) {
            throw new EnvelopeFile.Malformed("the footer gives an envelope of " + n + " bytes, more than "
                    + EnvelopeFile.MAX_BYTES);
        }
        return n;
    }

    private static byte[] readAt(FileChannel file, long position, int length) throws IOException, EnvelopeFile.Malformed {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (file.read(buffer, position + buffer.position()) < 0) {
                throw new EnvelopeFile.Malformed("ends before byte " + (position + length)); // shrank while read
            }
        }
        return buffer.array();
    }
}
