"""Fixtures for the event-server drop-in: in both port layouts (on Herald's port only, and with the original's own
listen and broadcast ports), over HTTPS, with a small `maxListeners`, and two instances on one real redis-server."""
import os
import sys
import tempfile

import pytest

HERE = os.path.dirname(__file__)
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(HERE, "..", "herald"))

from event_herald import EventHerald  # noqa: E402
from redis_server import RedisServer  # noqa: E402


def running(**options):
    with tempfile.TemporaryDirectory() as workdir:
        herald = EventHerald(workdir, **options)
        try:
            yield herald
            herald.assert_alive()
        finally:
            herald.stop()


@pytest.fixture(scope="module", params=["herald-port", "own-ports"])
def herald(request):
    """Both layouts: the event server on Herald's port (`POST /event`, `GET /events`), and on the original's own
    listen and broadcast ports."""
    yield from running(own_ports=request.param == "own-ports")


@pytest.fixture(scope="module")
def own_ports_herald():
    yield from running(own_ports=True)


@pytest.fixture(scope="module")
def https_herald():
    yield from running(own_ports=True, https=True)


@pytest.fixture(scope="module")
def crowded_herald():
    """Admits two listeners."""
    yield from running(max_listeners=2)


@pytest.fixture(scope="module")
def pair():
    """Two instances on one real redis-server, the second with the original's own ports."""
    redis = RedisServer()
    try:
        with tempfile.TemporaryDirectory() as workdir:
            first = EventHerald(workdir, redis_url=redis.url, name="instance-a")
            try:
                second = EventHerald(workdir, own_ports=True, redis_url=redis.url, name="instance-b")
                try:
                    yield first, second
                    first.assert_alive()
                    second.assert_alive()
                finally:
                    second.stop()
            finally:
                first.stop()
    finally:
        redis.stop()
