"""The IPv4-only web server of HttpGatewayE2E: files from a directory, HTTP/1.1 keep-alive,
GET /headers answers with the request's headers (what the proxy told the server), POST answers
with the number of body bytes it read. Standard library only.

usage: web_server.py DIRECTORY ADDRESS PORT
"""
import http.server
import os
import sys


class Handler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        if self.path == "/headers":
            self.answer(str(self.headers).encode())
        else:
            super().do_GET()

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        got = 0
        while got < n:
            chunk = self.rfile.read(min(65536, n - got))
            if not chunk:
                break
            got += len(chunk)
        self.answer(("%d\n" % got).encode())

    def answer(self, body):
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


os.chdir(sys.argv[1])
http.server.ThreadingHTTPServer((sys.argv[2], int(sys.argv[3])), Handler).serve_forever()
