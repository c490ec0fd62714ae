"""POST /send with a JSON array body: every message is checked on its own, good ones go out in order, bad ones get
their own error entry, and a non-array body keeps the Node service's answer.

python-engineio's client runs each incoming message's handler on a thread of its own, so back-to-back messages can
be recorded out of order on the client side; the order Herald sent them in is read from its log instead."""
import tempfile

import pytest

from conftest import RunningHerald, sentinel
from send_helpers import log_entries, message, post_send
from site_client import SiteClient


@pytest.fixture(scope="module")
def big_body_herald(hooks):
    with tempfile.TemporaryDirectory() as workdir:
        running = RunningHerald(hooks, workdir, max_body=1 << 20)
        yield running
        running.assert_alive()
        running.stop()


def test_batch_with_a_bad_item_delivers_the_others_and_reports_each(big_body_herald):
    alice = SiteClient(big_body_herald, "shop", "good-alice", device="phone").connect()
    bob = SiteClient(big_body_herald, "shop", "good-bob", device="phone").connect()
    try:
        alice.wait_for("_settings")
        bob.wait_for("_settings")
        response = post_send(
            big_body_herald,
            [
                message(["user_alice"], "news", "first"),
                {"rooms": ["user_alice"], "args": ["no event"]},
                message(["news"], "news", "second"),
                "not an object",
            ],
        )
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "application/json"
        assert response.json() == [
            {"status": 200, "message": "OK"},
            {"status": 400, "error": "Missing 'event'"},
            {"status": 200, "message": "OK"},
            {"status": 400, "error": "Body must be an object with 'rooms', 'event' and 'args'"},
        ]
        assert sorted(alice.wait_for("news", count=2)) == [["first"], ["second"]]
        assert bob.wait_for("news") == [["second"]]
        sentinel(big_body_herald, alice, "user_alice")
        sentinel(big_body_herald, bob, "user_bob")
        assert sorted(alice.received("news")) == [["first"], ["second"]]
        assert bob.received("news") == [["second"]]
        sent = [e for e in log_entries(big_body_herald) if e["message"] == "message sent" and e.get("event") == "news"]
        assert [e["batchIndex"] for e in sent[-2:]] == ["0", "2"]
        assert int(sent[-2]["messageId"]) < int(sent[-1]["messageId"])
    finally:
        alice.close()
        bob.close()


def test_object_body_keeps_the_node_service_plain_ok(big_body_herald):
    response = post_send(big_body_herald, message(["news"], "news", "x"))
    assert (response.status_code, response.text) == (200, "OK")
    assert response.headers["Content-Type"].startswith("text/plain")


def test_batch_over_1000_messages_is_refused_whole_and_sends_nothing(big_body_herald):
    alice = SiteClient(big_body_herald, "shop", "good-alice", device="tablet").connect()
    try:
        alice.wait_for("_settings")
        response = post_send(big_body_herald, [message(["user_alice"], "news", n) for n in range(1001)])
        assert response.status_code == 413
        assert response.text == "Too many messages: the array holds 1001, at most 1000 are accepted per request."
        full = post_send(big_body_herald, [message(["user_alice"], "update", n) for n in range(1000)])
        assert full.status_code == 200
        assert [entry["status"] for entry in full.json()] == [200] * 1000
        assert sorted(alice.wait_for("update", count=1000, timeout=15)) == [[n] for n in range(1000)]
        sentinel(big_body_herald, alice, "user_alice")
        assert len(alice.received("update")) == 1000
        assert alice.received("news") == []
    finally:
        alice.close()


def test_empty_array_is_a_clear_400(big_body_herald):
    response = post_send(big_body_herald, [])
    assert (response.status_code, response.text) == (400, "An array body must hold at least one message")
