#!/usr/bin/python3
"""A loopback stand-in for a Matrix homeserver: the two client-server API
endpoints the matrix alert channel uses, with the rules a real one applies.

matrix_server.py PORTFILE DIR TOKEN ALIAS=ROOM_ID... [--rate-limit N] [--fail N] [--lose N]

- GET  /_matrix/client/v3/directory/room/{alias}: the room id of a known
  alias, else 404 M_NOT_FOUND.
- PUT  /_matrix/client/v3/rooms/{roomId}/send/m.room.message/{txnId}: needs
  "Authorization: Bearer TOKEN" (401 M_MISSING_TOKEN / M_UNKNOWN_TOKEN), a
  known room (403 M_FORBIDDEN: not in the room), a JSON body with msgtype
  and body (400 M_BAD_JSON). A txnId seen before answers the event id it
  got the first time and stores nothing (the spec's idempotency rule).
  The first N sends answer 429 M_LIMIT_EXCEEDED with retry_after_ms 300
  (--rate-limit), or 500 (--fail); or they store the event and then answer
  500, as when the answer is lost on the way back (--lose).

Every request is appended to DIR/requests.jsonl; every stored event is
DIR/events/N.json.
"""
import json
import os
import sys
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

portfile, directory, token = sys.argv[1], sys.argv[2], sys.argv[3]
aliases, rate_limit, fail, lose = {}, 0, 0, 0
args = sys.argv[4:]
while args:
    arg = args.pop(0)
    if arg == "--rate-limit":
        rate_limit = int(args.pop(0))
    elif arg == "--fail":
        fail = int(args.pop(0))
    elif arg == "--lose":
        lose = int(args.pop(0))
    else:
        alias, _, room = arg.partition("=")
        aliases[alias] = room
rooms = set(aliases.values())
transactions = {}
os.makedirs(os.path.join(directory, "events"), exist_ok=True)


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def record(self, body):
        with open(os.path.join(directory, "requests.jsonl"), "a") as out:
            out.write(json.dumps({"method": self.command, "path": self.path,
                                  "authorization": self.headers.get("Authorization", ""),
                                  "body": body}) + "\n")

    def authorized(self):
        given = self.headers.get("Authorization", "")
        if not given.startswith("Bearer "):
            self.answer(401, {"errcode": "M_MISSING_TOKEN", "error": "Missing access token"})
            return False
        if given[len("Bearer "):] != token:
            self.answer(401, {"errcode": "M_UNKNOWN_TOKEN", "error": "Invalid access token passed."})
            return False
        return True

    def do_GET(self):
        self.record("")
        prefix = "/_matrix/client/v3/directory/room/"
        if not self.path.startswith(prefix):
            return self.answer(404, {"errcode": "M_UNRECOGNIZED", "error": "Unrecognized request"})
        alias = urllib.parse.unquote(self.path[len(prefix):])
        if alias not in aliases:
            return self.answer(404, {"errcode": "M_NOT_FOUND", "error": f"Room alias {alias} not found"})
        self.answer(200, {"room_id": aliases[alias], "servers": ["test.example"]})

    def do_PUT(self):
        global rate_limit, fail, lose
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length).decode()
        self.record(body)
        parts = self.path.split("/")
        # ['', '_matrix', 'client', 'v3', 'rooms', ROOM, 'send', 'm.room.message', TXN]
        if len(parts) != 9 or parts[1:5] != ["_matrix", "client", "v3", "rooms"] or parts[6:8] != ["send", "m.room.message"]:
            return self.answer(404, {"errcode": "M_UNRECOGNIZED", "error": "Unrecognized request"})
        if not self.authorized():
            return
        room, txn = urllib.parse.unquote(parts[5]), parts[8]
        if room not in rooms:
            return self.answer(403, {"errcode": "M_FORBIDDEN", "error": "User not in room " + room})
        if rate_limit > 0:
            rate_limit -= 1
            return self.answer(429, {"errcode": "M_LIMIT_EXCEEDED", "error": "Too many requests", "retry_after_ms": 300})
        if fail > 0:
            fail -= 1
            return self.answer(500, {"errcode": "M_UNKNOWN", "error": "Internal server error"})
        try:
            content = json.loads(body)
            assert isinstance(content.get("msgtype"), str) and isinstance(content.get("body"), str)
        except (ValueError, AssertionError):
            return self.answer(400, {"errcode": "M_BAD_JSON", "error": "Content must have msgtype and body"})
        key = (token, txn)
        if key not in transactions:
            number = len(transactions) + 1
            transactions[key] = f"$event{number}"
            with open(os.path.join(directory, "events", f"{number}.json"), "w") as out:
                json.dump({"room_id": room, "txn_id": txn, "content": content}, out)
        if lose > 0:
            lose -= 1
            return self.answer(500, {"errcode": "M_UNKNOWN", "error": "Internal server error"})
        self.answer(200, {"event_id": transactions[key]})


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(portfile + ".tmp", "w") as out:
    out.write(str(server.server_address[1]))
os.rename(portfile + ".tmp", portfile)
server.serve_forever()
