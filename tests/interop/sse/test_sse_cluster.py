"""Server-Sent Events on three Herald instances sharing one redis-server: an SSE device that hops between instances
with `Last-Event-ID` gets every message sent through any instance exactly once, in the order it was sent."""
import os
import sys
import uuid

sys.path.insert(0, os.path.dirname(__file__))

from sse_servers import CLUSTER_SHOP_KEY, send  # noqa: E402
from sse_client import SSEStream  # noqa: E402


def connect(instance, name, last_event_id=None):
    stream = SSEStream(instance.url, "shop", token=f"good-{name}", device="browser", last_event_id=last_event_id)
    assert stream.status == 200, (stream.status, stream.error)
    stream.wait_for("settings")
    return stream


def stored(stream):
    return [(e["event"], e["args"]) for e in stream.events if e["id"] is not None]


def test_a_device_hopping_between_instances_gets_every_message_once_in_order(cluster):
    name = uuid.uuid4().hex[:10]
    room = f"user_{name}"
    expected, received = [], []
    position = None
    for hop in range(6):
        stream = connect(cluster[hop % 3], name, last_event_id=position)
        for sender in cluster:
            message = f"live {hop} via {sender.number}"
            send(sender.url, [room], "news", message, api_key=CLUSTER_SHOP_KEY)
            expected.append(("news", [message]))
        owed = len(expected) - len(received)
        stream.wait_until(lambda: len(stored(stream)) >= owed, f"{owed} messages on hop {hop}")
        position = stream.last_event_id
        stream.close()
        received += stored(stream)
        for sender in cluster[1:]:
            message = f"away {hop} via {sender.number}"
            send(sender.url, [room], "news", message, api_key=CLUSTER_SHOP_KEY)
            expected.append(("news", [message]))

    last = connect(cluster[0], name, last_event_id=position)
    try:
        send(cluster[2].url, [room], "sentinel", 1, api_key=CLUSTER_SHOP_KEY)
        last.wait_for("sentinel")
        received += stored(last)
    finally:
        last.close()
    assert received == expected + [("sentinel", [1])]


def test_a_stopping_instance_ends_its_streams_and_the_client_resumes_elsewhere(cluster):
    name = uuid.uuid4().hex[:10]
    room = f"user_{name}"
    stream = connect(cluster[0], name)
    send(cluster[1].url, [room], "news", 1, api_key=CLUSTER_SHOP_KEY)
    stream.wait_for("news")
    cluster[0].terminate()
    stream.wait_ended(timeout=5)
    position = stream.last_event_id
    stream.close()
    send(cluster[2].url, [room], "news", 2, api_key=CLUSTER_SHOP_KEY)
    again = connect(cluster[1], name, last_event_id=position)
    try:
        send(cluster[2].url, [room], "sentinel", 1, api_key=CLUSTER_SHOP_KEY)
        again.wait_for("sentinel")
        assert stored(again) == [("news", [2]), ("sentinel", [1])]
    finally:
        again.close()
