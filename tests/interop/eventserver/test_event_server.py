"""The event-server drop-in, driven as the original's README describes it, in both port layouts (`herald` is
parametrized): every answer code of `POST /event` and of a listener's init message, tokens shorter than 16
characters ignored, events reaching only the listeners of their type."""
import json
import re
import socket
from urllib.parse import urlsplit

import pytest
import requests

from event_herald import OTHER_TOKEN, SHORT_TOKEN, TOKEN
from event_client import Listener, fire, raw_frame, sentinel

OK = {"type": "init", "code": "OK"}


@pytest.fixture
def listeners(herald):
    opened = []

    def connect(url=None):
        listener = Listener(herald, url)
        opened.append(listener)
        return listener

    yield connect
    for listener in opened:
        listener.close()


def test_a_fired_event_reaches_a_subscribed_listener_as_the_readme_shows(herald, listeners):
    listener = listeners().subscribe(TOKEN, ["order", "sentinel"])
    data = {"id": 7, "items": ["a", "b"], "total": 12.5, "paid": True, "note": None}
    assert fire(herald, "order", data, token=TOKEN) == (200, {"code": "OK"})
    assert listener.next() == {"type": "event", "event": "order", "data": data}


def test_every_token_of_the_file_is_accepted_and_data_passes_as_it_came(herald, listeners):
    listener = listeners().subscribe(OTHER_TOKEN, ["order"])
    for data in ["text", 42, [1, [2, {"x": "y"}]], None]:
        assert fire(herald, "order", data, token=TOKEN) == (200, {"code": "OK"})
        assert listener.next() == {"type": "event", "event": "order", "data": data}
    assert fire(herald, "order", token=OTHER_TOKEN, with_data=False) == (200, {"code": "OK"})
    assert listener.next() == {"type": "event", "event": "order"}


def test_events_go_only_to_the_listeners_of_their_type(herald, listeners):
    orders = listeners().subscribe(TOKEN, ["order", "sentinel"])
    refunds = listeners().subscribe(TOKEN, ["refund", "sentinel"])
    assert fire(herald, "refund", {"n": 1}, token=TOKEN) == (200, {"code": "OK"})
    assert refunds.next()["data"] == {"n": 1}
    assert sentinel(herald, orders, TOKEN)["event"] == "sentinel"  # the refund never reached `orders`
    assert refunds.next()["event"] == "sentinel"


def test_post_errors_have_the_originals_codes(herald):
    assert fire(herald, "order", {}) == (403, {"code": "UNAUTHENTICATED"})
    assert fire(herald, "order", {}, authorization="Basic not-a-known-token-at-all") == (403, {"code": "UNAUTHENTICATED"})
    assert fire(herald, "order", {}, authorization="Basic") == (403, {"code": "UNAUTHENTICATED"})
    assert fire(herald, "order", {}, authorization=f"Bearer {TOKEN}") == (403, {"code": "AUTH_UNRECOGNIZED_SCHEME"})
    assert fire(herald, "order", {}, authorization=TOKEN) == (403, {"code": "AUTH_UNRECOGNIZED_SCHEME"})
    assert fire(herald, None, token=TOKEN, body="not json") == (400, {"code": "INVALID_BODY"})
    assert fire(herald, None, token=TOKEN, body=json.dumps({"data": 1})) == (400, {"code": "INVALID_BODY"})
    assert fire(herald, None, token=TOKEN, body=json.dumps({"event": 5})) == (400, {"code": "INVALID_BODY"})
    assert fire(herald, None, token=TOKEN, body=json.dumps(["order"])) == (400, {"code": "INVALID_BODY"})


def test_tokens_shorter_than_16_characters_are_ignored(herald, listeners):
    assert len(SHORT_TOKEN) == 15
    assert fire(herald, "order", {}, token=SHORT_TOKEN) == (403, {"code": "UNAUTHENTICATED"})
    listener = listeners()
    assert listener.init(f"Basic {SHORT_TOKEN}", ["order"]) == {"type": "init", "code": "UNAUTHENTICATED"}


def test_init_errors_have_the_originals_codes_and_the_listener_may_try_again(herald, listeners):
    listener = listeners()
    listener.ws.send("non_json")
    assert listener.next() == {"type": "init", "code": "INVALID_SYNTAX"}
    listener.ws.send(json.dumps({"authentication": f"Basic {TOKEN}"}))
    assert listener.next() == {"type": "init", "code": "INVALID_EVENTS_MISSING"}
    listener.ws.send(json.dumps({"authentication": f"Basic {TOKEN}", "events": "order"}))
    assert listener.next() == {"type": "init", "code": "INVALID_EVENTS_MISSING"}
    assert listener.init(f"Token {TOKEN}", ["order"]) == {"type": "init", "code": "AUTH_UNRECOGNIZED_SCHEME"}
    assert listener.init(None, ["order"]) == {"type": "init", "code": "UNAUTHENTICATED"}
    assert listener.init("Basic wrong-token-0123456789", ["order"]) == {"type": "init", "code": "UNAUTHENTICATED"}
    # Nothing was subscribed by the refused messages; the next good one subscribes.
    assert listener.init(f"Basic {TOKEN}", ["order"]) == OK
    assert fire(herald, "order", 1, token=TOKEN) == (200, {"code": "OK"})
    assert listener.next() == {"type": "event", "event": "order", "data": 1}


def test_a_new_init_message_replaces_the_subscription(herald, listeners):
    listener = listeners().subscribe(TOKEN, ["order"])
    listener.subscribe(TOKEN, ["refund", "sentinel"])
    assert fire(herald, "order", 1, token=TOKEN) == (200, {"code": "OK"})
    assert sentinel(herald, listener, TOKEN)["event"] == "sentinel"


def test_an_unsubscribed_listener_receives_nothing(herald, listeners):
    idle = listeners()
    watcher = listeners().subscribe(TOKEN, ["order"])
    assert idle.init(f"Basic {TOKEN}", []) == OK
    assert fire(herald, "order", 1, token=TOKEN) == (200, {"code": "OK"})
    assert watcher.next()["data"] == 1
    idle.subscribe(TOKEN, ["sentinel"])
    assert sentinel(herald, idle, TOKEN)["event"] == "sentinel"


def _read_head(sock):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        assert chunk, f"closed after {data!r}"
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    return head.decode(), rest


def _read_text_frame(sock, pending):
    data = pending
    while len(data) < 2 or len(data) < 2 + (data[1] & 0x7F):
        chunk = sock.recv(4096)
        assert chunk, "closed"
        data += chunk
    assert data[0] == 0x81 and data[1] < 126, data
    return json.loads(data[2:2 + data[1]].decode())


def test_a_listener_upgrading_on_a_reused_keep_alive_connection_is_routed_alike(herald):
    """The second request of a keep-alive connection upgrades through the connection guard, not SwiftNIO's typed
    upgrader; it must reach the same endpoint (and Engine.IO's must still answer its own paths)."""
    target = urlsplit(herald.ws_url)
    path = target.path + (f"?{target.query}" if target.query else "")
    with socket.create_connection((target.hostname, target.port), timeout=5) as sock:
        sock.sendall(b"GET /healthcheck HTTP/1.1\r\nHost: x\r\n\r\n")
        head, rest = _read_head(sock)
        # Herald's port answers 200 ok; the broadcast port has no /healthcheck and answers 404.
        assert head.startswith("HTTP/1.1 200") or head.startswith("HTTP/1.1 404"), head
        assert "connection: close" not in head.lower(), head
        length = int(next(line.split(":")[1] for line in head.split("\r\n") if line.lower().startswith("content-length")))
        while len(rest) < length:
            rest += sock.recv(4096)
        sock.sendall(
            f"GET {path} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n".encode()
        )
        head, pending = _read_head(sock)
        assert head.startswith("HTTP/1.1 101"), head
        init = json.dumps({"authentication": f"Basic {TOKEN}", "events": ["order"]}).encode()
        sock.sendall(raw_frame(0x1, init))
        assert _read_text_frame(sock, pending) == OK


def _metric(herald, name):
    text = requests.get(f"{herald.url}/metrics", timeout=5).text
    found = re.search(rf"^{name} (\d+(?:\.\d+)?)$", text, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


def test_fired_and_delivered_events_and_listeners_are_counted(herald, listeners):
    first = listeners().subscribe(TOKEN, ["counted"])
    second = listeners().subscribe(TOKEN, ["counted"])
    fired = _metric(herald, "herald_event_server_events_fired_total")
    delivered = _metric(herald, "herald_event_server_events_delivered_total")
    assert _metric(herald, "herald_event_server_listeners") >= 2
    assert fire(herald, "counted", 1, token=TOKEN) == (200, {"code": "OK"})
    assert first.next()["data"] == 1 and second.next()["data"] == 1
    assert fire(herald, "counted", {}, authorization="Bearer x")[0] == 403  # refused: not fired
    assert _metric(herald, "herald_event_server_events_fired_total") == fired + 1
    assert _metric(herald, "herald_event_server_events_delivered_total") == delivered + 2
