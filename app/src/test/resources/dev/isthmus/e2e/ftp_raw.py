"""A scripted FTP control connection for FtpAlgE2E, where curl and lftp cannot say what the test needs.

Usage: ftp_raw.py HOST PORT STEP...

Logs in as anonymous, then runs each STEP and prints "> sent" and "< reply" lines:
  COMMAND     sends COMMAND CRLF and prints the (possibly multi-line) reply
  split:A|B   sends A, waits 300 ms, sends B CRLF: with TCP_NODELAY, two TCP segments
  retr:NAME   EPSV, then RETR NAME over the data connection; prints "data sha256=HEX bytes=N"
  retr-split:NAME  the same with the EPSV sent as two segments ("EP", "SV")
"""
import hashlib
import re
import socket
import sys
import time

host, port = sys.argv[1], int(sys.argv[2])
control = socket.create_connection((host, port), timeout=10)
control.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
replies = control.makefile("rb")


def reply():
    lines = []
    while True:
        line = replies.readline().decode("latin-1")
        if not line:
            lines.append("(connection closed)")
            break
        lines.append(line.rstrip("\r\n"))
        if re.match(r"^\d{3} ", line):
            break
    for line in lines:
        print("< " + line, flush=True)
    return lines[-1]


def send(*parts):
    print("> " + "".join(parts), flush=True)
    for i, part in enumerate(parts):
        if i:
            time.sleep(0.3)
        control.sendall(part.encode("latin-1"))
    control.sendall(b"\r\n")
    return reply()


reply()
if send("USER anonymous").startswith("331"):
    send("PASS test@example.com")
for step in sys.argv[3:]:
    if step.startswith("split:"):
        send(*step[len("split:"):].split("|"))
    elif step.startswith("retr:") or step.startswith("retr-split:"):
        name = step.split(":", 1)[1]
        send("TYPE I")
        epsv = send("EP", "SV") if step.startswith("retr-split:") else send("EPSV")
        m = re.search(r"\(\|\|\|(\d+)\|\)", epsv)
        if not m:
            print("data none: no 229 reply", flush=True)
            continue
        data = socket.create_connection((host, int(m.group(1))), timeout=10)
        if not send("RETR " + name).startswith("1"):  # 125 or 150 (RFC 959 §4.2)
            data.close()
            continue
        digest, size = hashlib.sha256(), 0
        while chunk := data.recv(65536):
            digest.update(chunk)
            size += len(chunk)
        data.close()
        print("data sha256=%s bytes=%d" % (digest.hexdigest(), size), flush=True)
        reply()
    else:
        send(step)
send("QUIT")
