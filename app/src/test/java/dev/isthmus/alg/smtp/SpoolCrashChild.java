package dev.isthmus.alg.smtp;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * The relay's side of {@link SpoolCrashTest}, in a JVM of its own that the test kills with
 * SIGKILL: recovers the spool as a restarted relay does, then commits messages in a bounded
 * loop, updating and removing some, and prints each step on stdout only after the spool call
 * returned — a printed {@code committed} is a 250 the relay would have sent.
 *
 * <p>Arguments: spool directory, round number, number of messages.
 */
public final class SpoolCrashChild {
    static final String OTHER = "other@example.net";

    private SpoolCrashChild() {}

    public static void main(String[] args) throws IOException {
        Spool spool = new Spool(Path.of(args[0]));
        int round = Integer.parseInt(args[1]);
        int count = Integer.parseInt(args[2]);
        spool.recover();
        say("ready");
        for (int k = 0; k < count; k++) {
            QueuedMessage m;
            try (Spool.Writer w = spool.begin()) {
                byte[] content = content(round, k);
                for (int off = 0; off < content.length; off += 1000) { // in pieces, as a session receives it
                    w.write(content, off, Math.min(1000, content.length - off));
                }
                m = w.commit(envelope(round, k));
            }
            say("committed " + m.id());
            if (k % 2 == 0) {
                spool.update(attempted(m));
                say("updated " + m.id());
            }
            if (k % 3 == 0) {
                say("removing " + m.id());
                spool.remove(m);
                say("removed " + m.id());
            }
        }
        say("done");
    }

    static String recipient(int round, int k) {
        return "r" + round + "m" + k + "@example.org";
    }

    static Envelope envelope(int round, int k) {
        return new Envelope("sender@example.org", List.of(recipient(round, k), OTHER),
                new InetSocketAddress(InetAddress.ofLiteral("2001:db8:6::2"), 40000 + k % 1000), "client.example.org",
                null, false, true, null);
    }

    /** The state after a first attempt delivered to the message's own recipient. */
    static QueuedMessage attempted(QueuedMessage m) {
        return new QueuedMessage(m.id(), m.envelope(), List.of(OTHER), 1, m.nextAttempt().plusSeconds(300),
                "451 4.3.0 try later", m.size());
    }

    /** Some 0 to 30 KB: a header naming the message, then numbered lines. */
    static byte[] content(int round, int k) {
        StringBuilder b = new StringBuilder("Subject: round " + round + " message " + k + "\r\n\r\n");
        int size = k * 997 % 30_000;
        for (int line = 0; b.length() < size; line++) {
            b.append("line ").append(line).append(" of message ").append(k).append("\r\n");
        }
        return b.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
