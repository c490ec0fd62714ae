"""Client publishes on a Redis-backed Herald when Redis goes away and comes back: a publish during the outage is
answered `store_unavailable` and reaches nobody, the socket stays connected, and once Redis is back a publish to a
user who is offline is kept and replayed in that device's `_batch` exactly once."""
import time

import pytest

from conftest import running_herald
from redis_server import RedisServer
from server_state import wait_for_connected_sockets
from site_client import SiteClient

TALK_KEY = "talk-api-key-0123456789"
REDIS_BACK_WITHIN = 10


@pytest.fixture
def herald(hooks, interaction):
    redis = RedisServer(appendfsync="always")  # a restart keeps the device registry, as a persistent Redis does
    sites = (
        "talk:\n"
        f"  authUrl: {hooks.url}/auth\n"
        f"  apiKey: {TALK_KEY}\n"
        "  userRoomPrefix: user_\n"
        f"  publishUrl: {interaction.url}/publish\n"
    )
    try:
        with running_herald(hooks, sites=sites, extra_env={"REDIS_URL": redis.url}) as running:
            running.redis = redis
            yield running
    finally:
        redis.stop()


def publish(client, room, label):
    data = {"room": room, "event": "message", "args": [label]}
    return client.client.call("_publish", data, namespace=client.namespace, timeout=5)


def test_a_publish_during_a_redis_outage_is_refused_and_one_after_it_is_replayed_once(herald):
    pete = SiteClient(herald, "talk", "good-pete", device="pete-tablet").connect()
    pete.wait_for("_settings")
    pete.close()
    olga = SiteClient(herald, "talk", "good-olga", device="olga-phone").connect()
    try:
        wait_for_connected_sockets(herald, 1, site="talk")
        herald.redis.stop()
        assert publish(olga, "user_pete", "during") == {
            "error": "The message could not be stored; nothing was sent", "code": "store_unavailable",
        }
        assert olga.client.connected

        herald.redis.start()
        deadline = time.monotonic() + REDIS_BACK_WITHIN
        while (answer := publish(olga, "user_pete", "after")).get("code") == "store_unavailable":
            assert time.monotonic() < deadline, "Redis was not usable again in time"
            time.sleep(0.2)
        assert answer["ok"] is True and answer["id"], answer

        pete = SiteClient(herald, "talk", "good-pete", device="pete-tablet").connect()
        assert pete.wait_for("_batch") == [[[["message", "after"]]]]
        assert pete.received("message") == []
    finally:
        olga.close()
        pete.close()
