"""Herald as a drop-in for socket.io-webservice, driven by stock python-socketio clients (5.x and 4.x)."""
import json
import threading
import time

import pytest
import requests

from conftest import DEVICE_TTL, MAX_BODY, PLAIN_KEY, SHOP_KEY, sentinel, wait_until
from site_client import SiteClient


def send(herald, body, site="shop", key=SHOP_KEY, form=False, headers=None, query=None):
    params = {"site": site}
    if key is not None:
        params["apiKey"] = key
    params.update(query or {})
    if form:
        return requests.post(f"{herald.url}/send", params=params, data=body, headers=headers, timeout=5)
    return requests.post(f"{herald.url}/send", params=params, json=body, headers=headers, timeout=5)


def test_auth_url_grants_rooms_and_receives_node_service_headers(herald, hooks, clients):
    alice = clients("shop", "good-alice", meta="ios-17")
    calls = hooks.wait_for(lambda c: c["method"] == "GET" and c["authorization"] == "Token good-alice")
    assert calls[-1]["path"] == "/auth"
    assert calls[-1]["meta"] == "ios-17"
    response = send(herald, {"rooms": ["user_alice"], "event": "message", "args": [{"text": "hi alice"}]})
    assert (response.status_code, response.text) == (200, "OK")
    assert alice.wait_for("message") == [[{"text": "hi alice"}]]


def test_settings_tell_the_device_ttl(clients):
    alice = clients("shop", "good-alice")
    assert alice.wait_for("_settings") == [[{"device_ttl": DEVICE_TTL}]]


@pytest.mark.parametrize(
    "token, message",
    [
        ("denied", "Authentication failed"),
        ("broken", "Auth 500 error"),
        ("shared-only", "User is missing a private room"),
        ("garbage", "Auth response is not a list of rooms"),
    ],
)
def test_refusals_carry_the_node_service_messages(clients, token, message):
    refused = clients("shop", token, expect_success=False)
    assert refused.errors == [message]


def test_header_injection_through_meta_is_refused_before_any_auth_call(herald, hooks, clients):
    before = len(hooks.calls)
    refused = clients("shop", "good-mallory", expect_success=False, meta="x\r\nX-Admin: yes")
    assert refused.errors == ["Token or meta contains characters not allowed in a header"]
    assert not any(c["authorization"] == "Token good-mallory" for c in hooks.calls[before:])


def test_public_channel_admits_a_client_without_a_private_room(herald, clients):
    guest = clients("shop", "lobby-only")
    assert send(herald, {"rooms": ["lobby"], "event": "news", "args": ["open"]}).status_code == 200
    assert guest.wait_for("news") == [["open"]]


def test_unknown_site_is_an_invalid_namespace(clients):
    refused = clients("nosuchsite", "good-alice", expect_success=False)
    assert refused.errors == ["Invalid namespace"]


def test_send_reaches_exactly_the_sockets_in_the_rooms(herald, clients):
    alice = clients("shop", "good-alice")
    bob = clients("shop", "good-bob", transports=("polling",))
    carol = clients("shop", "sport-carol")
    assert send(herald, {"rooms": ["news"], "event": "news", "args": [{"n": 1}, "two"]}).status_code == 200
    assert alice.wait_for("news") == [[{"n": 1}, "two"]]
    assert bob.wait_for("news") == [[{"n": 1}, "two"]]
    form = "rooms[]=user_carol&event=alert&args[0][level]=high&args[0][text]=form+body"
    response = send(herald, form, form=True, headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert (response.status_code, response.text) == (200, "OK")
    assert carol.wait_for("alert") == [[{"level": "high", "text": "form body"}]]
    sentinel(herald, carol, "user_carol")
    sentinel(herald, alice, "user_alice")
    sentinel(herald, bob, "user_bob")
    assert carol.received("news") == []
    assert alice.received("alert") == [] and bob.received("alert") == []


def test_one_message_to_several_rooms_arrives_once(herald, clients):
    alice = clients("shop", "good-alice")
    assert send(herald, {"rooms": ["news", "user_alice"], "event": "news", "args": ["once"]}).status_code == 200
    alice.wait_for("news")
    sentinel(herald, alice, "user_alice")
    assert alice.received("news") == [["once"]]


def test_shared_room_expands_case_insensitively_to_user_rooms(herald, clients):
    alice = clients("shop", "good-alice")
    carol = clients("shop", "sport-carol")
    assert send(herald, {"rooms": ["NEWS"], "event": "news", "args": ["expanded"]}).status_code == 200
    assert alice.wait_for("news") == [["expanded"]]
    sentinel(herald, carol, "user_carol")
    assert carol.received("news") == []


def test_site_without_user_rooms_broadcasts_to_the_room(herald, clients):
    reader = clients("plain", "shared-only")
    assert send(herald, {"rooms": ["news"], "event": "news", "args": ["plain"]}, site="plain", key=PLAIN_KEY).status_code == 200
    assert reader.wait_for("news") == [["plain"]]


def test_sites_are_isolated(herald, clients):
    shop_alice = clients("shop", "good-alice")
    plain_alice = clients("plain", "good-alice")
    assert send(herald, {"rooms": ["news"], "event": "news", "args": ["shop only"]}).status_code == 200
    shop_alice.wait_for("news")
    sentinel(herald, plain_alice, "user_alice")
    assert plain_alice.received("news") == []


@pytest.mark.parametrize(
    "params, headers, status, text",
    [
        ({"site": "shop"}, None, 400, "Missing query param 'site' or 'apiKey'."),
        ({"apiKey": SHOP_KEY}, None, 400, "Missing query param 'site' or 'apiKey'."),
        ({"site": "shop", "apiKey": "wrong"}, None, 401, "ApiKey invalid."),
        ({"site": "nosuchsite", "apiKey": SHOP_KEY}, None, 401, "ApiKey invalid."),
        ({"site": "shop"}, {"Authorization": f"Bearer {SHOP_KEY}"}, 200, "OK"),
        ({"site": "plain"}, {"Authorization": f"Bearer {SHOP_KEY}"}, 401, "ApiKey invalid."),
    ],
)
def test_send_status_codes_and_texts(herald, params, headers, status, text):
    body = {"rooms": ["news"], "event": "news", "args": []}
    response = requests.post(f"{herald.url}/send", params=params, json=body, headers=headers, timeout=5)
    assert (response.status_code, response.text) == (status, text)


def test_malformed_and_oversized_bodies_are_refused_and_lose_nothing(herald, clients):
    alice = clients("shop", "good-alice")
    bad = send(herald, '{"rooms": ["news"], "event": ', headers={"Content-Type": "application/json"}, form=True)
    assert bad.status_code == 400 and bad.text.startswith("Invalid JSON body")
    missing = send(herald, {"rooms": ["news"]})
    assert (missing.status_code, missing.text) == (400, "Missing 'event'")
    huge = send(herald, {"rooms": ["news"], "event": "news", "args": ["x" * (MAX_BODY + 1)]})
    assert huge.status_code == 413
    assert send(herald, {"rooms": ["news"], "event": "news", "args": ["after"]}).status_code == 200
    assert alice.wait_for("news") == [["after"]]


def test_update_user_url_gets_puts_on_connect_and_disconnect(herald, hooks, clients):
    dave = clients("shop", "good-dave")
    connected = hooks.wait_for(lambda c: c["method"] == "PUT" and "last_connected" in c["body"]["user"] and c["path"] == "/users/dave")
    put = connected[-1]
    assert put["authorization"] == "Token good-dave"
    assert put["content_type"] == "application/json"
    assert put["body"]["id"] == "dave"
    assert set(put["body"]["user"]) == {"last_connected"}
    assert put["body"]["user"]["last_connected"].endswith("Z")
    dave.close()
    gone = hooks.wait_for(lambda c: c["method"] == "PUT" and c["path"] == "/users/dave" and "last_disconnected" in c["body"]["user"])
    assert set(gone[-1]["body"]["user"]) == {"last_disconnected"}
    assert gone[-1]["body"]["user"]["last_disconnected"] >= put["body"]["user"]["last_connected"]


def test_slow_auth_url_refuses_with_a_clear_error_and_others_are_unaffected(herald, hooks, clients):
    alice = clients("shop", "good-alice")
    started = time.time()
    slow = SiteClient(herald, "shop", "slow-erin")

    outcome = {}
    worker = threading.Thread(target=lambda: outcome.setdefault("client", slow.connect(expect_success=False)))
    worker.start()
    hooks.wait_for(lambda c: c["authorization"] == "Token slow-erin")
    frank = clients("shop", "good-frank")
    assert time.time() - started < 1.0, "a fast client waited behind a slow authUrl call"
    assert send(herald, {"rooms": ["news"], "event": "news", "args": ["during"]}).status_code == 200
    assert alice.wait_for("news") == [["during"]]
    assert frank.wait_for("news") == [["during"]]
    worker.join(10)
    slow.close()
    assert slow.errors == ["Auth service timed out"]
    assert time.time() - started < 3.0


def test_logs_are_json_lines_without_secrets(herald, clients):
    clients("shop", "good-grace")
    assert send(herald, {"rooms": ["news"], "event": "news", "args": []}).status_code == 200
    assert send(herald, {"rooms": ["news"], "event": "news"}, key="not-the-key-at-all").status_code == 401
    # Log lines are written in order: once this send's line is there, so is everything about the requests before.
    assert send(herald, {"rooms": ["news"], "event": "log-sentinel", "args": []}).status_code == 200
    wait_until(lambda: '"log-sentinel"' in herald.output(), lambda: herald.output()[-2000:])
    output = herald.output()
    assert SHOP_KEY not in output and "not-the-key-at-all" not in output
    assert "good-grace" not in output
    entries = [json.loads(line) for line in output.splitlines() if line.strip()]
    connected = [e for e in entries if e["message"] == "client connected" and e.get("site") == "shop"]
    assert connected and {"socketId", "deviceId", "rooms"} <= set(connected[-1])
    sent = [e for e in entries if e["message"] == "message sent"]
    assert sent and {"site", "requestId", "event", "rooms"} <= set(sent[-1])


def test_healthcheck_and_demo_page_answer_get_and_head(herald):
    response = requests.get(f"{herald.url}/healthcheck", timeout=5)
    assert (response.status_code, response.text) == (200, "ok")
    assert requests.head(f"{herald.url}/healthcheck", timeout=5).status_code == 200
    page = requests.get(f"{herald.url}/", timeout=5)
    assert page.status_code == 200 and "text/html" in page.headers["Content-Type"]
    assert requests.head(f"{herald.url}/", timeout=5).status_code == 200
    client = requests.get(f"{herald.url}/assets/socket.io.min.js", timeout=5)
    assert client.status_code == 200 and "javascript" in client.headers["Content-Type"]
    assert requests.get(f"{herald.url}/assets/nope.js", timeout=5).status_code == 404
