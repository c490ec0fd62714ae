"""Idempotency-Key on POST /send: a retry within 5 minutes gets the first answer again and sends nothing, on the
in-memory store and on Redis (where every instance shares the keys)."""
import tempfile
import threading

import pytest

from conftest import PLAIN_KEY, RunningHerald, sentinel
from redis_server import RedisServer
from send_helpers import message, post_send
from site_client import SiteClient


@pytest.fixture(scope="module", params=["memory", "redis"])
def any_herald(request, hooks):
    redis = RedisServer() if request.param == "redis" else None
    try:
        with tempfile.TemporaryDirectory() as workdir:
            running = RunningHerald(hooks, workdir, extra_env={"REDIS_URL": redis.url} if redis else {})
            yield running
            running.assert_alive()
            running.stop()
    finally:
        if redis:
            redis.stop()


def connect(herald, token, device):
    client = SiteClient(herald, "shop", token, device=device).connect()
    client.wait_for("_settings")
    return client


def test_retry_with_the_same_key_is_answered_again_and_delivers_once(any_herald):
    alice = connect(any_herald, "good-alice", "phone")
    try:
        first = post_send(any_herald, message(["user_alice"], "news", "once"), key="order-1001")
        retry = post_send(any_herald, message(["user_alice"], "news", "once"), key="order-1001")
        assert (first.status_code, first.text) == (200, "OK")
        assert (retry.status_code, retry.text) == (200, "OK")
        assert "Idempotency-Replayed" not in first.headers
        assert retry.headers["Idempotency-Replayed"] == "true"
        assert alice.wait_for("news") == [["once"]]
        other = post_send(any_herald, message(["user_alice"], "news", "another key"), key="order-1002")
        assert other.status_code == 200 and "Idempotency-Replayed" not in other.headers
        assert alice.wait_for("news", count=2) == [["once"], ["another key"]]
        sentinel(any_herald, alice, "user_alice")
        assert alice.received("news") == [["once"], ["another key"]]
    finally:
        alice.close()


def test_batch_retry_replays_the_per_message_answer(any_herald):
    alice = connect(any_herald, "good-alice", "laptop")
    try:
        body = [message(["user_alice"], "update", 1), {"rooms": ["user_alice"]}]
        first = post_send(any_herald, body, key="batch-7")
        retry = post_send(any_herald, body, key="batch-7")
        assert first.json() == retry.json() == [{"status": 200, "message": "OK"}, {"status": 400, "error": "Missing 'event'"}]
        assert retry.headers["Content-Type"] == "application/json"
        assert retry.headers["Idempotency-Replayed"] == "true"
        sentinel(any_herald, alice, "user_alice")
        assert alice.received("update") == [[1]]
    finally:
        alice.close()


def test_concurrent_duplicates_send_once_and_the_others_get_409_or_the_replay(any_herald):
    alice = connect(any_herald, "good-alice", "watch")
    responses = []
    lock = threading.Lock()

    def send():
        response = post_send(any_herald, message(["user_alice"], "alert", "concurrent"), key="race-1")
        with lock:
            responses.append(response)

    try:
        threads = [threading.Thread(target=send) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        statuses = sorted(r.status_code for r in responses)
        assert set(statuses) <= {200, 409}
        originals = [r for r in responses if r.status_code == 200 and "Idempotency-Replayed" not in r.headers]
        assert len(originals) == 1
        for conflict in (r for r in responses if r.status_code == 409):
            assert "still being processed" in conflict.text
        sentinel(any_herald, alice, "user_alice")
        assert alice.received("alert") == [["concurrent"]]
    finally:
        alice.close()


def test_keys_are_per_site_and_bounded(any_herald):
    first = post_send(any_herald, message(["news"], "news", 1), key="shared-key")

    other_site = post_send(any_herald, message(["news"], "news", 1), key="shared-key", site="plain", api_key=PLAIN_KEY)
    assert first.status_code == 200 and other_site.status_code == 200
    assert "Idempotency-Replayed" not in other_site.headers
    too_long = post_send(any_herald, message(["news"], "news", 1), key="k" * 256)
    assert (too_long.status_code, too_long.text) == (400, "Idempotency-Key must be 1 to 255 printable ASCII characters.")


def test_two_instances_on_one_redis_share_the_keys(hooks):
    redis = RedisServer()
    try:
        with tempfile.TemporaryDirectory() as one, tempfile.TemporaryDirectory() as two:
            env = {"REDIS_URL": redis.url}
            first = RunningHerald(hooks, one, extra_env={**env, "HERALD_INSTANCE_ID": "idem-1"})
            second = RunningHerald(hooks, two, extra_env={**env, "HERALD_INSTANCE_ID": "idem-2"})
            try:
                alice = connect(second, "good-alice", "phone")
                try:
                    sent = post_send(first, message(["user_alice"], "news", "via one"), key="cross-1")
                    retried = post_send(second, message(["user_alice"], "news", "via one"), key="cross-1")
                    assert (sent.status_code, retried.status_code) == (200, 200)
                    assert retried.headers["Idempotency-Replayed"] == "true"
                    assert alice.wait_for("news") == [["via one"]]
                    sentinel(second, alice, "user_alice")
                    assert alice.received("news") == [["via one"]]
                finally:
                    alice.close()
            finally:
                first.stop()
                second.stop()
    finally:
        redis.stop()
