#!/usr/bin/python3
"""Sits in IRC channels and records every line it receives.

irc_listener.py PORT NICK OUT CHANNEL[=KEY]...
Registers as NICK on 127.0.0.1:PORT, joins each channel (the first to join a
channel is its operator: with =KEY it sets the key, so that others need
it), writes OUT.ready once in, then appends every line the server sends to
OUT as JSON ({"prefix", "command", "params", "bytes": its length with
CRLF}) until killed.
"""
import json
import socket
import sys


def parse(line):
    prefix = ""
    if line.startswith(":"):
        prefix, _, line = line[1:].partition(" ")
    trailing = None
    if " :" in line:
        line, _, trailing = line.partition(" :")
    elif line.startswith(":"):
        line, trailing = "", line[1:]
    params = line.split()
    command = params.pop(0).upper() if params else ""
    if trailing is not None:
        params.append(trailing)
    return {"prefix": prefix, "command": command, "params": params}


def main():
    port, nick, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    channels = [c.partition("=") for c in sys.argv[4:]]
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(f"NICK {nick}\r\nUSER {nick} 0 * :test listener\r\n".encode())
    buffer = b""
    joined = 0
    with open(out, "a", encoding="utf-8") as record:
        while True:
            data = sock.recv(4096)
            if not data:
                return
            buffer += data
            while b"\r\n" in buffer:
                raw, buffer = buffer.split(b"\r\n", 1)
                message = parse(raw.decode("utf-8", "replace"))
                message["bytes"] = len(raw) + 2
                record.write(json.dumps(message) + "\n")
                record.flush()
                if message["command"] == "PING":
                    sock.sendall(f"PONG :{message['params'][-1]}\r\n".encode())
                elif message["command"] == "001":
                    for name, _, _ in channels:
                        sock.sendall(f"JOIN {name}\r\n".encode())
                elif message["command"] == "366":
                    name = message["params"][1]
                    for channel, _, key in channels:
                        if channel == name and key:
                            sock.sendall(f"MODE {channel} +k {key}\r\n".encode())
                    joined += 1
                    if joined == len(channels):
                        open(out + ".ready", "w").close()


main()
