"""Room presence across three instances on one Redis: `GET /presence` on any instance lists members connected to the
others, and the members of a SIGKILLed instance leave (announced with `_leave`) once it is reaped."""
import os
import sys
import tempfile

import pytest
import requests

from conftest import HEARTBEAT_MS, INSTANCE_TIMEOUT_MS, Instance
from redis_cluster import redis_under_test
from site_client import SiteClient
from stub_hooks import StubHooks

LIVE_KEY = "live-api-key-0123456789"
GRACE_SECONDS = 1


@pytest.fixture
def live_cluster():
    hooks, redis = StubHooks(), redis_under_test()
    instances = []
    with tempfile.TemporaryDirectory() as workdir:
        with open(os.path.join(workdir, "config.yml"), "w") as f:
            f.write(
                "test:\n  host: 127.0.0.1\n  hooks:\n    timeout: 2000\n"
                f"  cluster:\n    heartbeat: {HEARTBEAT_MS}\n    instanceTimeout: {INSTANCE_TIMEOUT_MS}\n"
            )
        with open(os.path.join(workdir, "sites.yml"), "w") as f:
            f.write(
                "live:\n"
                f"  authUrl: {hooks.url}/auth\n"
                f"  apiKey: {LIVE_KEY}\n"
                "  userRoomPrefix: user_\n"
                f"  presence: {{graceSeconds: {GRACE_SECONDS}}}\n"
            )
        try:
            for number in (1, 2, 3):
                instances.append(Instance(number, workdir, redis.url))
            yield instances
        finally:
            for instance in instances:
                instance.stop()
            redis.stop()
            hooks.stop()


def connect(instance, user, device):
    return SiteClient(instance, "live", f"good-{user}", device=device).connect()


def members(instance, room="news"):
    response = requests.get(f"{instance.url}/presence", params={"site": "live", "room": room, "apiKey": LIVE_KEY}, timeout=5)
    assert response.status_code == 200, response.text
    return response.json()["members"]


def wait_for_leave(client, user, timeout):
    with client.condition:
        assert client.condition.wait_for(
            lambda: any(args[0]["user"] == user for args in client.received("_leave")), timeout
        ), f"no _leave of {user}; got {client.events}"


def test_members_on_every_instance_are_listed_by_any_instance(live_cluster):
    first, second, third = live_cluster
    amy, ben = connect(first, "amy", "phone"), connect(second, "ben", "laptop")
    try:
        with amy.condition:
            assert amy.condition.wait_for(lambda: any(a[0]["user"] == "ben" for a in amy.received("_join")), 5)
        expected = [{"user": "amy", "deviceId": "phone"}, {"user": "ben", "deviceId": "laptop"}]
        for instance in live_cluster:
            assert members(instance) == expected
        ben.close()
        wait_for_leave(amy, "ben", 5)
        assert members(third) == [{"user": "amy", "deviceId": "phone"}]
    finally:
        amy.close()
        ben.close()


def test_a_killed_instances_members_leave_when_it_is_reaped(live_cluster):
    first, second, third = live_cluster
    watcher = connect(first, "wes", "w1")
    doomed = connect(second, "dan", "d1")
    also_doomed = connect(second, "eve", "e1")
    survivor = connect(third, "dan", "d1")
    try:
        with watcher.condition:
            assert watcher.condition.wait_for(lambda: len(watcher.received("_join")) >= 3, 5)
        second.kill()
        wait_for_leave(watcher, "eve", INSTANCE_TIMEOUT_MS / 1000 + 5)
        listed = members(first)
        assert {"user": "eve", "deviceId": "e1"} not in listed
        # Dan's device is also connected to the third instance: it stays, and no leave is announced for it.
        assert {"user": "dan", "deviceId": "d1"} in listed
        assert not any(args[0]["user"] == "dan" for args in watcher.received("_leave"))
    finally:
        for client in (watcher, doomed, also_doomed, survivor):
            client.close()
