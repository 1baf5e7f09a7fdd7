package dev.isthmus.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ControlClientTest {

    @TempDir
    Path dir;

    @Test
    void okAndErrorReplies() throws IOException {
        Path socket = dir.resolve("c.sock");
        try (ControlServer s = ControlServer.start(socket, FakeStats.sample(), () -> "[control]\n")) {
            assertEquals(new ControlClient.Reply(true, "[control]\n"), ControlClient.request(socket, "show config"));
            assertEquals(new ControlClient.Reply(false, "unknown request \"nope\" (try \"help\")"),
                    ControlClient.request(socket, "nope"));
            assertTrue(ControlClient.request(socket, "show stats").text().contains("tcp-64"));
        }
    }

    @Test
    void noSocketFileMeansNotRunning() {
        Path socket = dir.resolve("absent.sock");
        IOException e = assertThrows(ControlClient.NotRunningException.class,
                () -> ControlClient.request(socket, "show stats"));
        assertEquals("isthmus is not running (no control socket at " + socket + ")", e.getMessage());
    }

    @Test
    void staleSocketMeansNotRunning() throws IOException {
        Path socket = dir.resolve("stale.sock");
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            dead.bind(UnixDomainSocketAddress.of(socket));
        }
        IOException e = assertThrows(ControlClient.NotRunningException.class,
                () -> ControlClient.request(socket, "show stats"));
        assertTrue(e.getMessage().startsWith("isthmus is not running (nothing answers on control socket " + socket),
                e.getMessage());
    }

    @Test
    void serverThatNeverAnswersTimesOut() throws IOException {
        Path socket = dir.resolve("mute.sock");
        try (ServerSocketChannel mute = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            mute.bind(UnixDomainSocketAddress.of(socket));
            IOException e = assertThrows(IOException.class,
                    () -> ControlClient.request(socket, "show stats", Duration.ofMillis(200)));
            assertTrue(e.getMessage().contains("gave no complete answer within 200 ms"), e.getMessage());
        }
    }

    @Test
    void answerThatIsNotOursIsAnError() {
        IOException e = assertThrows(IOException.class, () -> ControlClient.parseReply("HTTP/1.1 400\r\n"));
        assertEquals("unexpected answer from the control socket: \"HTTP/1.1 400\"", e.getMessage());
        assertThrows(IOException.class, () -> ControlClient.parseReply(""));
    }
}
