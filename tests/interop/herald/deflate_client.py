"""A WebSocket client on a bare socket that shows what the wire carries: each frame's RSV1 bit and size, compressed
messages (RFC 7692, permessage-deflate) inflated with Python's zlib, and frames sent compressed or not by choice."""
import base64
import os
import socket
import struct
import zlib

TIMEOUT = 8


class Frame:
    def __init__(self, opcode, rsv1, payload, wire_size):
        self.opcode = opcode
        self.rsv1 = rsv1
        self.payload = payload
        self.wire_size = wire_size


class DeflateClient:
    """Upgrades `path` on 127.0.0.1:`port`, offering `offer` in `Sec-WebSocket-Extensions` (none if None)."""

    def __init__(self, port, path, offer="permessage-deflate; client_no_context_takeover"):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        key = base64.b64encode(os.urandom(16)).decode()
        lines = [f"GET {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Upgrade: websocket", "Connection: Upgrade",
                 f"Sec-WebSocket-Key: {key}", "Sec-WebSocket-Version: 13"]
        if offer is not None:
            lines.append(f"Sec-WebSocket-Extensions: {offer}")
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        self.buffer = b""
        while b"\r\n\r\n" not in self.buffer:
            self._fill()
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        status, *header_lines = head.decode().split("\r\n")
        assert " 101 " in status, status
        self.headers = {name.strip().lower(): value.strip() for name, value in (line.split(":", 1) for line in header_lines)}
        self.extensions = self.headers.get("sec-websocket-extensions")

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed by the server")
        self.buffer += chunk

    def _take(self, count):
        while len(self.buffer) < count:
            self._fill()
        taken, self.buffer = self.buffer[:count], self.buffer[count:]
        return taken

    def frame(self):
        """The next frame, as sent (a compressed payload is left compressed)."""
        first, second = self._take(2)
        length, size = second & 0x7F, 2
        if length == 126:
            (length,), size = struct.unpack(">H", self._take(2)), size + 2
        elif length == 127:
            (length,), size = struct.unpack(">Q", self._take(8)), size + 8
        payload = self._take(length)
        return Frame(first & 0x0F, bool(first & 0x40), payload, size + length)

    def message(self):
        """(text, frame) of the next text message, Engine.IO pings answered; the text inflated if it was compressed."""
        while True:
            frame = self.frame()
            if frame.opcode == 0x8:
                raise ConnectionError(f"closed with {self.close_code_of(frame)}")
            if frame.opcode != 0x1:
                continue
            data = zlib.decompressobj(-15).decompress(frame.payload + b"\x00\x00\xff\xff") if frame.rsv1 else frame.payload
            text = data.decode()
            if text == "2":
                self.send("3")
                continue
            return text, frame

    def close_code(self):
        """The code of the close frame that comes next (other frames skipped)."""
        while True:
            frame = self.frame()
            if frame.opcode == 0x8:
                return self.close_code_of(frame)

    @staticmethod
    def close_code_of(frame):
        return struct.unpack(">H", frame.payload[:2])[0] if len(frame.payload) >= 2 else None

    def send(self, text, compressed=False, raw=None):
        """Sends `text` in one masked frame, compressed if asked; `raw` sends those bytes as the (RSV1) payload."""
        payload = text.encode() if raw is None else raw
        if compressed and raw is None:
            compressor = zlib.compressobj(wbits=-15)
            payload = compressor.compress(payload) + compressor.flush(zlib.Z_SYNC_FLUSH)
            assert payload.endswith(b"\x00\x00\xff\xff")
            payload = payload[:-4]
        header = bytes([0x81 | (0x40 if compressed else 0)])
        if len(payload) < 126:
            header += bytes([0x80 | len(payload)])
        elif len(payload) < 65536:
            header += bytes([0x80 | 126]) + struct.pack(">H", len(payload))
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", len(payload))
        mask = os.urandom(4)
        masked = bytes(byte ^ mask[index % 4] for index, byte in enumerate(payload))
        self.sock.sendall(header + mask + masked)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def zip_bomb(size):
    """A raw deflate payload (sync-flush tail removed) that inflates to `size` zero bytes."""
    compressor = zlib.compressobj(wbits=-15)
    payload = compressor.compress(b"0" * size) + compressor.flush(zlib.Z_SYNC_FLUSH)
    return payload[:-4]
