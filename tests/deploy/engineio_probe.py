"""A minimal Engine.IO v4 / Socket.IO v5 client that can pick its loopback source address.

Sticky routing by client address is only visible with several client addresses, and all of 127.0.0.0/8 is this
machine, so each simulated client binds its own 127.0.0.N before connecting.
"""
import http.client
import json
import socket
import urllib.parse

import websocket

SITE = "demo"
# The demo site's public token from the repository's sites.yml.
TOKEN = "demo-token-alice-0001"
RECORD_SEPARATOR = "\x1e"


def client_address(index):
    return f"127.0.0.{10 + index}"


def query(device, **extra):
    return urllib.parse.urlencode({"EIO": 4, "token": TOKEN, "deviceId": device, **extra})


def http_request(source, port, method, path, body=None):
    """(status, text) of one request from `source` to 127.0.0.1:port."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(source, 0))
    try:
        headers = {"Content-Type": "text/plain;charset=UTF-8"} if body is not None else {}
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


class PollingOutcome:
    """What one long-polling client saw: its sid, and the first answer that was not the expected one."""

    def __init__(self, sid=None, failure=None):
        self.sid = sid
        self.failure = failure


def polling_session(source, port, device):
    """Handshake, namespace CONNECT by POST, and the poll that brings the CONNECT answer: the three requests of
    one session, each of which must reach the instance that made the session."""
    status, text = http_request(source, port, "GET", f"/socket.io/?{query(device, transport='polling')}")
    if status != 200 or not text.startswith("0{"):
        return PollingOutcome(failure=f"handshake: {status} {text}")
    sid = json.loads(text[1:])["sid"]
    path = f"/socket.io/?{query(device, transport='polling', sid=sid)}"
    status, text = http_request(source, port, "POST", path, body=f"40/{SITE},")
    if status != 200 or text != "ok":
        return PollingOutcome(sid, f"POST: {status} {text}")
    status, text = http_request(source, port, "GET", path)
    packets = text.split(RECORD_SEPARATOR)
    if status != 200 or not packets[0].startswith(f"40/{SITE},{{"):
        return PollingOutcome(sid, f"poll: {status} {text}")
    http_request(source, port, "POST", path, body="1")
    return PollingOutcome(sid)


def open_websocket(source, port, path):
    """A WebSocket to 127.0.0.1:port from `source`."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(source, 0))
    return websocket.create_connection(f"ws://127.0.0.1:{port}{path}", socket=sock, timeout=10)


def connect_namespace(ws):
    """Sends the namespace CONNECT over `ws` and returns the first answer that is not a heartbeat."""
    ws.send(f"40/{SITE},")
    while True:
        frame = ws.recv()
        if frame == "2":
            ws.send("3")
            continue
        return frame
