"""The final destination of the SMTP relay tests: an aiosmtpd server that records every message.

    smtp_sink.py --listen HOST:PORT --dir DIR [--tempfail DOMAIN=N ...] [--reject DOMAIN ...]
    smtp_sink.py --parse-dsn FILE

Each message it accepts is written to DIR as one file, NNNNNN.msg, its envelope first as header
fields (X-Sink-Peer, X-Sink-Helo, X-Sink-Mail-From, one X-Sink-Rcpt-To per recipient) and then the
content as received, so that the file is itself a message the email package parses. The file is
written under a temporary name and renamed, so a reader never sees half of one.

Per recipient domain, RCPT TO can be refused: --tempfail DOMAIN=N answers 451 to the first N
recipients of that domain (then 250), --reject DOMAIN answers 550 to every one.

--parse-dsn reads a recorded file as a delivery status notification (RFC 3464, in a
multipart/report of RFC 6522) and prints what it found, one "key: value" per line; it exits 1
when the file is not one.
"""
import argparse
import asyncio
import email
import email.policy
import itertools
import logging
import os
import sys

from aiosmtpd.smtp import SMTP


class Sink:
    def __init__(self, directory, tempfail, reject):
        self.directory = directory
        self.tempfail = tempfail
        self.reject = reject
        self.numbers = itertools.count(1)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        domain = address.rpartition('@')[2].lower()
        if domain in self.reject:
            logging.info('RCPT %s: 550 (rejected domain)', address)
            return '550 5.1.1 <%s>: no such user here' % address
        if self.tempfail.get(domain, 0) > 0:
            self.tempfail[domain] -= 1
            logging.info('RCPT %s: 451 (%d more)', address, self.tempfail[domain])
            return '451 4.3.0 <%s>: try again later' % address
        envelope.rcpt_tos.append(address)
        return '250 2.1.5 OK'

    async def handle_DATA(self, server, session, envelope):
        name = '%06d.msg' % next(self.numbers)
        head = ['X-Sink-Peer: %s' % session.peer[0], 'X-Sink-Helo: %s' % session.host_name,
                'X-Sink-Mail-From: <%s>' % envelope.mail_from.strip('<>')]
        head += ['X-Sink-Rcpt-To: <%s>' % r for r in envelope.rcpt_tos]
        data = ('\r\n'.join(head) + '\r\n').encode() + envelope.original_content
        temporary = os.path.join(self.directory, '.' + name + '.tmp')
        with open(temporary, 'wb') as f:
            f.write(data)
        os.rename(temporary, os.path.join(self.directory, name))
        logging.info('recorded %s from %s: <%s> -> %s', name, session.peer[0], envelope.mail_from,
                     envelope.rcpt_tos)
        return '250 2.0.0 recorded as %s' % name


def parse_dsn(path):
    with open(path, 'rb') as f:
        msg = email.message_from_binary_file(f, policy=email.policy.default)
    print('content-type: %s' % msg.get_content_type())
    print('report-type: %s' % msg.get_param('report-type'))
    print('mail-from: %s' % msg['X-Sink-Mail-From'])
    if msg.get_content_type() != 'multipart/report':
        return 1
    found = False
    for part in msg.iter_parts():
        print('part: %s' % part.get_content_type())
        if part.get_content_type() != 'message/delivery-status':
            continue
        found = True
        # The per-message fields and then one group per recipient (RFC 3464 §2.1).
        for group in part.get_payload():
            for key, value in group.items():
                print('%s: %s' % (key.lower(), value))
    return 0 if found else 1


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--listen')
    p.add_argument('--dir')
    p.add_argument('--hostname', default='sink.test')
    p.add_argument('--tempfail', action='append', default=[])
    p.add_argument('--reject', action='append', default=[])
    p.add_argument('--parse-dsn')
    a = p.parse_args()
    if a.parse_dsn:
        sys.exit(parse_dsn(a.parse_dsn))
    logging.basicConfig(level=logging.INFO, stream=sys.stdout, format='%(asctime)s %(message)s')
    host, _, port = a.listen.rpartition(':')
    host = host.strip('[]')
    tempfail = {d.lower(): int(n) for d, n in (t.split('=') for t in a.tempfail)}
    sink = Sink(a.dir, tempfail, {d.lower() for d in a.reject})
    loop = asyncio.new_event_loop()
    loop.run_until_complete(loop.create_server(
        lambda: SMTP(sink, hostname=a.hostname, enable_SMTPUTF8=True, data_size_limit=None), host, int(port)))
    logging.info('listening on %s', a.listen)
    sys.stdout.flush()
    loop.run_forever()


if __name__ == '__main__':
    main()
