"""The IPv4-only pyftpdlib server of FtpAlgE2E and bench/ftp.sh.

Usage: ftp_server.py ADDRESS PORT ROOT [--no-extended]

Anonymous login with full rights in ROOT. With --no-extended, EPSV and EPRT (RFC 2428) are
removed from the command table, as on an old IPv4-only server: a client behind the NAT64 can
then only reach it through the ALG's EPSV -> PASV and EPRT -> PORT rewriting (RFC 6384 §4).

Every data connection is logged as "data-connection data=IP control=IP", so that the test can
check that the server saw it come from (passive) or go to (active) the control connection's
address. pyftpdlib refuses a mismatch itself too (permit_foreign_addresses = False).
"""
import logging
import sys

from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import DTPHandler, FTPHandler, proto_cmds
from pyftpdlib.servers import ThreadedFTPServer


class LoggingDTP(DTPHandler):
    def __init__(self, sock, cmd_channel):
        super().__init__(sock, cmd_channel)
        print("data-connection data=%s control=%s" % (sock.getpeername()[0], cmd_channel.remote_ip), flush=True)


def main():
    address, port, root = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    authorizer = DummyAuthorizer()
    authorizer.add_anonymous(root, perm="elradfmwMT")
    handler = type("Handler", (FTPHandler,), {})
    handler.authorizer = authorizer
    handler.dtp_handler = LoggingDTP
    handler.permit_foreign_addresses = False
    handler.passive_ports = range(31000, 31200)
    if "--no-extended" in sys.argv[4:]:
        handler.proto_cmds = {k: v for k, v in proto_cmds.items() if k not in ("EPSV", "EPRT")}
    logging.basicConfig(level=logging.INFO, stream=sys.stdout)
    # A thread per connection: pyftpdlib 1.5.7's single-threaded loop (FTPServer) stops serving
    # some sessions when passive and active transfers run side by side, even over plain IPv4
    # without any translator (the kernel acknowledges a command that is then never answered).
    server = ThreadedFTPServer((address, port), handler)
    server.max_cons = 256
    print("ready", flush=True)
    server.serve_forever()


main()
