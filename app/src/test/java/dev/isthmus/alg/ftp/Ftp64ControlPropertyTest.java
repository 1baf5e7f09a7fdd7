package dev.isthmus.alg.ftp;

import static dev.isthmus.alg.ftp.AlgHarness.ACK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isthmus.wire.TcpView;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * The ALG is a function of the byte streams, not of how TCP cut them: any segmentation of a
 * client command stream and of the server's replies (in order, with or without retransmissions
 * of earlier ranges) gives the same rewritten streams as one segment each, and the
 * acknowledgement of each whole output maps back to the whole input.
 */
class Ftp64ControlPropertyTest {
    /** Commands and the server's reply to what the ALG sends it for each. */
    private static final String[][] DIALOGUE = {
        {"USER anonymous", "331 password please"},
        {"EPSV", "227 Entering Passive Mode (203,0,113,9,195,149)."},
        {"EPSV 2", "227-Entering Passive Mode\r\n227-(203,0,113,9,4,1)\r\n227 ok"},
        {"EPSV 1", "200 NOOP ok"},
        {"EPRT |2|2001:db8::5|40000|", "200 PORT command successful"},
        {"EPRT |2|2001:db8::6|40000|", "200 NOOP ok"},
        {"ALGS STATUS64", "200 NOOP ok"},
        {"LPRT 6,16,1", "200-NOOP\r\n ok\r\n200 ok"},
        {"PORT 10,0,0,1,4,1", "200 NOOP ok"},
        {"RETR file", "150 opening\r\n226-done\r\n226 bye"},
        {"FEAT", "211-Features:\r\n EPSV\r\n EPRT\r\n211 End"},
        {"\u00ff\u00fb\u0001NOOP", "200 ok"},
        {"AUTH TLS", "234 go ahead"},
    };

    @Property(tries = 400)
    void anySegmentationGivesTheSameStreams(
            @ForAll @Size(min = 1, max = 10) List<@IntRange(min = 0, max = 12) Integer> dialogue,
            @ForAll @Size(min = 1, max = 6) List<@IntRange(min = 1, max = 60) Integer> clientCuts,
            @ForAll @Size(min = 1, max = 6) List<@IntRange(min = 1, max = 60) Integer> serverCuts,
            @ForAll boolean retransmit, @ForAll @IntRange(min = 0, max = 1 << 20) int isnLow) {
        StringBuilder commands = new StringBuilder();
        StringBuilder replies = new StringBuilder("220 ready\r\n");
        for (int i : dialogue) {
            commands.append(DIALOGUE[i][0]).append("\r\n");
            replies.append(DIALOGUE[i][1]).append("\r\n");
        }
        byte[] c = commands.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] r = replies.toString().getBytes(StandardCharsets.ISO_8859_1);
        long clientIsn = 0xffffff00L + isnLow & 0xffffffffL; // often wraps
        long serverIsn = 0x7fffff00L + isnLow;

        AlgHarness whole = run(c, r, List.of(c.length), List.of(r.length), false, clientIsn, serverIsn);
        AlgHarness cut = run(c, r, clientCuts, serverCuts, retransmit, clientIsn, serverIsn);
        assertEquals(whole.atServer.text(), cut.atServer.text());
        assertEquals(whole.atClient.text(), cut.atClient.text());
        assertEquals(clientIsn + 1 + c.length & 0xffffffffL, cut.alg.mapAck(false, cut.atServer.next()));
        assertEquals(serverIsn + 1 + r.length & 0xffffffffL, cut.alg.mapAck(true, cut.atClient.next()));
    }

    /**
     * Command, reply, command, reply... as an FTP client without pipelining talks, each message
     * cut anywhere, every segment carrying the acknowledgement of what its sender received: the
     * streams equal those of unsplit delivery, and no acknowledgement that reaches a sender covers
     * bytes it has not sent or the ALG still holds.
     */
    @Property(tries = 300)
    void lockstepDialogueWithAcks(
            @ForAll @Size(min = 1, max = 8) List<@IntRange(min = 0, max = 12) Integer> dialogue,
            @ForAll @Size(min = 1, max = 5) List<@IntRange(min = 1, max = 30) Integer> cuts,
            @ForAll boolean retransmit) {
        AlgHarness whole = lockstep(dialogue, List.of(10_000), false);
        AlgHarness cut = lockstep(dialogue, cuts, retransmit);
        assertEquals(whole.atServer.text(), cut.atServer.text());
        assertEquals(whole.atClient.text(), cut.atClient.text());
    }

    private static AlgHarness lockstep(List<Integer> dialogue, List<Integer> cuts, boolean retransmit) {
        AlgHarness h = new AlgHarness();
        long[] sent = {1000, 5000}; // the next sequence number each side sends: client, server
        h.fromClient(sent[0]++, 0, TcpView.SYN, "");
        h.fromServer(sent[1]++, sent[0], TcpView.SYN | ACK, "");
        int k = 0;
        List<String> messages = new ArrayList<>(List.of("", "220 ready\r\n")); // no client message first
        for (int i : dialogue) {
            messages.add(DIALOGUE[i][0] + "\r\n");
            messages.add(DIALOGUE[i][1] + "\r\n");
        }
        long firstClient = sent[0];
        long firstServer = sent[1];
        for (int m = 0; m < messages.size(); m++) {
            boolean client = m % 2 == 0;
            byte[] b = messages.get(m).getBytes(StandardCharsets.ISO_8859_1);
            int side = client ? 0 : 1;
            long start = sent[side];
            for (int pos = 0; pos < b.length; k++) {
                int n = Math.min(cuts.get(k % cuts.size()), b.length - pos);
                // Each side acknowledges what it received (its receiver's next byte).
                long ack = client ? h.atClient.next() : h.atServer.next();
                SegmentRewrite out = segment(h, client, start + pos, ack, b, pos, n);
                long acked = out.ack;
                long peerSent = client ? sent[1] : sent[0];
                long peerFirst = client ? firstServer : firstClient;
                assertTrue(((peerSent - acked) & 0xffffffffL) < 0x80000000L
                        && ((acked - peerFirst) & 0xffffffffL) < 0x80000000L,
                        "ack " + acked + " outside [" + peerFirst + ", " + peerSent + "]");
                if (retransmit && k % 3 == 2) {
                    segment(h, client, start, ack, b, 0, pos + n);
                }
                pos += n;
            }
            sent[side] = start + b.length;
        }
        return h;
    }

    private static SegmentRewrite segment(AlgHarness h, boolean client, long seq, long ack, byte[] data, int off,
            int n) {
        String s = new String(data, off, n, StandardCharsets.ISO_8859_1);
        return client ? h.fromClient(seq & 0xffffffffL, ack, ACK, s) : h.fromServer(seq & 0xffffffffL, ack, ACK, s);
    }

    private static AlgHarness run(byte[] c, byte[] r, List<Integer> clientCuts, List<Integer> serverCuts,
            boolean retransmit, long clientIsn, long serverIsn) {
        AlgHarness h = new AlgHarness();
        h.fromClient(clientIsn, 0, TcpView.SYN, "");
        h.fromServer(serverIsn, clientIsn + 1, TcpView.SYN | ACK, "");
        deliver(h, true, clientIsn, c, clientCuts, retransmit);
        deliver(h, false, serverIsn, r, serverCuts, retransmit);
        return h;
    }

    private static void deliver(AlgHarness h, boolean client, long isn, byte[] data, List<Integer> cuts,
            boolean retransmit) {
        int pos = 0;
        for (int k = 0; pos < data.length; k++) {
            int n = Math.min(cuts.get(k % cuts.size()), data.length - pos);
            send(h, client, isn + 1 + pos, data, pos, n);
            if (retransmit && k % 2 == 1) {
                int back = Math.min(pos + n, cuts.get((k + 1) % cuts.size()) * 2);
                send(h, client, isn + 1 + pos + n - back, data, pos + n - back, back);
            }
            pos += n;
        }
    }

    private static void send(AlgHarness h, boolean client, long seq, byte[] data, int off, int n) {
        String s = new String(data, off, n, StandardCharsets.ISO_8859_1);
        if (client) {
            h.fromClient(seq & 0xffffffffL, 0, ACK, s);
        } else {
            h.fromServer(seq & 0xffffffffL, 0, ACK, s);
        }
    }
}
