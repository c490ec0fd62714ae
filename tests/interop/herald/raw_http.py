"""Hand-written HTTP/1.1 and WebSocket bytes over one TCP connection, for tests of what a hostile or unusual client
sends: several requests on one connection, upgrades on any of them, frames a library would refuse to write."""
import base64
import os
import select
import socket
import struct
import time

OP_CONTINUATION, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA


def connect(port, timeout=5, receive_buffer=None):
    """A connection to 127.0.0.1:port; `receive_buffer` sets SO_RCVBUF before connecting (a client that reads
    little advertises a small window from the start)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if receive_buffer is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    sock.settimeout(timeout)
    sock.connect(("127.0.0.1", port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def request_bytes(method, target, headers=(), body=b""):
    lines = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{name}: {value}" for name, value in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def upgrade_bytes(target, extra=()):
    key = base64.b64encode(os.urandom(16)).decode()
    return request_bytes(
        "GET",
        target,
        [("Upgrade", "websocket"), ("Connection", "Upgrade"), ("Sec-WebSocket-Key", key), ("Sec-WebSocket-Version", "13"),
         *extra],
    )


class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self):
        return self.body.decode(errors="replace")

    def __repr__(self):
        return f"<Response {self.status} {self.headers} {self.body[:200]!r}>"


class Reader:
    """Buffered reads from a socket: HTTP responses and WebSocket frames."""

    def __init__(self, sock):
        self.sock = sock
        self.buffer = b""

    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise EOFError("connection closed by the server")
        self.buffer += data

    def _take(self, count):
        while len(self.buffer) < count:
            self._fill()
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def _line(self):
        while b"\r\n" not in self.buffer:
            self._fill()
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        return line.decode("latin-1")

    def response(self):
        status_line = self._line()
        status = int(status_line.split(" ")[1])
        headers = {}
        while True:
            line = self._line()
            if not line:
                break
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
        if status == 101:
            return Response(status, headers, b"")
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = b""
            while True:
                size = int(self._line().split(";")[0], 16)
                chunk = self._take(size + 2)[:-2]
                if size == 0:
                    break
                body += chunk
            return Response(status, headers, body)
        return Response(status, headers, self._take(int(headers.get("content-length", "0"))))

    def frame(self):
        """(fin, opcode, payload) of the next server frame (servers never mask)."""
        first, second = self._take(2)
        length = second & 0x7F
        if length == 126:
            (length,) = struct.unpack("!H", self._take(2))
        elif length == 127:
            (length,) = struct.unpack("!Q", self._take(8))
        return bool(first & 0x80), first & 0x0F, self._take(length)

    def text_frame(self):
        """The next text frame's text, answering the server's Engine.IO pings and skipping `_settings` on the way."""
        while True:
            _, opcode, payload = self.frame()
            if opcode == OP_TEXT and payload == b"2":
                self.sock.sendall(frame(OP_TEXT, b"3"))
                continue
            if opcode == OP_TEXT and payload.startswith(b"42/") and b',["_settings"' in payload[:64]:
                continue
            if opcode == OP_TEXT:
                return payload.decode()
            raise AssertionError(f"expected a text frame, got opcode {opcode} {payload[:100]!r}")

    def close_code(self):
        """The status code of the close frame the server sends next (skipping data frames)."""
        while True:
            _, opcode, payload = self.frame()
            if opcode == OP_CLOSE:
                return struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None


def frame(opcode, payload, fin=True, mask=True, rsv=0):
    """One client frame; `rsv` is the 3 RSV bits (4 = RSV1)."""
    first = (0x80 if fin else 0) | (rsv << 4) | opcode
    length = len(payload)
    if length < 126:
        header = struct.pack("!BB", first, (0x80 if mask else 0) | length)
    elif length < 65536:
        header = struct.pack("!BBH", first, (0x80 if mask else 0) | 126, length)
    else:
        header = struct.pack("!BBQ", first, (0x80 if mask else 0) | 127, length)
    if not mask:
        return header + payload
    key = os.urandom(4)
    masked = bytes(b ^ key[i % 4] for i, b in enumerate(payload)) if length < 65536 else _mask_large(payload, key)
    return header + key + masked


def _mask_large(payload, key):
    repeated = (key * (len(payload) // 4 + 1))[: len(payload)]
    return (int.from_bytes(payload, "big") ^ int.from_bytes(repeated, "big")).to_bytes(len(payload), "big")


def _readable(sock, timeout):
    poller = select.poll()  # not select(): the slowloris test holds descriptors above FD_SETSIZE
    poller.register(sock, select.POLLIN | select.POLLERR | select.POLLHUP)
    return bool(poller.poll(max(0, timeout) * 1000))


def closed_by_server(sock, timeout):
    """True when the server closes `sock` (EOF or reset) within `timeout` seconds; unread data is discarded."""
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        if not _readable(sock, remaining):
            return False
        try:
            if not sock.recv(65536):
                return True
        except (ConnectionResetError, BrokenPipeError):
            return True


def still_open(sock):
    """True when the server has not closed `sock` yet (nothing to read, no EOF)."""
    if not _readable(sock, 0):
        return True
    try:
        return bool(sock.recv(65536, socket.MSG_PEEK))
    except (ConnectionResetError, BrokenPipeError):
        return False
