"""A fake Slack Socket Mode endpoint on 127.0.0.1 (a free port), enough for slack_sdk's built-in client.

It speaks the WebSocket protocol (RFC 6455) by hand with the standard library, since no WebSocket
server is among the project's dependencies: the opening handshake, a ``hello``, envelopes pushed by
the test as text frames, pongs to the client's pings, and the client's acknowledgements recorded
(https://api.slack.com/apis/socket-mode#acknowledge).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import socket
import struct
import threading
from typing import Any

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
TEXT, CLOSE, PING, PONG = 0x1, 0x8, 0x9, 0xA


class FakeSocketMode:
    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._conn: socket.socket | None = None
        self._send_lock = threading.Lock()
        self._cond = threading.Condition()
        self.acks: list[dict[str, Any]] = []
        self.sessions = 0
        threading.Thread(target=self._accept, name="fake-socket-mode", daemon=True).start()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self._listener.getsockname()[1]}/link/?ticket=fake-ticket&app_id=A0ACTIONBOT"

    def close(self) -> None:
        self._listener.close()
        with self._cond:
            if self._conn is not None:
                self._conn.close()

    # -- the test's side --------------------------------------------------------------------------
    def push(self, envelope: dict[str, Any], timeout: float = 20.0) -> None:
        with self._cond:
            if not self._cond.wait_for(lambda: self._conn is not None, timeout):
                raise AssertionError("no Socket Mode client connected")
            conn = self._conn
        assert conn is not None
        self._send(conn, TEXT, json.dumps(envelope).encode())

    def wait_ack(self, envelope_id: str, timeout: float = 10.0) -> dict[str, Any]:
        def acked() -> bool:
            return any(a.get("envelope_id") == envelope_id for a in self.acks)

        with self._cond:
            if not self._cond.wait_for(acked, timeout):
                raise AssertionError(f"envelope {envelope_id} was not acknowledged; acks: {self.acks}")
            return next(a for a in self.acks if a.get("envelope_id") == envelope_id)

    # -- the protocol -----------------------------------------------------------------------------
    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._session, args=(conn,), daemon=True).start()

    def _send(self, conn: socket.socket, opcode: int, payload: bytes) -> None:
        length = len(payload)
        if length < 126:
            header = struct.pack("!BB", 0x80 | opcode, length)
        elif length < 65536:
            header = struct.pack("!BBH", 0x80 | opcode, 126, length)
        else:
            header = struct.pack("!BBQ", 0x80 | opcode, 127, length)
        with self._send_lock:
            conn.sendall(header + payload)

    def _session(self, conn: socket.socket) -> None:
        buffer = b""
        while b"\r\n\r\n" not in buffer:
            chunk = conn.recv(4096)
            if not chunk:
                return
            buffer += chunk
        head, _, buffer = buffer.partition(b"\r\n\r\n")
        match = re.search(rb"(?im)^sec-websocket-key:\s*(\S+)", head)
        if match is None:
            conn.close()
            return
        accept = base64.b64encode(hashlib.sha1(match.group(1) + GUID.encode()).digest())
        conn.sendall(
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            b"Sec-WebSocket-Accept: " + accept + b"\r\n\r\n"
        )
        with self._cond:
            self._conn = conn
            self.sessions += 1
            self._cond.notify_all()
        hello = {"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A0ACTIONBOT"}}
        self._send(conn, TEXT, json.dumps(hello).encode())
        reader = _Reader(conn, buffer)
        while True:
            frame = reader.frame()
            if frame is None:
                return
            opcode, payload = frame
            if opcode == PING:
                self._send(conn, PONG, payload)
            elif opcode == CLOSE:
                try:
                    self._send(conn, CLOSE, payload[:2])
                finally:
                    conn.close()
                return
            elif opcode == TEXT:
                with self._cond:
                    self.acks.append(json.loads(payload))
                    self._cond.notify_all()


class _Reader:
    """Client frames (always masked), read from a socket with leftover bytes."""

    def __init__(self, conn: socket.socket, buffer: bytes) -> None:
        self.conn = conn
        self.buffer = buffer

    def _exactly(self, n: int) -> bytes | None:
        while len(self.buffer) < n:
            try:
                chunk = self.conn.recv(4096)
            except OSError:
                return None
            if not chunk:
                return None
            self.buffer += chunk
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def frame(self) -> tuple[int, bytes] | None:
        head = self._exactly(2)
        if head is None:
            return None
        opcode, length = head[0] & 0x0F, head[1] & 0x7F
        if length == 126:
            extended = self._exactly(2)
            if extended is None:
                return None
            length = struct.unpack("!H", extended)[0]
        elif length == 127:
            extended = self._exactly(8)
            if extended is None:
                return None
            length = struct.unpack("!Q", extended)[0]
        mask = self._exactly(4) if head[1] & 0x80 else b"\0\0\0\0"
        payload = self._exactly(length)
        if mask is None or payload is None:
            return None
        return opcode, bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
