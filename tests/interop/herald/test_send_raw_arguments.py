"""A /send's arguments reach clients as the bytes the backend wrote: object keys in the backend's order, numbers as
spelled (`1.0` stays a float, `1e3` too, a 20-digit integer stays an integer). Python's json keeps both apart, so
what a python-socketio or plain WebSocket client parsed shows whether Herald re-serialised the arguments.

The broadcast goes to a plain site; stored delivery and the `_batch` replay go through the shop site's device queues,
on the in-memory store and on a real redis-server."""
import pytest
import requests

from conftest import GENERATION, PLAIN_KEY, SHOP_KEY
from plain_client import PlainClient, wait_connected
from server_state import acked, wait_for_acks, wait_for_connected_sockets
from site_client import SiteClient

ARGUMENT = '{"zeta":1,"yank":[1.0,1e3,-0,12345678901234567890],"xray":{"b":true,"a":null},"alpha":"\\u00e9"}'
KEYS = ["zeta", "yank", "xray", "alpha"]
# The plain WebSocket client speaks no Socket.IO: one generation runs its tests.
plain_websocket = pytest.mark.skipif(GENERATION != "5", reason="plain WebSocket tests run with SIO_GENERATION=5")


def post_raw(herald, site, key, rooms, event):
    body = f'{{"rooms": {rooms}, "event": "{event}", "args": [ {ARGUMENT} , "second" ]}}'
    response = requests.post(
        f"{herald.url}/send", params={"site": site, "apiKey": key}, data=body,
        headers={"Content-Type": "application/json"}, timeout=5,
    )
    assert (response.status_code, response.text) == (200, "OK")


def assert_as_sent(arguments):
    first, second = arguments
    assert list(first) == KEYS
    assert list(first["xray"]) == ["b", "a"]
    one, thousand, zero, big = first["yank"]
    assert (type(one), one) == (float, 1.0)
    assert (type(thousand), thousand) == (float, 1000.0)
    assert (type(zero), zero) == (int, 0)
    assert (type(big), big) == (int, 12345678901234567890)
    assert first["alpha"] == "é"
    assert second == "second"


def test_socketio_broadcast_keeps_key_order_and_number_spelling(herald):
    client = SiteClient(herald, "plain", "good-reader").connect()
    try:
        post_raw(herald, "plain", PLAIN_KEY, '["news"]', "news")
        (arguments,) = client.wait_for("news")
        assert_as_sent(arguments)
    finally:
        client.close()


@plain_websocket
def test_plain_websocket_broadcast_keeps_key_order_and_number_spelling(herald):
    client = wait_connected(PlainClient(herald.url, "plain", "good-plain-reader"))
    try:
        post_raw(herald, "plain", PLAIN_KEY, '["news"]', "news")
        (event,) = client.wait_for_event("news")
        assert_as_sent(event["args"])
    finally:
        client.close()


def test_stored_message_and_its_batch_replay_keep_the_bytes(reliable_herald):
    live = SiteClient(reliable_herald, "shop", "good-rawlive", device="phone").connect()
    try:
        live.wait_for("_settings")
        before = acked(reliable_herald)
        post_raw(reliable_herald, "shop", SHOP_KEY, '["user_rawlive"]', "news")
        (arguments,) = live.wait_for("news")
        assert_as_sent(arguments)
        # The client acks from its handler; closing before Herald recorded it would put the message in the batch too.
        wait_for_acks(reliable_herald, before, 1)
    finally:
        live.close()
    wait_for_connected_sockets(reliable_herald, 0)

    post_raw(reliable_herald, "shop", SHOP_KEY, '["user_rawlive"]', "news")
    back = SiteClient(reliable_herald, "shop", "good-rawlive", device="phone").connect()
    try:
        (batch,) = back.wait_for("_batch")
        (entry,) = batch[0]
        assert entry[0] == "news"
        assert_as_sent(entry[1:])
    finally:
        back.close()
    wait_for_connected_sockets(reliable_herald, 0)


@plain_websocket
def test_plain_websocket_batch_keeps_the_bytes(reliable_herald):
    client = wait_connected(PlainClient(reliable_herald.url, "shop", "good-rawplain"))
    client.close()
    wait_for_connected_sockets(reliable_herald, 0)
    post_raw(reliable_herald, "shop", SHOP_KEY, '["user_rawplain"]', "news")
    client = wait_connected(PlainClient(reliable_herald.url, "shop", "good-rawplain"))
    try:
        (batch,) = client.wait_for_type("batch")
        (entry,) = batch["messages"]
        assert entry["event"] == "news"
        assert_as_sent(entry["args"])
    finally:
        client.close()
    wait_for_connected_sockets(reliable_herald, 0)
