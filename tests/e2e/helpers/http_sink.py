#!/usr/bin/python3
"""A real HTTP server for the webhook tests.

Usage: http_sink.py PORTFILE OUTDIR [STATUS]
Listens on 127.0.0.1 on a free port, writes the port to PORTFILE, answers
each POST with STATUS (default 200) and saves it as OUTDIR/N.json:
{"path", "headers", "body"}.
"""
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

portfile, outdir = sys.argv[1], sys.argv[2]
status = int(sys.argv[3]) if len(sys.argv) > 3 else 200
count = 0


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        global count
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length).decode("utf-8", "replace")
        count += 1
        path = os.path.join(outdir, f"{count}.json")
        with open(path + ".tmp", "w") as out:
            json.dump({"path": self.path, "headers": dict(self.headers), "body": body}, out)
        os.rename(path + ".tmp", path)
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


server = HTTPServer(("127.0.0.1", 0), Handler)
with open(portfile + ".tmp", "w") as out:
    out.write(str(server.server_address[1]))
os.rename(portfile + ".tmp", portfile)
server.serve_forever()
