"""The Server-Sent Events suite's servers: Herald (in memory and on a real redis-server) with the stub site backend,
and the three-instance cluster, all taken from the Herald and cluster suites."""
import importlib.util
import os
import sys
import tempfile

import requests

HERE = os.path.dirname(__file__)
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(HERE, "..", "herald"))


def _load(name, path):
    """Loads another suite's conftest under its own name (two modules called `conftest` cannot both be imported)."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_herald = _load("herald_conftest", os.path.join(HERE, "..", "herald", "conftest.py"))
_cluster = _load("cluster_conftest", os.path.join(HERE, "..", "cluster", "conftest.py"))

from redis_server import RedisServer  # noqa: E402

RunningHerald = _herald.RunningHerald
SHOP_KEY = _herald.SHOP_KEY
PLAIN_KEY = _herald.PLAIN_KEY
CLUSTER_SHOP_KEY = _cluster.SHOP_KEY
hooks = _herald.hooks  # the stub site backend (module scope)
cluster = _cluster.cluster  # one redis-server and three Herald instances
Instance = _cluster.Instance

HEARTBEAT_MS = 400
# Herald closes a connection idle between requests after this long; a stream is one request, never idle.
IDLE_TIMEOUT_MS = 1000
MAX_BODY = 1 << 20


def sites(hooks):
    """The Herald suite's shop and plain sites, and two with tight limits."""
    return (
        "shop:\n"
        f"  authUrl: {hooks.url}/auth\n"
        "  authScheme: Token\n"
        f"  apiKey: {SHOP_KEY}\n"
        "  userRoomPrefix: user_\n"
        "  publicChannel: lobby\n"
        "plain:\n"
        f"  authUrl: {hooks.url}/auth\n"
        f"  apiKey: {PLAIN_KEY}\n"
        "tight:\n"
        f"  authUrl: {hooks.url}/auth\n"
        "  apiKey: tight-api-key-0123456789\n"
        "  maxConnections: 1\n"
        "onedevice:\n"
        f"  authUrl: {hooks.url}/auth\n"
        "  apiKey: onedevice-api-key-0123456789\n"
        "  userRoomPrefix: user_\n"
        "  maxDevicesPerUser: 1\n"
    )


ADMIN_KEY = "admin-key-for-tests-0123456789"


def start_herald(hooks, workdir, store, queue_limit=1000, io_extra=""):
    """Herald on `store` (`memory` or `redis`) with a heartbeat (the Engine.IO ping interval) short enough to watch."""
    redis = RedisServer() if store == "redis" else None
    try:
        running = RunningHerald(
            hooks, workdir, queue_limit=queue_limit, sites=sites(hooks), max_body=MAX_BODY,
            ping_interval=HEARTBEAT_MS, ping_timeout=5000, admin_key=ADMIN_KEY, io_extra=f"    idleConnectionTimeout: {IDLE_TIMEOUT_MS}\n" + io_extra,
            extra_env={"REDIS_URL": redis.url} if redis else {},
        )
    except BaseException:
        if redis:
            redis.stop()
        raise
    running.redis = redis
    return running


def stop_herald(running):
    try:
        running.assert_alive()
    finally:
        running.stop()
        if running.redis:
            running.redis.stop()


QUEUE_LIMIT = 6


def send(url, rooms, event, *args, site="shop", api_key=SHOP_KEY):
    """POST /send and require 200 OK."""
    response = requests.post(
        f"{url}/send", params={"site": site, "apiKey": api_key},
        json={"rooms": rooms, "event": event, "args": list(args)}, timeout=10,
    )
    assert (response.status_code, response.text) == (200, "OK")
