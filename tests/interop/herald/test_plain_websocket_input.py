"""Hostile and broken plain WebSocket clients: each gets a clear error and a 4xxx close, and nothing else is hurt —
other clients keep receiving, and the device's stored messages wait for its next connection."""
import socket
import tempfile

import pytest
import requests
import websocket

from conftest import MAX_BODY, PLAIN_KEY, RunningHerald, send_to_rooms
from metrics_scrape import scrape, value
from server_state import wait_for_connected_sockets
from plain_client import PlainClient, wait_connected

CONNECT_TIMEOUT_MS = 400


@pytest.fixture(scope="module")
def quick_herald(hooks):
    """Herald whose clients have 0.4 s to present credentials."""
    with tempfile.TemporaryDirectory() as workdir:
        running = RunningHerald(hooks, workdir, io_extra=f"    connectTimeout: {CONNECT_TIMEOUT_MS}\n")
        yield running
        running.assert_alive()
        running.stop()


def closures(herald, reason):
    return value(scrape(herald), "herald_connections_closed_total", reason=reason)


def refused(client):
    code = client.wait_closed()
    errors = client.of_type("error")
    assert len(errors) == 1, client.messages
    return errors[0]["code"], code


def unharmed(herald, bystander, user):
    """The bystander still gets messages, and `user`'s device still has its stored message."""
    count = len(bystander.events("sentinel")) + 1
    send_to_rooms(herald, ["user_bea"], "sentinel", count)
    bystander.wait_for_event("sentinel", count)
    client = wait_connected(PlainClient(herald.url, "shop", f"good-{user}", device="hostile"))
    try:
        (batch,) = client.wait_for_type("batch")
        assert [m["args"] for m in batch["messages"]] == [["kept"]]
    finally:
        client.close()


@pytest.mark.parametrize(
    "message, code",
    [
        ("not json", "INVALID_MESSAGE"),
        ("[1,2]", "INVALID_MESSAGE"),
        ('{"type":"teleport"}', "INVALID_MESSAGE"),
        ('{"type":"subscribe","room":"r","ref":"one"}', "INVALID_MESSAGE"),
        ('{"type":"reply","data":1}', "INVALID_MESSAGE"),
        ('{"type":"ack"}', "INVALID_MESSAGE"),
        ('{"type":"ack","id":"x1"}', "INVALID_MESSAGE"),
        ('{"type":"ack","ids":[' + ",".join(['"1"'] * 5000) + "]}", "INVALID_MESSAGE"),
        ('{"type":"auth","token":"good-eve"}', "INVALID_MESSAGE"),
        ('{"type":"ack","ids":["' + "9" * 200_000 + '"]}', "MESSAGE_TOO_LARGE"),
    ],
)
def test_bad_messages(quick_herald, message, code):
    bystander = wait_connected(PlainClient(quick_herald.url, "shop", "good-bea", device="bystander"))
    user = "cy" + str(abs(hash(message)) % 100000)
    try:
        hostile = wait_connected(PlainClient(quick_herald.url, "shop", f"good-{user}", device="hostile"))
        send_to_rooms(quick_herald, [f"user_{user}"], "message", "kept")
        hostile.wait_for_event("message")
        hostile.send(message)
        expected_close = 4413 if code == "MESSAGE_TOO_LARGE" else 4400
        assert refused(hostile) == (code, expected_close)
        unharmed(quick_herald, bystander, user)
    finally:
        bystander.close()


def test_binary_frames_are_refused(quick_herald):
    client = wait_connected(PlainClient(quick_herald.url, "shop", "good-dan", device="binary"))
    client.ws.send_binary(b"\x00\x01")
    assert refused(client) == ("INVALID_MESSAGE", 4400)


def test_no_credentials_in_time(quick_herald):
    client = PlainClient(quick_herald.url, "shop", token=None)
    assert refused(client) == ("AUTH_TIMEOUT", 4408)


def test_invalid_utf8_closes_with_1007(quick_herald):
    client = wait_connected(PlainClient(quick_herald.url, "shop", "good-fay", device="utf8"))
    client.ws.send(b"\xff\xfe", opcode=websocket.ABNF.OPCODE_TEXT)
    assert client.wait_closed() == 1007


def test_the_upgrade_needs_a_site_in_the_path(quick_herald):
    with pytest.raises(websocket.WebSocketBadStatusException) as refusal:
        websocket.create_connection(quick_herald.url.replace("http", "ws") + "/ws/", timeout=5)
    assert refusal.value.status_code == 400


def test_a_client_that_stops_reading_is_closed_and_others_keep_receiving(quick_herald):
    """A client that reads nothing is closed — as a slow consumer once its outbound buffer is full, or as silent at
    the next ping (it never answers pings either), whichever comes first — and its socket is gone."""
    before = closures(quick_herald, "slow_consumer") + closures(quick_herald, "idle_timeout")
    bystander = wait_connected(PlainClient(quick_herald.url, "plain", "good-gus", device=None))
    stalled = websocket.create_connection(
        quick_herald.url.replace("http", "ws") + "/ws/plain?token=good-hana",
        timeout=5, sockopt=((socket.SOL_SOCKET, socket.SO_RCVBUF, 4096),),
    )
    body = {"rooms": ["news"], "event": "flood", "args": ["x" * (MAX_BODY - 200)]}
    try:
        with requests.Session() as session:
            for sent in range(1, 8001):  # ~30 MB at most; the outbound bound is 1 MiB plus the kernel's buffers
                response = session.post(
                    f"{quick_herald.url}/send", params={"site": "plain", "apiKey": PLAIN_KEY}, json=body, timeout=5
                )
                assert response.status_code == 200
                if sent % 50 == 0 and closures(quick_herald, "slow_consumer") + closures(quick_herald, "idle_timeout") > before:
                    break
            else:
                pytest.fail("the stalled client was never closed")
        wait_for_connected_sockets(quick_herald, 1, site="plain")
        count = len(bystander.events("sentinel")) + 1
        response = requests.post(
            f"{quick_herald.url}/send", params={"site": "plain", "apiKey": PLAIN_KEY},
            json={"rooms": ["news"], "event": "sentinel", "args": [count]}, timeout=5,
        )
        assert response.status_code == 200
        bystander.wait_for_event("sentinel", count)
        assert not bystander.closed.is_set()
    finally:
        stalled.close()
        bystander.close()

