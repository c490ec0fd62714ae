"""Plain WebSocket JSON clients (`/ws/<site>`): the same auth, rooms and device queues as Socket.IO clients, in the
JSON messages of docs/protocols.md; every refusal as an error message and a 4xxx close code."""
import requests

from conftest import SHOP_KEY, send_to_rooms
from plain_client import PlainClient, wait_connected
from site_client import SiteClient


def plain(herald, token, device="device-1", **options):
    return wait_connected(PlainClient(herald.url, "shop", token, device, **options))


def sentinel(herald, client, room):
    """Sends a `sentinel` event and waits for it: everything sent to `client` before it has arrived by then."""
    count = len(client.events("sentinel")) + 1
    send_to_rooms(herald, [room], "sentinel", count)
    client.wait_for_event("sentinel", count)


def test_settings_then_events_with_their_flake_ids(herald):
    client = plain(herald, "good-pia")
    try:
        assert client.messages[0] == {"type": "settings", "device_ttl": 3600}
        send_to_rooms(herald, ["user_pia"], "message", {"text": "hi"}, 2)
        (event,) = client.wait_for_event("message")
        assert event["args"] == [{"text": "hi"}, 2]
        assert event["id"].isdigit(), "a kept message carries its flake ID as a decimal string"
    finally:
        client.close()


def test_credentials_as_the_first_message(herald):
    client = PlainClient(herald.url, "shop", token=None, device="device-auth")
    try:
        client.send({"type": "auth", "token": "good-quinn"})
        wait_connected(client)
        send_to_rooms(herald, ["news"], "news", "shared")
        assert client.wait_for_event("news")[0]["args"] == ["shared"]
    finally:
        client.close()


def test_offline_device_gets_one_batch_in_order_and_nothing_once_acknowledged(herald):
    plain(herald, "good-rae").close()
    for number in range(3):
        send_to_rooms(herald, ["user_rae"], "message", number)
    client = plain(herald, "good-rae")
    (batch,) = client.wait_for_type("batch")
    assert [(m["event"], m["args"]) for m in batch["messages"]] == [("message", [0]), ("message", [1]), ("message", [2])]
    client.ack(*[m["id"] for m in batch["messages"]])
    sentinel(herald, client, "user_rae")
    client.ack(client.events("sentinel")[0]["id"])
    client.close()
    again = plain(herald, "good-rae")
    try:
        sentinel(herald, again, "user_rae")
        assert again.of_type("batch") == [], "an acknowledged batch is not sent again"
        assert [m["type"] for m in again.messages] == ["settings", "event"]
    finally:
        again.close()


def test_an_unacknowledged_live_message_comes_back_in_the_batch(herald):
    client = plain(herald, "good-sol")
    send_to_rooms(herald, ["user_sol"], "message", "keep me")
    (kept,) = client.wait_for_event("message")
    send_to_rooms(herald, ["user_sol"], "message", "acked")
    acked = client.wait_for_event("message", 2)[1]
    client.ack(acked["id"])
    sentinel(herald, client, "user_sol")
    client.ack(client.events("sentinel")[0]["id"])
    client.close()
    again = plain(herald, "good-sol")
    try:
        (batch,) = again.wait_for_type("batch")
        assert [(m["id"], m["args"]) for m in batch["messages"]] == [(kept["id"], ["keep me"])]
    finally:
        again.close()


def test_socketio_and_plain_devices_of_one_user_each_get_their_copy(herald):
    browser = SiteClient(herald, "shop", "good-tao", device="browser").connect()
    device = plain(herald, "good-tao", device="sensor")
    try:
        send_to_rooms(herald, ["user_tao"], "message", "to both")
        device.wait_for_event("message")
        browser.wait_for("message")
        assert [args for name, args in browser.events if name == "message"] == [["to both"]]
        assert [m["args"] for m in device.events("message")] == [["to both"]]
    finally:
        browser.close()
        device.close()


def test_a_plain_site_client_gets_room_messages_without_ids(herald):
    client = wait_connected(PlainClient(herald.url, "plain", "good-uma", device=None))
    try:
        response = requests.post(
            f"{herald.url}/send", params={"site": "plain", "apiKey": "plain-api-key-0123456789"},
            json={"rooms": ["news"], "event": "news", "args": ["broadcast"]}, timeout=5,
        )
        assert response.status_code == 200
        (event,) = client.wait_for_event("news")
        assert event == {"type": "event", "event": "news", "args": ["broadcast"]}
    finally:
        client.close()


def test_application_ping_gets_a_pong(herald):
    client = plain(herald, "good-vic")
    try:
        client.send({"type": "ping"})
        client.wait_for_type("pong")
    finally:
        client.close()


def test_an_ack_of_an_unknown_id_is_ignored(herald):
    client = plain(herald, "good-wes")
    try:
        client.ack("123456789")
        client.send({"type": "ack", "ids": []})
        sentinel(herald, client, "user_wes")
        assert not client.closed.is_set()
    finally:
        client.close()


def refused(client):
    """The error message and the close code of a connection Herald ended."""
    code = client.wait_closed()
    errors = client.of_type("error")
    assert len(errors) == 1, client.messages
    return errors[0]["code"], code


def test_unknown_site(herald):
    client = PlainClient(herald.url, "nowhere", "good-xia")
    assert refused(client) == ("UNKNOWN_SITE", 4404)


def test_refused_token(herald):
    client = PlainClient(herald.url, "shop", "denied")
    assert refused(client) == ("UNAUTHORIZED", 4401)
    assert client.of_type("error")[0]["message"] == "Authentication failed"


def test_failing_auth_url(herald):
    assert refused(PlainClient(herald.url, "shop", "broken")) == ("AUTH_UNAVAILABLE", 4503)


def test_user_room_required(herald):
    assert refused(PlainClient(herald.url, "shop", "shared-only")) == ("UNAUTHORIZED", 4401)
