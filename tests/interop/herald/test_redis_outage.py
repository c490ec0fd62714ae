"""Redis down: reliable sends are refused with 503 and Retry-After, nothing is half-stored, clients stay
connected, and Herald recovers by itself when Redis returns."""
import json
import time

import requests

from conftest import SHOP_KEY
from server_state import wait_for_connected_sockets
from site_client import SiteClient


def post(herald, rooms, event, *args):
    return requests.post(
        f"{herald.url}/send",
        params={"site": "shop", "apiKey": SHOP_KEY},
        json={"rooms": rooms, "event": event, "args": list(args)},
        timeout=5,
    )


def test_redis_outage_answers_503_keeps_clients_and_recovers(redis_herald):
    alice = SiteClient(redis_herald, "shop", "good-alice", device="phone").connect()
    bob = SiteClient(redis_herald, "shop", "good-bob", device="phone").connect()
    try:
        bob.wait_for("_settings")
        bob.close()
        wait_for_connected_sockets(redis_herald, 1)
        assert post(redis_herald, ["user_alice"], "news", "before").status_code == 200
        assert alice.wait_for("news") == [["before"]]

        redis_herald.redis.stop()
        failures = [post(redis_herald, ["user_alice", "user_bob"], "news", f"during {n}") for n in range(5)]
        for response in failures:
            assert response.status_code == 503
            assert response.headers["Retry-After"] == "5"
            assert "nothing was sent" in response.text
        assert alice.client.connected
        assert alice.received("news") == [["before"]]

        redis_herald.redis.start()
        deadline = time.time() + 10
        while True:
            response = post(redis_herald, ["user_alice", "user_bob"], "news", "after")
            if response.status_code == 200 or time.time() > deadline:
                break
            time.sleep(0.2)
        assert response.status_code == 200
        # In order on alice's socket: nothing of the refused sends came before "after" (nor, so, at all).
        assert alice.wait_for("news", count=2) == [["before"], ["after"]]
        redis_herald.assert_alive()
        log = [json.loads(line) for line in redis_herald.output().splitlines() if line.startswith("{")]
        outages = [e for e in log if e["message"].startswith("Redis unavailable")]
        assert len(outages) == 1
    finally:
        alice.close()


def post_until_redis_answers(herald, rooms, event, *args, timeout=10):
    """POSTs until the send is stored (200) or `timeout` passes; returns the last response."""
    deadline = time.time() + timeout
    while True:
        response = post(herald, rooms, event, *args)
        if response.status_code == 200 or time.time() > deadline:
            return response
        time.sleep(0.2)


def news_received(client):
    """Every `news` argument the client got, live or inside a `_batch`, in arrival order."""
    received = [args[0] for args in client.received("news")]
    for (entries,) in client.received("_batch"):
        received += [entry[1] for entry in entries if entry[0] == "news"]
    return received


def test_a_device_that_connects_while_redis_is_down_gets_each_later_message_once(redis_herald):
    earlier = SiteClient(redis_herald, "shop", "good-carol", device="tablet").connect()
    earlier.wait_for("_settings")
    earlier.close()
    wait_for_connected_sockets(redis_herald, 0)

    redis_herald.redis.stop()
    carol = SiteClient(redis_herald, "shop", "good-carol", device="tablet").connect()
    try:
        carol.wait_for("_settings")
        redis_herald.redis.start()
        assert post_until_redis_answers(redis_herald, ["user_carol"], "news", "after 0").status_code == 200
        for n in range(1, 10):
            assert post(redis_herald, ["user_carol", "news"], "news", f"after {n}").status_code == 200
        # The session registers the device again in the background; once it did (and sent any _batch), a
        # sentinel closes the window in which a second copy could still arrive.
        deadline = time.time() + 15
        while "device registration recorded after" not in redis_herald.output() and time.time() < deadline:
            time.sleep(0.05)
        assert "device registration recorded after" in redis_herald.output()
        assert post(redis_herald, ["user_carol"], "sentinel", "last").status_code == 200
        carol.wait_for("sentinel")
        assert sorted(news_received(carol)) == sorted(f"after {n}" for n in range(10))
        redis_herald.assert_alive()
    finally:
        carol.close()
