"""The admin API as one view of three instances on one Redis: any instance lists every instance's sockets with the
instance each is on, disconnects a socket wherever it is, and names an instance that does not answer in time
instead of waiting for it."""
import signal
import time
import urllib.parse

import pytest
import requests

from conftest import SHOP_KEY, running_cluster
from redis_server import RedisServer
from site_client import SiteClient
from stub_hooks import StubHooks

ADMIN_KEY = "admin-key-for-tests-0123456789"
AUTH = {"Authorization": f"Bearer {ADMIN_KEY}"}
# SiteInspector.timeout: how long the asked instance waits for the others.
ANSWER_TIMEOUT_SECONDS = 2


@pytest.fixture
def admin_cluster():
    hooks, redis = StubHooks(), RedisServer()
    sites = (
        "shop:\n"
        f"  authUrl: {hooks.url}/auth\n"
        f"  apiKey: {SHOP_KEY}\n"
        "  userRoomPrefix: user_\n"
    )
    try:
        with running_cluster(sites, redis.url, extra_config=f"  admin:\n    key: {ADMIN_KEY}\n") as instances:
            yield instances
    finally:
        redis.stop()
        hooks.stop()


def connect(instance, user, device):
    client = SiteClient(instance, "shop", f"good-{user}", device=device).connect()
    client.wait_for("_settings")
    return client


def get(instance, path, headers=AUTH):
    return requests.get(f"{instance.url}{path}", headers=headers, timeout=10)


def shop(body):
    return {site["name"]: site for site in body["sites"]}["shop"]


def test_one_instance_lists_and_disconnects_the_sockets_of_every_instance(admin_cluster):
    first, second, third = admin_cluster
    amy, ben, cat = connect(second, "amy", "phone"), connect(third, "ben", "laptop"), connect(first, "cat", "tablet")
    try:
        assert get(first, "/admin/api/sites", headers={}).status_code == 401
        body = get(first, "/admin/api/sites").json()
        assert body["scope"] == "cluster"
        assert (body["instances"], body["missing"]) == (["instance-1", "instance-2", "instance-3"], [])
        assert shop(body)["connections"] == 3
        assert shop(body)["transports"]["websocket"] == 3

        rooms = get(first, "/admin/api/sites/shop/rooms").json()
        members = {room["name"]: room["members"] for room in rooms["rooms"]}
        assert members == {"user_amy": 1, "user_ben": 1, "user_cat": 1, "news": 3, "#herald/reliable": 3}
        assert rooms["truncated"] is False

        reliable = urllib.parse.quote("#herald/reliable", safe="")
        sockets = get(first, f"/admin/api/sites/shop/rooms/{reliable}/sockets").json()
        assert sorted((s["deviceId"], s["instance"]) for s in sockets["sockets"]) == [
            ("laptop", "instance-3"), ("phone", "instance-2"), ("tablet", "instance-1"),
        ]
        assert sockets["truncated"] is False
        capped = get(first, f"/admin/api/sites/shop/rooms/{reliable}/sockets?limit=2").json()
        assert (len(capped["sockets"]), capped["truncated"]) == (2, True)

        ben_id = get(first, "/admin/api/sites/shop/rooms/user_ben/sockets").json()["sockets"][0]["id"]
        path = f"/admin/api/sites/shop/sockets/{urllib.parse.quote(ben_id, safe='')}"
        response = requests.delete(f"{first.url}{path}", headers=AUTH, timeout=10)
        assert (response.status_code, response.json()) == (200, {"disconnected": 1})
        assert ben.wait_disconnected(), "ben's client on instance 3 did not see the disconnect"
        assert not amy.disconnected.is_set() and not cat.disconnected.is_set()
        assert requests.delete(f"{first.url}{path}", headers=AUTH, timeout=10).status_code == 404
        assert shop(get(second, "/admin/api/sites").json())["connections"] == 2
    finally:
        for client in (amy, ben, cat):
            client.close()


def test_an_instance_that_does_not_answer_is_reported_missing_without_hanging(admin_cluster):
    first, second, third = admin_cluster
    amy, ben = connect(second, "amy", "phone"), connect(third, "ben", "laptop")
    second.process.send_signal(signal.SIGSTOP)
    try:
        started = time.monotonic()
        body = get(first, "/admin/api/sites").json()
        elapsed = time.monotonic() - started
        assert body["missing"] == ["instance-2"]
        assert body["instances"] == ["instance-1", "instance-3"]
        assert shop(body)["connections"] == 1, "only the answering instances' sockets are counted"
        assert elapsed < ANSWER_TIMEOUT_SECONDS + 3, f"the answer took {elapsed:.1f}s"
    finally:
        second.process.send_signal(signal.SIGCONT)
        for client in (amy, ben):
            client.close()
