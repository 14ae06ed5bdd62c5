#!/usr/bin/env python3
"""Sends pipelined HTTP/1.1 requests in one write, as make-captures.sh needs.

curl never pipelines any more and Debian has no nc/socat by default, so a few
lines of socket code are the simplest real client that puts several requests
in a single TCP segment. The last request asks the server to close, so the
client reads until EOF and exits.

Usage: pipeline-client.py HOST PORT PATH...
"""
import socket
import sys


def main() -> None:
    host, port, paths = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    requests = []
    for i, path in enumerate(paths):
        last = i == len(paths) - 1
        requests.append(
            f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: pipeline-client/1\r\n"
            + ("Connection: close\r\n" if last else "")
            + "\r\n"
        )
    with socket.create_connection((host, port), timeout=5) as sock:
        sock.sendall("".join(requests).encode("ascii"))
        while sock.recv(65536):
            pass


if __name__ == "__main__":
    main()
