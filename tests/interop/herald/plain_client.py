"""A plain WebSocket JSON client of Herald (`/ws/<site>`), recording every message it receives and how the
connection closed."""
import json
import threading
import urllib.parse

import websocket

from loopback import wait_until

TIMEOUT = 8


class PlainClient:
    """Connects at once; a reader thread records messages (parsed JSON) and the close code."""

    def __init__(self, server_url, site, token=None, device="device-1", query=None, path=None):
        params = dict(query or {})
        if token is not None:
            params["token"] = token
        if device is not None:
            params["deviceId"] = device
        url = server_url.replace("http://", "ws://").replace("https://", "wss://")
        self.url = f"{url}{path or '/ws/' + site}?{urllib.parse.urlencode(params)}"
        self.messages = []
        self.close_code = None
        self.closed = threading.Event()
        self.condition = threading.Condition()
        self.ws = websocket.create_connection(self.url, timeout=TIMEOUT)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        try:
            while True:
                opcode, frame = self.ws.recv_data_frame(True)
                if opcode == websocket.ABNF.OPCODE_CLOSE:
                    data = frame.data or b""
                    self.close_code = int.from_bytes(data[:2], "big") if len(data) >= 2 else None
                    break
                if opcode == websocket.ABNF.OPCODE_TEXT:
                    with self.condition:
                        self.messages.append(json.loads(frame.data.decode()))
                        self.condition.notify_all()
        except (websocket.WebSocketException, OSError):
            pass
        finally:
            self.closed.set()
            with self.condition:
                self.condition.notify_all()

    def send(self, message):
        self.ws.send(message if isinstance(message, str) else json.dumps(message))

    def of_type(self, kind):
        with self.condition:
            return [message for message in self.messages if message["type"] == kind]

    def events(self, name=None):
        return [m for m in self.of_type("event") if name is None or m["event"] == name]

    def wait_for(self, predicate, describe, timeout=TIMEOUT):
        """Waits until `predicate(messages)` holds; returns the messages then."""
        with self.condition:
            if not self.condition.wait_for(lambda: predicate(self.messages) or self.closed.is_set(), timeout):
                raise AssertionError(f"not within {timeout} s: {describe}; got {self.messages}")
            assert predicate(self.messages), f"closed ({self.close_code}) before {describe}; got {self.messages}"
            return list(self.messages)

    def wait_for_event(self, name, count=1):
        self.wait_for(lambda ms: len([m for m in ms if m["type"] == "event" and m["event"] == name]) >= count,
                      f"{count} × event {name}")
        return self.events(name)

    def wait_for_type(self, kind, count=1):
        self.wait_for(lambda ms: len([m for m in ms if m["type"] == kind]) >= count, f"{count} × {kind}")
        return self.of_type(kind)

    def wait_closed(self, timeout=TIMEOUT):
        assert self.closed.wait(timeout), f"still open after {timeout} s; got {self.messages}"
        return self.close_code

    def ack(self, *ids):
        self.send({"type": "ack", "ids": list(ids)} if len(ids) != 1 else {"type": "ack", "id": ids[0]})

    def request(self, kind, ref, **fields):
        """Sends a `kind` request (subscribe, publish, rpc, …) with `ref` and returns the `data` of its reply."""
        self.send({"type": kind, "ref": ref, **fields})
        self.wait_for(lambda ms: any(m["type"] == "reply" and m["ref"] == ref for m in ms), f"the reply to ref {ref}")
        return next(m["data"] for m in self.of_type("reply") if m["ref"] == ref)

    def close(self):
        try:
            self.ws.close()
        except (websocket.WebSocketException, OSError):
            pass
        self.reader.join(TIMEOUT)


def wait_connected(client):
    """Waits for the `settings` message that follows admission."""
    client.wait_for_type("settings")
    return client


__all__ = ["PlainClient", "wait_connected", "wait_until"]
