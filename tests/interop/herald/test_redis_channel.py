"""The Redis channel herald:send: a backend PUBLISHes a message and it goes out as a POST /send would; bad messages
are logged and dropped; with two Herald instances on one Redis each message goes out once in total."""
import tempfile

import pytest

from conftest import RunningHerald, wait_until
from redis_server import RedisServer
from send_helpers import log_entries, publish, wait_for_send_channel_consumer
from server_state import wait_for_connected_sockets
from site_client import SiteClient


@pytest.fixture
def redis_pair(hooks):
    """Two Herald instances on one redis-server."""
    redis = RedisServer()
    instances = []
    try:
        with tempfile.TemporaryDirectory() as one, tempfile.TemporaryDirectory() as two:
            for number, workdir in ((1, one), (2, two)):
                env = {"REDIS_URL": redis.url, "HERALD_INSTANCE_ID": f"channel-{number}", "FLAKE_WORKER": str(number)}
                instances.append(RunningHerald(hooks, workdir, extra_env=env))
            yield redis, instances
    finally:
        for instance in instances:
            instance.stop()
        redis.stop()


def connect(herald, site, token, device="phone"):
    client = SiteClient(herald, site, token, device=device).connect()
    client.wait_for("_settings")
    return client


def publish_sentinel(redis, site, clients):
    """Publishes a `sentinel` to the `news` room of `site` and waits until each client has it: the channel is read
    in order, so whatever was published before it has been handed on by then."""
    counts = [len(client.received("sentinel")) + 1 for client in clients]
    assert publish(redis, {"site": site, "rooms": ["news"], "event": "sentinel", "args": []}) == 1
    for client, count in zip(clients, counts):
        client.wait_for("sentinel", count=count)


def test_published_message_reaches_clients_like_a_send(redis_herald):
    redis = redis_herald.redis
    wait_for_send_channel_consumer(redis)
    alice = connect(redis_herald, "shop", "good-alice")
    plain = connect(redis_herald, "plain", "good-carol")
    try:
        assert publish(redis, {"site": "shop", "rooms": ["user_alice"], "event": "news", "args": [{"n": 1}]}) == 1
        assert publish(redis, {"site": "plain", "rooms": ["news"], "event": "alert", "args": ["to the room"]}) == 1
        assert alice.wait_for("news") == [[{"n": 1}]]
        assert plain.wait_for("alert") == [["to the room"]]
    finally:
        alice.close()
        plain.close()


def test_published_message_is_kept_for_an_offline_device(redis_herald):
    redis = redis_herald.redis
    wait_for_send_channel_consumer(redis)
    bob = connect(redis_herald, "shop", "good-bob", device="tablet")
    bob.close()
    wait_for_connected_sockets(redis_herald, 0)
    assert publish(redis, {"site": "shop", "rooms": ["user_bob"], "event": "news", "args": ["while away"]}) == 1
    wait_until(
        lambda: any(e["message"] == "message sent" and e.get("event") == "news" for e in log_entries(redis_herald)),
        lambda: redis_herald.output()[-2000:],
    )
    again = connect(redis_herald, "shop", "good-bob", device="tablet")
    try:
        assert again.wait_for("_batch") == [[[["news", "while away"]]]]
    finally:
        again.close()


def test_invalid_publish_is_logged_and_the_next_valid_one_still_goes_out(redis_herald):
    redis = redis_herald.redis
    wait_for_send_channel_consumer(redis)
    alice = connect(redis_herald, "shop", "good-alice", device="laptop")
    try:
        publish(redis, "{not json")
        publish(redis, {"site": "nope", "rooms": ["a"], "event": "news"})
        publish(redis, {"site": "shop", "rooms": ["user_alice"]})
        publish(redis, {"site": "shop", "rooms": ["user_alice"], "event": "news", "args": ["still works"]})
        assert alice.wait_for("news") == [["still works"]]
        redis_herald.assert_alive()
        dropped = [e["message"] for e in log_entries(redis_herald) if e["message"].startswith("published message dropped")]
        assert len(dropped) == 3
        assert dropped[0].startswith("published message dropped: Invalid JSON")
        assert dropped[1] == "published message dropped: Unknown site 'nope'"
        assert dropped[2] == "published message dropped: Missing 'event'"
    finally:
        alice.close()


def test_two_instances_on_one_redis_deliver_a_published_message_once(redis_pair):
    redis, instances = redis_pair
    leader = wait_for_send_channel_consumer(redis)
    assert leader in ("channel-1", "channel-2")
    clients = [connect(instance, "plain", f"good-p{index}") for index, instance in enumerate(instances)]
    alice = connect(instances[1], "shop", "good-alice")
    try:
        for number in range(5):
            assert publish(redis, {"site": "plain", "rooms": ["news"], "event": "news", "args": [number]}) == 1
        assert publish(redis, {"site": "shop", "rooms": ["news"], "event": "alert", "args": ["reliable"]}) == 1
        for client in clients:
            assert client.wait_for("news", count=5) == [[n] for n in range(5)]
        assert alice.wait_for("alert") == [["reliable"]]
        publish_sentinel(redis, "plain", clients)
        publish_sentinel(redis, "shop", [alice])
        for client in clients:
            assert len(client.received("news")) == 5
        assert alice.received("alert") == [["reliable"]]

        leading = next(i for i in instances if f"channel-{instances.index(i) + 1}" == leader)
        follower = next(i for i in instances if i is not leading)
        leading.stop()
        new_leader = wait_for_send_channel_consumer(redis)
        assert new_leader == f"channel-{instances.index(follower) + 1}"
        survivor = next(c for c, i in zip(clients, instances) if i is follower)
        assert publish(redis, {"site": "plain", "rooms": ["news"], "event": "update", "args": ["after failover"]}) == 1
        assert survivor.wait_for("update") == [["after failover"]]
        publish_sentinel(redis, "plain", [survivor])
        assert survivor.received("update") == [["after failover"]]
    finally:
        for client in clients + [alice]:
            client.close()
