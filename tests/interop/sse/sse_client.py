"""A Server-Sent Events client over a raw socket, reading `text/event-stream` the way a browser's EventSource does
(WHATWG HTML, "Interpreting an event stream"), so the tests see the exact bytes Herald frames.

A raw socket rather than `requests`: a test needs a client that stops reading while its connection stays open, and
the frames themselves (fields, comments, `retry:`) rather than a library's view of them.
"""
import json
import socket
import threading
import time
import urllib.parse

TIMEOUT = 10


class SSEStream:
    """`GET /sse/<site>?token=…&deviceId=…` on `base_url`. After construction `status` and `headers` (lower-cased
    names) are set; a refusal's body is in `body`, parsed in `error` when it is JSON, a stream's events arrive in `events` (dicts with `id`,
    `event`, `data` (the raw data text) and `args` (the data parsed as JSON)), its comments in `comments`.

    `last_event_id` is sent as `Last-Event-ID`, `query_last_event_id` as the `lastEventId` parameter polyfills use.
    With `read=False` nothing after the head is read: the client stops reading and the server's writes pile up
    (a small receive buffer keeps that from taking long)."""

    def __init__(self, base_url, site, token=None, device="sse-device", last_event_id=None, query_last_event_id=None,
                 headers=None, read=True, method="GET"):
        parsed = urllib.parse.urlsplit(base_url)
        self.host, self.port = parsed.hostname, parsed.port
        query = {}
        if token is not None:
            query["token"] = token
        if device is not None:
            query["deviceId"] = device
        if query_last_event_id is not None:
            query["lastEventId"] = query_last_event_id
        path = f"/sse/{urllib.parse.quote(site, safe='')}?{urllib.parse.urlencode(query)}"
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", "Accept: text/event-stream"]
        if last_event_id is not None:
            lines.append(f"Last-Event-ID: {last_event_id}")
        for name, value in (headers or {}).items():
            lines.append(f"{name}: {value}")
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if not read:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.sock.settimeout(TIMEOUT)
        self.sock.connect((self.host, self.port))
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())

        self.events = []
        self.comments = []
        self.retry = None
        self.last_event_id = ""
        self.error = None
        self.ended = threading.Event()
        self.condition = threading.Condition()
        self._buffer = b""
        self.status, self.headers = self._read_head()
        self.chunked = self.headers.get("transfer-encoding", "").lower() == "chunked"
        if self.status != 200:
            self.body = self._read_body()
            is_json = self.headers.get("content-type", "").startswith("application/json")
            self.error = json.loads(self.body) if is_json else None
            self.sock.close()
            self.ended.set()
            return
        if read:
            self.thread = threading.Thread(target=self._read_stream, daemon=True)
            self.thread.start()

    # --- HTTP ---

    def _recv(self):
        data = self.sock.recv(65536)
        if not data:
            raise EOFError
        self._buffer += data

    def _read_line(self):
        while b"\r\n" not in self._buffer:
            self._recv()
        line, self._buffer = self._buffer.split(b"\r\n", 1)
        return line

    def _read_exact(self, count):
        while len(self._buffer) < count:
            self._recv()
        data, self._buffer = self._buffer[:count], self._buffer[count:]
        return data

    def _read_head(self):
        status_line = self._read_line().decode()
        status = int(status_line.split(" ")[1])
        headers = {}
        while True:
            line = self._read_line().decode()
            if not line:
                return status, headers
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()

    def _chunks(self):
        """The body's bytes as they arrive; ends with the body."""
        if not self.chunked:
            length = int(self.headers.get("content-length", "0"))
            if length:
                yield self._read_exact(length)
            return
        while True:
            size = int(self._read_line().split(b";")[0], 16)
            if size == 0:
                self._read_line()
                return
            yield self._read_exact(size)
            self._read_line()

    def _read_body(self):
        return b"".join(self._chunks()).decode()

    # --- event stream ---

    def _read_stream(self):
        pending = b""
        event = {"data": [], "event": "", "id": None}
        try:
            for chunk in self._chunks():
                pending += chunk
                while True:
                    line, separator, rest = _split_line(pending)
                    if separator is None:
                        break
                    pending = rest
                    event = self._field(line.decode(), event)
        except (EOFError, OSError):
            pass
        finally:
            with self.condition:
                self.ended.set()
                self.condition.notify_all()

    def _field(self, line, event):
        if line == "":
            if event["data"]:
                data = "\n".join(event["data"])
                record = {"id": event["id"], "event": event["event"] or "message", "data": data,
                          "args": json.loads(data)}
                with self.condition:
                    self.events.append(record)
                    self.condition.notify_all()
            return {"data": [], "event": "", "id": None}
        if line.startswith(":"):
            with self.condition:
                self.comments.append(line[1:])
                self.condition.notify_all()
            return event
        name, _, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        if name == "data":
            event["data"].append(value)
        elif name == "event":
            event["event"] = value
        elif name == "id" and "\0" not in value:
            event["id"] = value
            self.last_event_id = value
        elif name == "retry" and value.isdigit():
            self.retry = int(value)
        return event

    # --- for the tests ---

    def named(self, name):
        with self.condition:
            return [e for e in self.events if e["event"] == name]

    def wait_for(self, name, count=1, timeout=TIMEOUT):
        """Waits until `count` events named `name` arrived; returns them."""
        self.wait_until(lambda: len([e for e in self.events if e["event"] == name]) >= count,
                        f"{count} {name!r} event(s)", timeout)
        return self.named(name)

    def wait_until(self, predicate, what, timeout=TIMEOUT):
        deadline = time.monotonic() + timeout
        with self.condition:
            while not predicate():
                left = deadline - time.monotonic()
                assert left > 0 and not (self.ended.is_set() and not predicate()), (
                    f"no {what} within {timeout}s (ended: {self.ended.is_set()}); events: {self.events}"
                )
                self.condition.wait(min(left, 0.5))

    def wait_ended(self, timeout=TIMEOUT):
        assert self.ended.wait(timeout), f"the stream did not end within {timeout}s"

    def drain_until_closed(self, timeout=TIMEOUT):
        """For a client that stopped reading: reads and drops everything until the server closes the connection;
        True when it did within `timeout`."""
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                self.sock.settimeout(max(0.1, deadline - time.monotonic()))
                if not self.sock.recv(1 << 20):
                    return True
        except (ConnectionResetError, BrokenPipeError):
            return True
        except socket.timeout:
            return False
        return False

    def close(self):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
        if hasattr(self, "thread"):
            self.thread.join(TIMEOUT)


def _split_line(data):
    """The first line of `data` ended by CRLF, LF or CR, the separator and the rest; separator None when no full
    line is there yet (a CR at the very end may still be followed by LF)."""
    for index, byte in enumerate(data):
        if byte == 0x0A:
            return data[:index], b"\n", data[index + 1:]
        if byte == 0x0D:
            if index + 1 == len(data):
                return data, None, b""
            if data[index + 1] == 0x0A:
                return data[:index], b"\r\n", data[index + 2:]
            return data[:index], b"\r", data[index + 1:]
    return data, None, b""
