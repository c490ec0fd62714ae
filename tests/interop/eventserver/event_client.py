"""A backend and a listener of the event server, as the original's README describes them: `POST /event` with
`Authorization: Basic <token>`, and a WebSocket that sends one init message and then receives events."""
import json
import os
import ssl
import struct

import requests
import websocket

TIMEOUT = 5


def fire(herald, event, data=None, token=None, authorization=None, body=None, with_data=True):
    """POSTs an event; returns (status, parsed JSON answer or raw text)."""
    headers = {"Content-Type": "application/json"}
    if authorization is not None:
        headers["Authorization"] = authorization
    elif token is not None:
        headers["Authorization"] = f"Basic {token}"
    if body is None:
        payload = {"event": event}
        if with_data:
            payload["data"] = data
        body = json.dumps(payload)
    verify = herald.cert if herald.https else True
    response = requests.post(herald.post_url, data=body, headers=headers, timeout=TIMEOUT, verify=verify)
    try:
        return response.status_code, response.json()
    except ValueError:
        return response.status_code, response.text


class Listener:
    """One listener WebSocket; `init` sends the init message and returns the answer."""

    def __init__(self, herald, url=None):
        options = {}
        if herald.https:
            options["sslopt"] = {"cert_reqs": ssl.CERT_REQUIRED, "ca_certs": herald.cert}
        self.ws = websocket.create_connection(url or herald.ws_url, timeout=TIMEOUT, **options)

    def send_init(self, authentication, events):
        message = {"events": events}
        if authentication is not None:
            message["authentication"] = authentication
        self.ws.send(json.dumps(message))

    def init(self, authentication, events):
        self.send_init(authentication, events)
        return self.next()

    def subscribe(self, token, events):
        assert self.init(f"Basic {token}", events) == {"type": "init", "code": "OK"}
        return self

    def next(self):
        """The next text message, parsed."""
        while True:
            opcode, data = self.ws.recv_data(control_frame=False)
            if opcode == websocket.ABNF.OPCODE_TEXT:
                return json.loads(data.decode())
            if opcode == websocket.ABNF.OPCODE_CLOSE:
                raise AssertionError(f"closed: {close_code(data)}")

    def close_code(self):
        """Reads until the server closes; returns its close code (None when the connection just ended)."""
        try:
            while True:
                frame = self.ws.recv_frame()
                if frame.opcode == websocket.ABNF.OPCODE_CLOSE:
                    return close_code(frame.data)
        except (websocket.WebSocketConnectionClosedException, ConnectionError, OSError):
            return None

    def close(self):
        try:
            self.ws.close(timeout=1)
        except Exception:  # noqa: BLE001 (already closed by the server)
            pass


def raw_frame(opcode, payload, fin=True, rsv1=False):
    """A masked client frame built by hand, for frames websocket-client refuses to build (reserved opcodes, RSV
    bits, invalid UTF-8 text)."""
    mask = os.urandom(4)
    first = (0x80 if fin else 0) | (0x40 if rsv1 else 0) | opcode
    length = len(payload)
    if length < 126:
        header = bytes([first, 0x80 | length])
    elif length < 65536:
        header = bytes([first, 0x80 | 126]) + struct.pack("!H", length)
    else:
        header = bytes([first, 0x80 | 127]) + struct.pack("!Q", length)
    return header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def close_code(data):
    return int.from_bytes(data[:2], "big") if len(data) >= 2 else None


def sentinel(herald, listener, token, event="sentinel"):
    """Fires `event` (which `listener` subscribed to) and returns once it arrives: every message sent to the listener
    before it has arrived by then, so a test shows that something did not arrive by what came before the sentinel."""
    marker = {"sentinel": id(listener)}
    assert fire(herald, event, marker, token=token) == (200, {"code": "OK"})
    return listener.next()
