"""An SSE device admitted while Redis is down registers once Redis is back and then gets its queue, each message
once (the follower retries its store calls as a Socket.IO device session does)."""
import os
import sys
import tempfile
import time
import uuid

import pytest
import requests

sys.path.insert(0, os.path.dirname(__file__))

from sse_client import SSEStream  # noqa: E402
from sse_servers import SHOP_KEY, RedisServer, RunningHerald, send  # noqa: E402


@pytest.fixture
def persistent_redis_herald(hooks):
    """Herald on a redis-server that keeps its data across a restart (append-only file, fsync always)."""
    redis = RedisServer(appendfsync="always")
    try:
        with tempfile.TemporaryDirectory() as workdir:
            running = RunningHerald(hooks, workdir, extra_env={"REDIS_URL": redis.url})
            running.redis = redis
            yield running
            running.assert_alive()
            running.stop()
    finally:
        redis.stop()


def post_until_redis_answers(url, rooms, event, *args, timeout=10):
    """POSTs until the send is stored (200) or `timeout` passes (Herald answers 503 at once while Redis is down)."""
    deadline = time.monotonic() + timeout
    while True:
        response = requests.post(
            f"{url}/send", params={"site": "shop", "apiKey": SHOP_KEY},
            json={"rooms": rooms, "event": event, "args": list(args)}, timeout=5,
        )
        if response.status_code == 200 or time.monotonic() > deadline:
            return response
        time.sleep(0.2)


def test_a_device_admitted_while_redis_is_down_gets_its_queue_once_redis_is_back(persistent_redis_herald):
    redis_herald = persistent_redis_herald
    name = uuid.uuid4().hex[:10]
    room = f"user_{name}"
    earlier = SSEStream(redis_herald.url, "shop", token=f"good-{name}", device="browser")
    earlier.wait_for("settings")
    earlier.close()
    send(redis_herald.url, [room], "news", "queued while away")

    redis_herald.redis.stop()
    stream = SSEStream(redis_herald.url, "shop", token=f"good-{name}", device="browser")
    try:
        assert stream.status == 200, stream.error
        stream.wait_for("settings")
        redis_herald.redis.start()
        # The follower registers the device again with pauses of up to 5 s.
        stream.wait_for("news", timeout=20)
        assert post_until_redis_answers(redis_herald.url, [room], "news", "after").status_code == 200
        send(redis_herald.url, [room], "sentinel", 1)
        stream.wait_for("sentinel")
        assert [(e["event"], e["args"]) for e in stream.events if e["id"]] == [
            ("news", ["queued while away"]), ("news", ["after"]), ("sentinel", [1]),
        ]
        assert "device registration recorded after" in redis_herald.output()
    finally:
        stream.close()
