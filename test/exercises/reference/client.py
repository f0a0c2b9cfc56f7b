#!/usr/bin/env python3
"""A reference solution of exercise 8 (the whole client) in Python, written from docs/PROTOCOL.md
with the standard library and python3-cryptography (AES-GCM, Ed25519) only: what a student of
another language would write. `dhlab check client -- python3 client.py` must pass it.

Usage: python3 client.py [client] --host H --port P --name N --fingerprint SHA256:...
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

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

# RFC 3526 s.3 (2048-bit MODP group 14); g = 2.
MODP14 = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AACAA68FFFFFFFFFFFFFFFF",
    16,
)
GROUPS = {"modp14": MODP14}


class ProtocolError(Exception):
    def __init__(self, code):
        super().__init__(code)
        self.code = code


def lp(data):
    return struct.pack(">I", len(data)) + data


def nonce(seq):
    return b"\x00\x00\x00\x00" + struct.pack(">Q", seq)


def aad(seq):
    return f"dhlab/1 data {seq}".encode()


def say(line):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


class Client:
    def __init__(self, args):
        self.args = args
        self.sock = socket.create_connection((args.host, args.port))
        self.buffer = b""
        self.keys = None
        self.handshake = None
        self.send_seq = 0
        self.receive_seq = 0
        self.waiting = []
        self.input_ended = False
        self.quit_sent = False

    def send_frame(self, frame):
        payload = json.dumps(frame, ensure_ascii=False).encode()
        self.sock.sendall(struct.pack(">I", len(payload)) + payload)

    def seal(self, inner):
        box = AESGCM(self.keys["c2s"]).encrypt(nonce(self.send_seq), json.dumps(inner, ensure_ascii=False).encode(), aad(self.send_seq))
        self.send_frame({"type": "data", "seq": self.send_seq, "box": base64.b64encode(box).decode()})
        self.send_seq += 1

    def open(self, frame):
        # s.5: nonce and AAD from our own counter; any other seq is ERR_DECRYPT.
        if frame.get("seq") != self.receive_seq:
            raise ProtocolError("ERR_DECRYPT")
        box = base64.b64decode(frame["box"], validate=True)
        if len(box) < 16:
            raise ProtocolError("ERR_DECRYPT")
        try:
            plaintext = AESGCM(self.keys["s2c"]).decrypt(nonce(self.receive_seq), box, aad(self.receive_seq))
        except InvalidTag:
            raise ProtocolError("ERR_DECRYPT")
        self.receive_seq += 1
        return json.loads(plaintext)

    def on_server_key(self, frame):
        p = GROUPS.get(frame["group"])
        if p is None:
            raise ProtocolError("ERR_BAD_GROUP")
        size = (p.bit_length() + 7) // 8
        ys = bytes.fromhex(frame["y"])
        y = int.from_bytes(ys, "big")
        # s.4.2: the length, 2 <= y <= p-2, and y^q = 1 (the subgroup of order q).
        if len(ys) != size or not 2 <= y <= p - 2 or pow(y, (p - 1) // 2, p) != 1:
            raise ProtocolError("ERR_BAD_PUBLIC_KEY")
        host_key = bytes.fromhex(frame["host_key"])
        fingerprint = "SHA256:" + base64.b64encode(hashlib.sha256(host_key).digest()).decode().rstrip("=")
        if fingerprint != self.args.fingerprint:
            raise ProtocolError("ERR_HOST_KEY_CHANGED")
        x = secrets.randbits(256)
        yc = pow(2, x, p).to_bytes(size, "big")
        z = pow(y, x, p).to_bytes(size, "big")  # padded to the byte length of p (s.4.3)
        parts = [b"dhlab/1 transcript", self.args.name.encode(), frame["group"].encode(), ys, host_key, yc]
        transcript = hashlib.sha256(b"".join(lp(part) for part in parts)).digest()
        prk = hmac.new(transcript, hashlib.sha256(z).digest(), hashlib.sha256).digest()

        def expand(label):
            return hmac.new(prk, label.encode() + b"\x01", hashlib.sha256).digest()

        self.handshake = {"host_key": host_key, "transcript": transcript, "c2s": expand("dhlab/1 client to server"), "s2c": expand("dhlab/1 server to client")}
        self.send_frame({"type": "client_key", "y": yc.hex()})

    def on_server_auth(self, frame):
        try:
            Ed25519PublicKey.from_public_bytes(self.handshake["host_key"]).verify(bytes.fromhex(frame["signature"]), self.handshake["transcript"])
        except InvalidSignature:
            raise ProtocolError("ERR_BAD_SIGNATURE")
        self.keys = {"c2s": self.handshake["c2s"], "s2c": self.handshake["s2c"]}
        self.flush_input()

    def on_event(self, event):
        kind = event.get("type")
        if kind == "batch":
            for inner in event["events"]:
                self.on_event(inner)
        elif kind == "join":
            say(f"+ {event['name']}")
        elif kind == "leave":
            say(f"- {event['name']}")
        elif kind == "message":
            say(f"{event['from']}: {event['text']}")
        elif kind == "error":
            raise ProtocolError(event["code"])
        elif kind == "bye":
            if event["code"] != "OK":
                raise ProtocolError(event["code"])
            self.finish()

    def on_frame(self, frame):
        kind = frame.get("type")
        if kind == "error":
            # Once keys exist only a sealed error may end the session (s.7).
            raise ProtocolError("ERR_UNEXPECTED_FRAME" if self.keys else frame["code"])
        if self.keys:
            if kind != "data":
                raise ProtocolError("ERR_UNEXPECTED_FRAME")
            self.on_event(self.open(frame))
        elif self.handshake is None:
            if kind != "server_key":
                raise ProtocolError("ERR_UNEXPECTED_FRAME")
            self.on_server_key(frame)
        else:
            if kind != "server_auth":
                raise ProtocolError("ERR_UNEXPECTED_FRAME")
            self.on_server_auth(frame)

    def on_bytes(self, data):
        if not data:
            if self.quit_sent:
                self.finish()
            raise ProtocolError("ERR_CONNECTION")
        self.buffer += data
        # s.2: a 4-byte big-endian length, then that many bytes, however TCP cut them.
        while len(self.buffer) >= 4:
            (length,) = struct.unpack(">I", self.buffer[:4])
            if not 1 <= length <= 65536:
                raise ProtocolError("ERR_FRAME_LENGTH")
            if len(self.buffer) < 4 + length:
                break
            payload, self.buffer = self.buffer[4 : 4 + length], self.buffer[4 + length :]
            self.on_frame(json.loads(payload))

    def flush_input(self):
        if not self.keys:
            return
        for text in self.waiting:
            self.seal({"type": "chat", "text": text})
        self.waiting = []
        if self.input_ended and not self.quit_sent:
            self.quit_sent = True
            self.seal({"type": "quit"})

    def finish(self):
        self.sock.close()
        sys.exit(0)

    def run(self):
        self.send_frame({"type": "hello", "version": 1, "name": self.args.name})
        selector = selectors.DefaultSelector()
        selector.register(self.sock, selectors.EVENT_READ, "socket")
        selector.register(sys.stdin.fileno(), selectors.EVENT_READ, "stdin")
        stdin_buffer = b""
        while True:
            for key, _ in selector.select():
                if key.data == "socket":
                    self.on_bytes(self.sock.recv(65536))
                    continue
                chunk = os.read(sys.stdin.fileno(), 65536)
                if not chunk:
                    selector.unregister(sys.stdin.fileno())
                    self.input_ended = True
                else:
                    stdin_buffer += chunk
                    *lines, stdin_buffer = stdin_buffer.split(b"\n")
                    self.waiting += [line.decode().rstrip("\r") for line in lines]
                self.flush_input()


def main():
    argv = [a for a in sys.argv[1:] if a != "client"]
    parser = argparse.ArgumentParser()
    for option in ("--host", "--port", "--name", "--fingerprint"):
        parser.add_argument(option, required=True)
    args = parser.parse_args(argv)
    try:
        Client(args).run()
    except ProtocolError as error:
        say(f"ERROR {error.code}")
        sys.exit(1)


if __name__ == "__main__":
    main()
