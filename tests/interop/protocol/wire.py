"""Raw Engine.IO over HTTP and WebSocket, for tests that must see exactly what goes over the wire."""
import json
import threading
import time

import requests
import websocket

TIMEOUT = 5


def endpoint(server, path="/socket.io/", **query):
    params = "&".join(f"{key}={value}" for key, value in query.items())
    return f"{server.url}{path}?{params}"


def decode_v4(body):
    return body.split("\x1e") if body else []


def js_length(text):
    """Length as JavaScript counts it (UTF-16 code units): the unit of v3 text payload prefixes."""
    return len(text.encode("utf-16-le")) // 2


def decode_v3_text(body):
    """Splits a v3 text payload `<len>:<packet>...`."""
    units = body.encode("utf-16-le")
    packets, index = [], 0
    while index < len(units):
        colon = units.index(":".encode("utf-16-le"), index)
        while (colon - index) % 2:
            colon = units.index(":".encode("utf-16-le"), colon + 1)
        length = int(units[index:colon].decode("utf-16-le"))
        start = colon + 2
        packets.append(units[start : start + 2 * length].decode("utf-16-le"))
        index = start + 2 * length
    return packets


def encode_v3_text(packets):
    return "".join(f"{js_length(packet)}:{packet}" for packet in packets)


class PollingSession:
    """An Engine.IO session driven by hand over HTTP long-polling."""

    def __init__(self, server, eio=4, path="/socket.io/", headers=None, b64=False):
        self.server, self.eio, self.path = server, eio, path
        self.extra_query = {"b64": 1} if b64 else {}
        response = requests.get(
            endpoint(server, path, EIO=eio, transport="polling", **self.extra_query), headers=headers, timeout=TIMEOUT
        )
        assert response.status_code == 200, response.text
        self.handshake_response = response
        packets = self.decode(response.text)
        assert packets[0].startswith("0"), packets
        self.open = json.loads(packets[0][1:])
        self.sid = self.open["sid"]
        self.extra = packets[1:]

    @property
    def url(self):
        return endpoint(self.server, self.path, EIO=self.eio, transport="polling", sid=self.sid, **self.extra_query)

    def decode(self, body):
        return decode_v4(body) if self.eio == 4 else decode_v3_text(body)

    def encode(self, packets):
        return "\x1e".join(packets) if self.eio == 4 else encode_v3_text(packets)

    def get(self):
        return requests.get(self.url, timeout=TIMEOUT)

    def poll(self):
        response = self.get()
        assert response.status_code == 200, (response.status_code, response.text)
        return self.decode(response.text)

    def post(self, packets):
        return requests.post(self.url, data=self.encode(packets).encode("utf-8"), timeout=TIMEOUT)

    def poll_in_background(self):
        """Starts a GET on its own thread and returns (thread, result dict) once the server holds that GET parked.

        The conformance server says so at /_conformance/waiting-poll; asking it (rather than sleeping) is what
        makes a test that then sends a close packet, a second GET or an upgrade probe judge a GET that really waits.
        """
        result = {}

        def run():
            response = self.get()
            result["status"], result["body"] = response.status_code, response.text

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        self.wait_until_get_waits(thread, result)
        return thread, result

    def wait_until_get_waits(self, thread, result):
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            answer = requests.get(f"{self.server.url}/_conformance/waiting-poll?sid={self.sid}", timeout=TIMEOUT)
            if answer.text == "true":
                return
            if not thread.is_alive():
                raise AssertionError(f"the GET was answered before anything was sent: {result}")
            time.sleep(0.005)
        raise AssertionError(f"the server never held the GET within {TIMEOUT} s")


def open_websocket(server, path="/socket.io/", **query):
    query.setdefault("EIO", 4)
    query.setdefault("transport", "websocket")
    url = endpoint(server, path, **query).replace("http://", "ws://")
    return websocket.create_connection(url, timeout=TIMEOUT)


def socketio_websocket_client(server):
    """A v5 client on a WebSocket that has joined `/` and read its `auth` event."""
    ws = open_websocket(server)
    assert ws.recv().startswith("0{")
    ws.send("40")
    assert ws.recv().startswith('40{"sid":')
    assert ws.recv() == '42["auth",{}]'
    return ws


def recv_skipping_pings(ws):
    """Next frame that is not a heartbeat ping (answering the ping so the session stays up)."""
    while True:
        frame = ws.recv()
        if frame == "2":
            ws.send("3")
            continue
        return frame


def assert_closed(ws):
    """The server closed this WebSocket: a close frame or end of stream, and nothing else, arrives."""
    ws.settimeout(TIMEOUT)
    try:
        while True:
            opcode, data = ws.recv_data(control_frame=True)
            if opcode == websocket.ABNF.OPCODE_CLOSE:
                return data
            assert data in (b"2", b"3"), f"unexpected frame before close: {data!r}"
    except (websocket.WebSocketConnectionClosedException, ConnectionResetError, BrokenPipeError):
        return b""
