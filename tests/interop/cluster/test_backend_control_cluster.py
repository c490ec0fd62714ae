"""Backend commands and client publishes across three instances on one Redis: `POST /rpc` and `POST /disconnect`
sent to one instance reach sockets on the others, and a client's publish reaches subscribers on other instances."""
import os
import sys

import pytest
import requests

from conftest import running_cluster
from redis_cluster import redis_under_test
from site_client import SiteClient
from stub_hooks import StubHooks

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "herald"))
from interaction_hooks import InteractionHooks  # noqa: E402

TALK_KEY = "talk-api-key-0123456789"


@pytest.fixture
def talk_cluster():
    hooks, interaction, redis = StubHooks(), InteractionHooks(), redis_under_test()
    sites = (
        "talk:\n"
        f"  authUrl: {hooks.url}/auth\n"
        f"  apiKey: {TALK_KEY}\n"
        "  userRoomPrefix: user_\n"
        f"  subscribeUrl: {interaction.url}/subscribe\n"
        f"  publishUrl: {interaction.url}/publish\n"
    )
    try:
        with running_cluster(sites, redis.url) as instances:
            yield instances
    finally:
        redis.stop()
        interaction.stop()
        hooks.stop()


def connect(instance, user, device):
    return SiteClient(instance, "talk", f"good-{user}", device=device).connect()


def backend(instance, path, body):
    return requests.post(f"{instance.url}/{path}", params={"site": "talk", "apiKey": TALK_KEY}, json=body, timeout=10)


def test_backend_rpc_sent_to_one_instance_collects_answers_from_sockets_on_the_others(talk_cluster):
    first, second, third = talk_cluster
    phone, laptop = connect(second, "amy", "phone"), connect(third, "amy", "laptop")
    try:
        phone.client.on("where", lambda *a: "on two", namespace=phone.namespace)
        laptop.client.on("where", lambda *a: "on three", namespace=laptop.namespace)
        response = backend(first, "rpc", {"user": "amy", "event": "where", "timeoutMs": 3000})
        assert response.status_code == 200, response.text
        assert sorted((a["deviceId"], a["answer"]) for a in response.json()) == [("laptop", "on three"), ("phone", "on two")]
        assert backend(first, "rpc", {"user": "nobody", "event": "where", "timeoutMs": 500}).status_code == 404
    finally:
        phone.close()
        laptop.close()


def test_backend_disconnect_logs_a_user_out_of_every_instance(talk_cluster):
    first, second, third = talk_cluster
    amy_one, amy_two, ben = connect(first, "amy", "a1"), connect(second, "amy", "a2"), connect(second, "ben", "b1")
    try:
        assert backend(third, "disconnect", {"user": "amy"}).json() == {"disconnected": 2}
        assert amy_one.wait_disconnected() and amy_two.wait_disconnected()
        requests.post(
            f"{third.url}/send", params={"site": "talk", "apiKey": TALK_KEY},
            json={"rooms": ["user_ben"], "event": "sentinel", "args": []}, timeout=5,
        ).raise_for_status()
        ben.wait_for("sentinel")
        assert not ben.disconnected.is_set()
    finally:
        for client in (amy_one, amy_two, ben):
            client.close()


def test_a_client_publish_reaches_subscribers_on_other_instances(talk_cluster):
    first, second, third = talk_cluster
    writer, reader_two, reader_three = connect(first, "cy", "c1"), connect(second, "dee", "d1"), connect(third, "eve", "e1")
    try:
        for reader in (reader_two, reader_three):
            assert reader.client.call("_subscribe", {"room": "open-town"}, namespace=reader.namespace, timeout=5)["ok"] is True
        answer = writer.client.call(
            "_publish", {"room": "open-town", "event": "message", "args": ["hello town"]}, namespace=writer.namespace, timeout=5
        )
        assert answer["ok"] is True
        for reader in (reader_two, reader_three):
            assert reader.wait_for("message") == [["hello town"]]
    finally:
        for client in (writer, reader_two, reader_three):
            client.close()
