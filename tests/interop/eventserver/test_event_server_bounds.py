"""Hostile listeners and backends against the event server: garbage and broken frames, messages over the limit,
too many event types, listeners that never send their init message, bodies over the limit, more listeners than
`maxListeners`. Each is closed or refused alone; a listener connected beside them keeps receiving."""
import json
import os
import re
import signal
import socket

import pytest
import requests
import websocket

from event_herald import INIT_TIMEOUT_MS, MAX_BODY, MAX_EVENT_TYPES, MAX_MESSAGE, TOKEN
from event_client import Listener, fire, raw_frame, sentinel
from loopback import wait_until

POLICY_VIOLATION = 1008
PROTOCOL_ERROR = 1002
TOO_BIG = 1009


@pytest.fixture
def bystander(own_ports_herald):
    """A subscribed listener that must not notice the abuse around it."""
    listener = Listener(own_ports_herald).subscribe(TOKEN, ["sentinel"])
    yield listener
    assert sentinel(own_ports_herald, listener, TOKEN)["event"] == "sentinel"
    listener.close()


def test_garbage_is_answered_and_the_listener_stays(own_ports_herald, bystander):
    listener = Listener(own_ports_herald)
    listener.ws.send_binary(os.urandom(512))
    assert listener.next() == {"type": "init", "code": "INVALID_SYNTAX"}
    listener.ws.send("{" * 2000)
    assert listener.next() == {"type": "init", "code": "INVALID_SYNTAX"}
    listener.subscribe(TOKEN, ["sentinel"])
    assert sentinel(own_ports_herald, listener, TOKEN)["event"] == "sentinel"
    listener.close()


def test_a_frame_breaking_the_protocol_closes_with_1002(own_ports_herald, bystander):
    listener = Listener(own_ports_herald)
    listener.ws.sock.sendall(raw_frame(0x3, b"reserved opcode"))
    assert listener.close_code() == PROTOCOL_ERROR
    listener = Listener(own_ports_herald)
    listener.ws.sock.sendall(raw_frame(0x1, b"{}", rsv1=True))
    assert listener.close_code() == PROTOCOL_ERROR
    listener = Listener(own_ports_herald)
    listener.ws.sock.sendall(raw_frame(0x0, b"a continuation with nothing to continue"))
    assert listener.close_code() == PROTOCOL_ERROR


def test_invalid_utf8_text_closes_with_1007(own_ports_herald, bystander):
    listener = Listener(own_ports_herald)
    listener.ws.sock.sendall(raw_frame(0x1, b"\xff\xfe{}"))
    assert listener.close_code() == 1007


@pytest.mark.parametrize("size", [MAX_MESSAGE + 1, MAX_MESSAGE * 2 + 10, 4 << 20])
def test_a_message_over_the_limit_closes_with_1009(own_ports_herald, bystander, size):
    listener = Listener(own_ports_herald)
    try:
        listener.ws.send(json.dumps({"events": ["x"], "pad": "a" * size}))
    except (BrokenPipeError, ConnectionResetError, websocket.WebSocketConnectionClosedException):
        return  # the server closed while the frame was still being written: refused all the same
    assert listener.close_code() in (TOO_BIG, None)


def test_a_huge_frame_on_herald_port_closes_with_1009(own_ports_herald):
    listener = Listener(own_ports_herald, url=f"ws://127.0.0.1:{own_ports_herald.ports['main']}/events")
    listener.ws.send(json.dumps({"events": ["x"], "pad": "a" * (MAX_MESSAGE + 1)}))
    assert listener.close_code() == TOO_BIG


def test_fragmented_messages_over_the_limit_close_with_1009(own_ports_herald, bystander):
    listener = Listener(own_ports_herald)
    chunk = b"a" * (MAX_MESSAGE // 4)
    try:
        listener.ws.sock.sendall(raw_frame(0x1, chunk, fin=False))
        for _ in range(5):
            listener.ws.sock.sendall(raw_frame(0x0, chunk, fin=False))
    except (BrokenPipeError, ConnectionResetError, websocket.WebSocketConnectionClosedException):
        return
    assert listener.close_code() == TOO_BIG


def test_too_many_event_types_close_with_1008(own_ports_herald, bystander):
    listener = Listener(own_ports_herald)
    listener.send_init(f"Basic {TOKEN}", [f"type-{n}" for n in range(MAX_EVENT_TYPES + 1)])
    assert listener.close_code() == POLICY_VIOLATION
    listener = Listener(own_ports_herald)
    assert listener.init(f"Basic {TOKEN}", [f"type-{n}" for n in range(MAX_EVENT_TYPES)]) == {"type": "init", "code": "OK"}
    listener.close()


def test_a_listener_that_never_initializes_is_closed_after_the_timeout(own_ports_herald, bystander):
    assert INIT_TIMEOUT_MS < 5000  # the client's read timeout
    silent = Listener(own_ports_herald)
    assert silent.close_code() == POLICY_VIOLATION
    refused = Listener(own_ports_herald)
    assert refused.init(f"Basic {'x' * 20}", ["a"]) == {"type": "init", "code": "UNAUTHENTICATED"}
    assert refused.close_code() == POLICY_VIOLATION
    metrics = requests.get(f"{own_ports_herald.url}/metrics", timeout=5).text
    closed = re.search(r'herald_connections_closed_total\{reason="websocket_init_timeout"\} (\d+)', metrics)
    assert closed and int(closed.group(1)) >= 2, metrics


def test_a_subscribed_listener_is_not_timed_out(own_ports_herald):
    listener = Listener(own_ports_herald).subscribe(TOKEN, ["sentinel"])
    # Past the init timeout, measured by a second listener that is closed by it.
    assert Listener(own_ports_herald).close_code() == POLICY_VIOLATION
    assert sentinel(own_ports_herald, listener, TOKEN)["event"] == "sentinel"
    listener.close()


def test_a_body_over_the_limit_is_answered_413(own_ports_herald, bystander):
    big = json.dumps({"event": "sentinel", "data": "a" * MAX_BODY})
    assert fire(own_ports_herald, None, token=TOKEN, body=big) == (413, {"code": "PAYLOAD_TOO_LARGE"})
    # Without Content-Length (chunked), the limit holds while reading.
    response = requests.post(
        own_ports_herald.post_url, data=iter([big[:3000].encode(), big[3000:].encode()]),
        headers={"Authorization": f"Basic {TOKEN}"}, timeout=5,
    )
    assert response.status_code == 413


def test_an_unauthenticated_body_is_not_read(own_ports_herald):
    assert fire(own_ports_herald, None, authorization="Basic nobody-knows-this-token", body="x" * 100) == (
        403, {"code": "UNAUTHENTICATED"})


def test_listeners_beyond_max_listeners_are_refused_503(crowded_herald):
    first = Listener(crowded_herald).subscribe(TOKEN, ["sentinel"])
    second = Listener(crowded_herald).subscribe(TOKEN, [])  # subscribed: not closed by the init timeout meanwhile
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        Listener(crowded_herald)
    assert refused.value.status_code == 503
    second.close()
    wait_until(lambda: _admits(crowded_herald), lambda: "a listener slot did not come free", timeout=5)
    assert sentinel(crowded_herald, first, TOKEN)["event"] == "sentinel"
    first.close()


def _admits(herald):
    try:
        Listener(herald).close()
        return True
    except websocket.WebSocketBadStatusException:
        return False


def test_plain_http_on_the_broadcast_port_and_websockets_on_the_listen_port_are_refused(own_ports_herald):
    broadcast = own_ports_herald.ports["eventServer.broadcastPort"]
    listen = own_ports_herald.ports["eventServer.listenPort"]
    assert requests.post(f"http://127.0.0.1:{broadcast}/event", data="{}", timeout=5).status_code == 404
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        websocket.create_connection(f"ws://127.0.0.1:{listen}/events", timeout=5)
    assert refused.value.status_code == 404
    # Every path of the broadcast port is a listener, Engine.IO's too.
    listener = Listener(own_ports_herald, url=f"ws://127.0.0.1:{broadcast}/socket.io/?EIO=4&transport=websocket")
    assert listener.init(f"Basic {TOKEN}", []) == {"type": "init", "code": "OK"}
    listener.close()


def test_a_half_open_tcp_connection_on_the_broadcast_port_does_not_stop_others(own_ports_herald, bystander):
    raw = socket.create_connection(("127.0.0.1", own_ports_herald.ports["eventServer.broadcastPort"]), timeout=5)
    raw.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")  # never finishes its head
    listener = Listener(own_ports_herald).subscribe(TOKEN, ["sentinel"])
    assert sentinel(own_ports_herald, listener, TOKEN)["event"] == "sentinel"
    listener.close()
    raw.close()


def test_sighup_reads_the_tokens_file_again(own_ports_herald):
    new_token = "rotated-token-0123456789"
    own_ports_herald.write_tokens([new_token, TOKEN])
    before = own_ports_herald.output().count("event-server tokens reloaded")
    own_ports_herald.process.send_signal(signal.SIGHUP)
    wait_until(
        lambda: own_ports_herald.output().count("event-server tokens reloaded") > before,
        lambda: own_ports_herald.output(), timeout=5,
    )
    assert fire(own_ports_herald, "x", 1, token=new_token) == (200, {"code": "OK"})
    assert new_token not in own_ports_herald.output()
    assert TOKEN not in own_ports_herald.output()


def _closed_total(herald, reason):
    metrics = requests.get(f"{herald.url}/metrics", timeout=5).text
    found = re.search(r'herald_connections_closed_total\{reason="' + reason + r'"\} (\d+)', metrics)
    return int(found.group(1)) if found else 0


def test_a_listener_that_stops_reading_is_closed_and_others_keep_receiving(own_ports_herald, bystander):
    before = _closed_total(own_ports_herald, "slow_consumer")
    stalled = websocket.create_connection(
        own_ports_herald.ws_url, timeout=5, sockopt=((socket.SOL_SOCKET, socket.SO_RCVBUF, 4096),)
    )
    stalled.send(json.dumps({"authentication": f"Basic {TOKEN}", "events": ["flood"]}))
    body = json.dumps({"event": "flood", "data": "x" * (MAX_BODY - 100)})
    with requests.Session() as session:
        for sent in range(1, 8001):  # ~30 MB at most; the outbound bound is 1 MiB plus the kernel's buffers
            response = session.post(
                own_ports_herald.post_url, data=body, headers={"Authorization": f"Basic {TOKEN}"}, timeout=5
            )
            assert response.status_code == 200
            if sent % 100 == 0 and _closed_total(own_ports_herald, "slow_consumer") > before:
                break
        else:
            pytest.fail("the stalled listener was never closed")
    stalled.close()
