#!/usr/bin/python3
"""A real SMTP server for the alert tests (Debian's python3-aiosmtpd).

Usage: smtp_sink.py PORTFILE OUTDIR [USER:PASSWORD]
Listens on 127.0.0.1 on a free port, writes the port to PORTFILE, and saves
each message as OUTDIR/N.json: {"mail_from", "rcpt_tos", "data"}. With
USER:PASSWORD it requires SMTP AUTH with them (over plain text: a test).
"""
import asyncio
import json
import os
import socket
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Sink:
    def __init__(self, outdir):
        self.outdir = outdir
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "data": envelope.content.decode("utf-8", "replace"),
        }
        path = os.path.join(self.outdir, f"{self.count}.json")
        with open(path + ".tmp", "w") as out:
            json.dump(record, out)
        os.rename(path + ".tmp", path)
        return "250 OK"


def main():
    portfile, outdir = sys.argv[1], sys.argv[2]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    options = {}
    if len(sys.argv) > 3:
        user, password = sys.argv[3].split(":", 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = (isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user
                  and auth_data.password.decode() == password)
            return AuthResult(success=ok)

        options = {"authenticator": authenticator, "auth_required": True,
                   "auth_require_tls": False}
    controller = Controller(Sink(outdir), hostname="127.0.0.1", port=port, **options)
    controller.start()
    with open(portfile + ".tmp", "w") as out:
        out.write(str(port))
    os.rename(portfile + ".tmp", portfile)
    try:
        asyncio.new_event_loop().run_forever()
    finally:
        controller.stop()


main()
