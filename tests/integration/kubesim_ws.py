#!/usr/bin/env python3
"""kubesim_ws.py: a minimal RFC 6455 client for the kubesim tests (sourced by no test: run
as a program). It speaks to kubesim the way a non-SPDY Kubernetes client does (the official
Python client's v4.channel.k8s.io), so that the tests check kubesim's WebSocket protocols
with a client that is not kubectl, and can send what no well-behaved client sends.

  kubesim_ws.py URL PROTOCOL [--token T] [--ca FILE] [--send CHAN:TEXT]... [--close-stdin]
                [--unmasked] [--read-first N] [--timeout S]

Prints the handshake status line, then one line per message received:
"msg OPCODE CHANNEL HEXDATA", and "close CODE" when the server closes. Exit 0 when the
connection ended (closed or EOF), 1 on a timeout.
"""
import argparse
import base64
import os
import socket
import ssl
import struct
import sys
import urllib.parse


def connect(url, protocol, token, ca):
    u = urllib.parse.urlsplit(url)
    sock = socket.create_connection((u.hostname, u.port), timeout=10)
    if u.scheme in ("https", "wss"):
        ctx = ssl.create_default_context(cafile=ca) if ca else ssl._create_unverified_context()
        ctx.check_hostname = False
        sock = ctx.wrap_socket(sock, server_hostname=u.hostname)
    key = base64.b64encode(os.urandom(16)).decode()
    path = u.path + ("?" + u.query if u.query else "")
    lines = [f"GET {path} HTTP/1.1", f"Host: {u.hostname}:{u.port}", "Upgrade: websocket",
             "Connection: Upgrade", f"Sec-WebSocket-Key: {key}", "Sec-WebSocket-Version: 13"]
    if protocol:
        lines.append(f"Sec-WebSocket-Protocol: {protocol}")
    if token:
        lines.append(f"Authorization: Bearer {token}")
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    buf = b""
    while b"\r\n\r\n" not in buf:
        d = sock.recv(4096)
        if not d:
            break
        buf += d
    head, _, rest = buf.partition(b"\r\n\r\n")
    return sock, head.decode(errors="replace"), rest


def frame(opcode, payload, masked=True):
    hdr = bytes([0x80 | opcode])
    n = len(payload)
    bit = 0x80 if masked else 0
    if n < 126:
        hdr += bytes([bit | n])
    elif n < 65536:
        hdr += bytes([bit | 126]) + struct.pack(">H", n)
    else:
        hdr += bytes([bit | 127]) + struct.pack(">Q", n)
    if masked:
        m = os.urandom(4)
        hdr += m
        payload = bytes(c ^ m[i % 4] for i, c in enumerate(payload))
    return hdr + payload


def frames(sock, buf):
    while True:
        while len(buf) < 2:
            d = sock.recv(65536)
            if not d:
                return
            buf += d
        n = buf[1] & 0x7F
        off = 2
        if n == 126:
            while len(buf) < 4:
                buf += sock.recv(65536)
            n = struct.unpack(">H", buf[2:4])[0]
            off = 4
        elif n == 127:
            while len(buf) < 10:
                buf += sock.recv(65536)
            n = struct.unpack(">Q", buf[2:10])[0]
            off = 10
        while len(buf) < off + n:
            d = sock.recv(65536)
            if not d:
                return
            buf += d
        yield buf[0] & 0x0F, buf[off:off + n]
        buf = buf[off + n:]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("protocol")
    ap.add_argument("--token")
    ap.add_argument("--ca")
    ap.add_argument("--send", action="append", default=[])
    ap.add_argument("--close-stdin", action="store_true")
    ap.add_argument("--unmasked", action="store_true")
    ap.add_argument("--read-first", type=int, default=0)
    ap.add_argument("--timeout", type=float, default=10)
    a = ap.parse_args()
    sock, head, rest = connect(a.url, a.protocol, a.token, a.ca)
    print(head.splitlines()[0] if head else "no answer")
    if " 101 " not in (head.splitlines()[0] if head else ""):
        want = 0
        for line in head.splitlines():
            if line.lower().startswith("content-length:"):
                want = int(line.split(":", 1)[1])
        sock.settimeout(a.timeout)
        while len(rest) < want:
            d = sock.recv(65536)
            if not d:
                break
            rest += d
        print(head)
        sys.stdout.write(rest.decode(errors="replace") + "\n")
        return 0
    sock.settimeout(a.timeout)
    got = 0
    sent = False
    try:
        for op, data in frames(sock, rest):
            if op == 8:
                code = struct.unpack(">H", data[:2])[0] if len(data) >= 2 else 0
                print(f"close {code}")
                try:
                    sock.sendall(frame(8, data[:2]))
                except OSError:
                    pass
                return 0
            print(f"msg {op} {data[0] if data else -1} {data[1:].hex()}", flush=True)
            got += 1
            if not sent and got >= a.read_first:
                sent = True
                for s in a.send:
                    chan, _, text = s.partition(":")
                    payload = bytes([int(chan)]) + text.encode().decode("unicode_escape").encode("latin-1")
                    sock.sendall(frame(2, payload, masked=not a.unmasked))
                if a.close_stdin:
                    sock.sendall(frame(2, bytes([255, 0])))
        print("eof")
        return 0
    except socket.timeout:
        print("timeout")
        return 1


if __name__ == "__main__":
    sys.exit(main())
