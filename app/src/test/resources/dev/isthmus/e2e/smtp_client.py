"""The SMTP clients of the relay tests that swaks cannot be: a raw dialogue, and a bounded flood.

    smtp_client.py dialog HOST PORT SOURCE COMMAND...
        One connection from SOURCE ("-": any), every reply printed, each COMMAND sent in turn and
        printed as "> COMMAND" before its reply. "DATA" that gets 354 is followed by a message
        and "." (so that a relay that wrongly accepted a recipient really sends the message on,
        for the sinks to catch). A closed connection ends the dialogue with "closed".

    smtp_client.py flood HOST PORT FROM TO FIRST COUNT RESULTS THREADS SECONDS
        Sends messages FIRST .. FIRST+COUNT-1, THREADS sessions at once, one connection per
        attempt, for at most SECONDS. Attempt A of message N has Subject and Message-ID crash-N.A,
        so that each attempt's fate can be told apart, and ends in RESULTS as "N.A STATE": "ok"
        (250 to the final dot), "refused" (any other reply, or no connection, or the connection
        lost before the final dot was sent: the relay cannot have it; the message is tried again
        while SECONDS last) or "in-doubt" (the dot was sent and the connection was lost before a
        reply: the relay may or may not have it, RFC 5321 section 6.1; not sent again, so that a
        copy can only come from the relay).
"""
import socket
import sys
import threading
import time


class Closed(Exception):
    pass


class Session:
    def __init__(self, host, port, source, timeout):
        src = None if source in (None, '-') else (source, 0)
        self.sock = socket.create_connection((host, port), timeout=timeout, source_address=src)
        self.file = self.sock.makefile('rb')

    def reply(self):
        lines = []
        while True:
            line = self.file.readline()
            if not line:
                raise Closed()
            lines.append(line.decode('latin-1').rstrip('\r\n'))
            if line[3:4] != b'-':
                return int(lines[0][:3]), '\n'.join(lines)

    def send(self, text):
        self.sock.sendall(text.encode('utf-8') + b'\r\n')

    def close(self):
        try:
            self.send('QUIT')
            self.reply()
        except (OSError, Closed):
            pass
        self.sock.close()


def message(subject, size=1000):
    body = ('x' * 72 + '\r\n') * (size // 74 + 1)
    return ('From: <client@client.test>\r\nTo: <rcpt@test>\r\nSubject: %s\r\nMessage-ID: <%s@client.test>\r\n\r\n%s'
            % (subject, subject, body))


def dialog(host, port, source, commands):
    try:
        s = Session(host, port, source, 10)
    except OSError as e:
        print('closed: %s' % e)
        return
    try:
        print(s.reply()[1])
        for c in commands:
            s.send(c)
            print('> ' + c)
            code, text = s.reply()
            print(text)
            if c.upper() == 'DATA' and code == 354:
                s.sock.sendall(message('probe-' + c).encode() + b'\r\n.\r\n')
                print('> .')
                print(s.reply()[1])
        s.close()
    except (OSError, Closed):
        print('closed')


def one(host, port, sender, rcpt, subject):
    """Sends one message; returns ok, refused or in-doubt."""
    try:
        s = Session(host, port, None, 5)
    except OSError:
        return 'refused'
    sent_dot = False
    try:
        if s.reply()[0] != 220:
            return 'refused'
        for c in ('EHLO client.test', 'MAIL FROM:<%s>' % sender, 'RCPT TO:<%s>' % rcpt):
            s.send(c)
            if s.reply()[0] != 250:
                return 'refused'
        s.send('DATA')
        if s.reply()[0] != 354:
            return 'refused'
        s.sock.sendall(message(subject).encode() + b'\r\n.\r\n')
        sent_dot = True
        code = s.reply()[0]
        s.close()
        return 'ok' if code == 250 else 'refused'
    except (OSError, Closed):
        return 'in-doubt' if sent_dot else 'refused'
    finally:
        s.sock.close()


def flood(host, port, sender, rcpt, first, count, results, threads, seconds):
    deadline = time.monotonic() + seconds
    todo = list(range(first, first + count))
    lock = threading.Lock()
    out = open(results, 'w')

    def worker():
        while True:
            with lock:
                if not todo:
                    return
                n = todo.pop(0)
            attempt = 0
            while time.monotonic() < deadline:
                attempt += 1
                state = one(host, port, sender, rcpt, 'crash-%d.%d' % (n, attempt))
                with lock:
                    out.write('%d.%d %s\n' % (n, attempt, state))
                    out.flush()
                if state != 'refused':
                    break
                time.sleep(0.05)

    ts = [threading.Thread(target=worker) for _ in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    out.close()


def main():
    mode, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if mode == 'dialog':
        dialog(host, port, sys.argv[4], sys.argv[5:])
    else:
        sender, rcpt, first, count, results, threads, seconds = sys.argv[4:11]
        flood(host, port, sender, rcpt, int(first), int(count), results, int(threads), float(seconds))


if __name__ == '__main__':
    main()
