#!/usr/bin/env python3
"""A reference solution of exercise 9 (the whole server) in Python, written from docs/PROTOCOL.md
with the standard library and python3-cryptography (AES-GCM, Ed25519) only: what a student of
another language would write. `dhlab check server -- python3 server.py` must pass it.

MISTAKE (an environment variable, for the grader's own tests) plants one known bug: no-validation,
range-only, frame-seq, one-key, unpadded-z, duplicate-names, blocking-writes, wrong-signature; or
misbehaves as a stranger's program may: crash (a traceback at the first hello, with escapes in it).

Usage: python3 server.py [server] --host H --port P --host-key FILE
"""
import argparse
import base64
import hashlib
import hmac
import json
import os
import secrets
import selectors
import socket
import struct
import sys
import unicodedata

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MISTAKE = os.environ.get("MISTAKE", "")

# RFC 3526 s.3 (2048-bit MODP group 14); g = 2, q = (p-1)/2.
P = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AACAA68FFFFFFFFFFFFFFFF",
    16,
)
Q = (P - 1) // 2
SIZE = 256
MAX_QUEUE = 4 * 1024 * 1024


class ProtocolError(Exception):
    def __init__(self, code, message=""):
        super().__init__(code)
        self.code = code
        self.message = message or code


def lp(data):
    return struct.pack(">I", len(data)) + data


def nonce(seq):
    return b"\x00\x00\x00\x00" + struct.pack(">Q", seq)


def aad(seq):
    return f"dhlab/1 data {seq}".encode()


def frame_bytes(frame):
    payload = json.dumps(frame, ensure_ascii=False).encode()
    return struct.pack(">I", len(payload)) + payload


def check_name(name):
    # s.6.1, the part a small server can do: 1 to 32 code points, letters, marks, digits, - _ . ' space.
    if not isinstance(name, str) or not 1 <= len(name) <= 32:
        raise ProtocolError("ERR_BAD_NAME", "a name is 1 to 32 code points")
    for ch in name:
        category = unicodedata.category(ch)
        if not (category[0] in "LM" or category == "Nd" or ch in "-_.' "):
            raise ProtocolError("ERR_BAD_NAME", f"name contains U+{ord(ch):04X}")
    if unicodedata.category(name[0])[0] not in "LN":
        raise ProtocolError("ERR_BAD_NAME", "a name starts with a letter or digit")


def check_text(text):
    if not isinstance(text, str) or not text:
        raise ProtocolError("ERR_EMPTY_MESSAGE")
    if len(text.encode("utf-8", "surrogatepass")) > 4096:
        raise ProtocolError("ERR_MESSAGE_TOO_LONG")
    for ch in text:
        if unicodedata.category(ch) in ("Cc", "Cs") or ch in "\u061c\u200e\u200f\u2028\u2029" or "\u202a" <= ch <= "\u202e" or "\u2066" <= ch <= "\u2069":
            raise ProtocolError("ERR_BAD_TEXT")


class Connection:
    def __init__(self, server, sock):
        self.server = server
        self.sock = sock
        self.inbox = b""
        self.outbox = bytearray()
        self.name = None
        self.member = False
        self.state = "hello"
        self.keys = None
        self.send_seq = 0
        self.receive_seq = 0
        self.closing = False
        if MISTAKE == "blocking-writes":
            sock.setblocking(True)
        else:
            sock.setblocking(False)

    # -- output --------------------------------------------------------------------------------
    def write(self, data):
        if self.closing and not data:
            return
        if MISTAKE == "blocking-writes":
            try:
                self.sock.sendall(data)
            except OSError:
                pass
            return
        self.outbox += data
        self.flush()
        if len(self.outbox) > MAX_QUEUE:
            # s.6: the room never waits for one member.
            self.server.drop(self, "ERR_SLOW_CONSUMER", notify=False)

    def flush(self):
        while self.outbox:
            try:
                sent = self.sock.send(self.outbox)
            except (BlockingIOError, InterruptedError):
                break
            except OSError:
                self.outbox.clear()
                break
            del self.outbox[:sent]
        self.server.want_write(self, bool(self.outbox))
        if self.closing and not self.outbox:
            self.server.forget(self)

    def send_plain(self, frame):
        self.write(frame_bytes(frame))

    def seal(self, inner):
        key = self.keys["c2s"] if MISTAKE == "one-key" else self.keys["s2c"]
        box = AESGCM(key).encrypt(nonce(self.send_seq), json.dumps(inner, ensure_ascii=False).encode(), aad(self.send_seq))
        self.send_plain({"type": "data", "seq": self.send_seq, "box": base64.b64encode(box).decode()})
        self.send_seq += 1

    # -- input ---------------------------------------------------------------------------------
    def on_bytes(self, data):
        self.inbox += data
        # s.2: the length first, checked before the payload is waited for.
        while len(self.inbox) >= 4 and not self.closing:
            (length,) = struct.unpack(">I", self.inbox[:4])
            if not 1 <= length <= 65536:
                raise ProtocolError("ERR_FRAME_LENGTH", f"length {length}")
            if len(self.inbox) < 4 + length:
                return
            payload, self.inbox = self.inbox[4 : 4 + length], self.inbox[4 + length :]
            try:
                frame = json.loads(payload.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                raise ProtocolError("ERR_BAD_JSON", "not UTF-8 JSON")
            if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
                raise ProtocolError("ERR_BAD_JSON", "not an object with a string type")
            self.on_frame(frame)

    def on_frame(self, frame):
        kind = frame["type"]
        if kind not in ("hello", "client_key", "data", "error", "server_key", "server_auth"):
            raise ProtocolError("ERR_UNKNOWN_FRAME", kind)
        if kind != {"hello": "hello", "client_key": "client_key", "established": "data"}[self.state]:
            raise ProtocolError("ERR_UNEXPECTED_FRAME", f"received {kind} instead of {self.state}")
        getattr(self, "on_" + kind)(frame)

    def on_hello(self, frame):
        if MISTAKE == "crash":
            sys.stdout.write("\x1b[2J\x1b]0;pwned\x07")
            sys.stdout.flush()
            raise RuntimeError("\x1b]0;pwned\x07 something broke")
        if frame.get("version") != 1:
            raise ProtocolError("ERR_VERSION")
        name = frame.get("name")
        check_name(name)
        if MISTAKE != "duplicate-names" and name.casefold() in self.server.names:
            raise ProtocolError("ERR_NAME_TAKEN", f'the name "{name}" is taken')
        self.name = name
        self.server.names[name.casefold()] = self
        self.x = secrets.randbits(256)
        self.ys = pow(2, self.x, P).to_bytes(SIZE, "big")
        self.send_plain({"type": "server_key", "group": "modp14", "y": self.ys.hex(), "host_key": self.server.host_public.hex()})
        self.state = "client_key"

    def on_client_key(self, frame):
        text = frame.get("y")
        if not isinstance(text, str) or any(c not in "0123456789abcdef" for c in text) or len(text) % 2:
            raise ProtocolError("ERR_BAD_FRAME", "y is not hex")
        yc = bytes.fromhex(text)
        y = int.from_bytes(yc, "big")
        # s.4.2: the length, 2 <= y <= p-2, and y^q = 1 mod p.
        if MISTAKE != "no-validation":
            if len(yc) != SIZE or not 2 <= y <= P - 2:
                raise ProtocolError("ERR_BAD_PUBLIC_KEY")
            if MISTAKE != "range-only" and pow(y, Q, P) != 1:
                raise ProtocolError("ERR_BAD_PUBLIC_KEY")
        z = pow(y, self.x, P)
        z = z.to_bytes((z.bit_length() + 7) // 8 or 1, "big") if MISTAKE == "unpadded-z" else z.to_bytes(SIZE, "big")
        host_public = self.server.host_public
        parts = [b"dhlab/1 transcript", self.name.encode(), b"modp14", self.ys, host_public, yc]
        transcript = hashlib.sha256(b"".join(lp(part) for part in parts)).digest()
        prk = hmac.new(transcript, hashlib.sha256(z).digest(), hashlib.sha256).digest()

        def expand(label):
            return hmac.new(prk, label.encode() + b"\x01", hashlib.sha256).digest()

        self.keys = {"c2s": expand("dhlab/1 client to server"), "s2c": expand("dhlab/1 server to client")}
        signed = hashlib.sha256(z).digest() if MISTAKE == "wrong-signature" else transcript
        self.send_plain({"type": "server_auth", "signature": self.server.host_key.sign(signed).hex()})
        self.state = "established"
        self.member = True
        members = self.server.members()
        self.seal({"type": "welcome", "name": self.name, "members": members, "count": len(members)})
        self.server.broadcast({"type": "join", "name": self.name}, but=self)

    def on_data(self, frame):
        seq = frame.get("seq")
        box = frame.get("box")
        if not isinstance(seq, int) or not isinstance(box, str):
            raise ProtocolError("ERR_BAD_FRAME")
        # s.5: nonce and AAD from our own counter, never from the frame.
        used = seq if MISTAKE == "frame-seq" else self.receive_seq
        if MISTAKE != "frame-seq" and seq != self.receive_seq:
            raise ProtocolError("ERR_DECRYPT", f"seq {seq} where {self.receive_seq} was expected")
        try:
            plaintext = AESGCM(self.keys["c2s"]).decrypt(nonce(used), base64.b64decode(box, validate=True), aad(used))
        except (InvalidTag, ValueError):
            raise ProtocolError("ERR_DECRYPT", "the tag does not verify")
        self.receive_seq = used + 1
        try:
            inner = json.loads(plaintext)
        except ValueError:
            raise ProtocolError("ERR_BAD_JSON", "the sealed message is not JSON")
        if not isinstance(inner, dict):
            raise ProtocolError("ERR_BAD_JSON", "the sealed message is not an object")
        kind = inner.get("type")
        if kind == "chat":
            check_text(inner.get("text"))
            self.server.say(self, inner["text"])
        elif kind == "who":
            members = self.server.members()
            self.seal({"type": "who", "members": members, "count": len(members)})
        elif kind == "quit":
            self.seal({"type": "bye", "code": "OK", "reason": "goodbye"})
            self.server.drop(self, "quit", notify=False)
        elif kind == "error":
            self.server.drop(self, inner.get("code", "ERR_BAD_FRAME"), notify=False)
        else:
            raise ProtocolError("ERR_UNKNOWN_FRAME", str(kind))


class Server:
    def __init__(self, args):
        with open(args.host_key, "rb") as f:
            self.host_key = serialization.load_pem_private_key(f.read(), None)
        self.host_public = self.host_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        self.listener = socket.create_server((args.host, int(args.port)))
        self.listener.setblocking(False)
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.listener, selectors.EVENT_READ, None)
        self.connections = []
        self.names = {}
        self.next_id = 0

    def members(self):
        return [c.name for c in self.connections if c.member and not c.closing]

    def broadcast(self, inner, but=None):
        for c in list(self.connections):
            if c.member and not c.closing and c is not but:
                c.seal(inner)

    def say(self, sender, text):
        self.broadcast({"type": "message", "id": self.next_id, "from": sender.name, "text": text})
        self.next_id += 1

    def want_write(self, c, wanted):
        if c.sock.fileno() < 0 or MISTAKE == "blocking-writes":
            return
        events = selectors.EVENT_READ | (selectors.EVENT_WRITE if wanted else 0)
        try:
            self.selector.modify(c.sock, events, c)
        except (KeyError, ValueError):
            pass

    def drop(self, c, reason, notify=True, error=None):
        if c.closing:
            return
        if notify and error is not None:
            try:
                if c.keys and c.state == "established":
                    c.seal({"type": "error", "code": error.code, "message": error.message})
                else:
                    c.send_plain({"type": "error", "code": error.code, "message": error.message})
            except OSError:
                pass
        was_member = c.member
        c.closing = True
        c.member = False
        if c.name is not None and self.names.get(c.name.casefold()) is c:
            del self.names[c.name.casefold()]
        if was_member:
            self.broadcast({"type": "leave", "name": c.name, "reason": reason})
        if reason == "ERR_SLOW_CONSUMER":
            c.outbox.clear()
        c.flush()

    def forget(self, c):
        if c in self.connections:
            self.connections.remove(c)
            try:
                self.selector.unregister(c.sock)
            except (KeyError, ValueError):
                pass
            c.sock.close()

    def run(self):
        while True:
            for key, mask in self.selector.select():
                if key.data is None:
                    sock, _ = self.listener.accept()
                    c = Connection(self, sock)
                    self.connections.append(c)
                    self.selector.register(sock, selectors.EVENT_READ, c)
                    continue
                c = key.data
                if mask & selectors.EVENT_WRITE:
                    c.flush()
                if mask & selectors.EVENT_READ and c in self.connections:
                    self.on_readable(c)

    def on_readable(self, c):
        try:
            data = c.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            c.outbox.clear()
            self.drop(c, "ERR_CONNECTION", notify=False)
            self.forget(c)
            return
        if c.closing:
            return
        try:
            c.on_bytes(data)
        except ProtocolError as error:
            self.drop(c, error.code, error=error)


def main():
    argv = [a for a in sys.argv[1:] if a != "server"]
    parser = argparse.ArgumentParser()
    for option in ("--host", "--port", "--host-key"):
        parser.add_argument(option, required=True)
    Server(parser.parse_args(argv)).run()


if __name__ == "__main__":
    main()
