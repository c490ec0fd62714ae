"""Fixtures for the Herald service suite: a stub site backend and a Herald process configured to use it."""
import contextlib
import os
import subprocess
import tempfile

import pytest
import requests

from loopback import port_file_path, read_port_file, wait_until  # noqa: F401 (wait_until: for the tests)
from processes import stop_process
from redis_server import RedisServer
from site_client import SiteClient
from interaction_hooks import InteractionHooks
from stub_hooks import StubHooks

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
BUILD_DIR = os.path.join(ROOT, os.environ.get("HERALD_BUILD_DIR", ".build/debug"))
SHOP_KEY = "shop-api-key-0123456789"
PLAIN_KEY = "plain-api-key-0123456789"
DEVICE_TTL = 3600
MAX_BODY = 4096



class RunningHerald:
    """`herald serve` on a loopback port it chose itself (`--port 0 --port-file`) with generated config.yml and
    sites.yml; stdout kept for log checks. `sites` replaces the default sites.yml text, `io_extra` adds lines under
    `io:`. `port` and `url` are set once it listens."""

    def __init__(
        self, hooks, workdir, device_ttl=DEVICE_TTL, queue_limit=1000, extra_env=None, sites=None, io_extra="",
        admin_key=None, max_body=MAX_BODY, ping_interval=2000, ping_timeout=2000, config_extra="", scheme="http",
    ):
        config = self.config_path = os.path.join(workdir, "config.yml")
        sites_text, sites = sites, os.path.join(workdir, "sites.yml")
        self.sites_path = sites
        with open(config, "w") as f:
            f.write(
                "test:\n"
                "  host: 127.0.0.1\n"
                f"  device_ttl: {device_ttl}\n"
                f"  device_queue_limit: {queue_limit}\n"
                "  hooks:\n    timeout: 1000\n"
                f"  send:\n    maxBodyBytes: {max_body}\n"
                f"  io:\n    pingInterval: {ping_interval}\n    pingTimeout: {ping_timeout}\n" + io_extra
            )
            if admin_key:
                f.write(f"  admin:\n    key: {admin_key}\n")
            f.write(config_extra)
        with open(sites, "w") as f:
            f.write(sites_text or
                "shop:\n"
                f"  authUrl: {hooks.url}/auth\n"
                "  authScheme: Token\n"
                f"  apiKey: {SHOP_KEY}\n"
                "  userRoomPrefix: user_\n"
                f"  updateUserUrl: {hooks.url}/users/:id\n"
                "  publicChannel: lobby\n"
                "plain:\n"
                f"  authUrl: {hooks.url}/auth\n"
                f"  apiKey: {PLAIN_KEY}\n"
            )
        self.log_path = os.path.join(workdir, "herald.log")
        self.log = open(self.log_path, "w")
        env = {k: v for k, v in os.environ.items() if k not in ("PORT", "REDIS_URL", "DEVICE_TTL", "SITE_NAME", "NODE_ENV", "HERALD_ADMIN_KEY")}
        env["HERALD_ENV"] = "test"
        env.update(extra_env or {})
        port_file = port_file_path(workdir, "herald")
        self.process = subprocess.Popen(
            [os.path.join(BUILD_DIR, "herald"), "serve", "--config", config, "--sites", sites, "--port", "0",
             "--port-file", port_file],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=workdir,
        )
        self.port = read_port_file(self.process, port_file, "herald", self.output)
        self.url = f"{scheme}://127.0.0.1:{self.port}"

    def output(self):
        self.log.flush()
        with open(self.log_path) as f:
            return f.read()

    def assert_alive(self):
        assert self.process.poll() is None, f"herald died: {self.output()}"

    def stop(self):
        stop_process(self.process)
        self.log.close()


GENERATION = os.environ.get("SIO_GENERATION", "5")
# Raw-protocol tests control acks by hand; they speak Engine.IO v4 themselves, so one generation runs them.
# The plain WebSocket JSON client speaks no Socket.IO either: one generation runs it; so does the permessage-deflate
# suite (its clients are hand-driven too, and aiohttp is in the v5 environment only).
collect_ignore = (
    ["test_reliable_acks_raw.py", "test_plain_websocket.py", "test_plain_websocket_input.py",
     "test_plain_websocket_reliable.py", "test_plain_websocket_interactive.py", "test_permessage_deflate.py"]
    if GENERATION != "5" else []
)


@pytest.fixture(scope="module")
def interaction():
    """A stub of a site's subscribeUrl, publishUrl and rpcUrl (interaction_hooks.py)."""
    stub = InteractionHooks()
    yield stub
    stub.stop()


@pytest.fixture(scope="module")
def hooks():
    stub = StubHooks()
    yield stub
    stub.stop()


@contextlib.contextmanager
def running_herald(hooks, **options):
    """A `RunningHerald` (with `options`) in a temporary directory of its own; on leaving, it must still be alive,
    and it is stopped."""
    with tempfile.TemporaryDirectory() as workdir:
        running = RunningHerald(hooks, workdir, **options)
        try:
            yield running
            running.assert_alive()
        finally:
            running.stop()


@pytest.fixture(scope="module")
def herald(hooks):
    with running_herald(hooks) as running:
        yield running


SHORT_TTL = 2
QUEUE_LIMIT = 5


@pytest.fixture(scope="module", params=["memory", "redis"])
def reliable_herald(request, hooks):
    """Herald with a 2 s device_ttl and 5-message device queues, to watch expiry and overflow; once on the
    in-memory store and once on a real redis-server."""
    redis = RedisServer() if request.param == "redis" else None
    try:
        with tempfile.TemporaryDirectory() as workdir:
            env = {"REDIS_URL": redis.url} if redis else {}
            running = RunningHerald(hooks, workdir, device_ttl=SHORT_TTL, queue_limit=QUEUE_LIMIT, extra_env=env)
            yield running
            running.assert_alive()
            running.stop()
    finally:
        if redis:
            redis.stop()


@pytest.fixture
def redis_herald(hooks):
    """Herald on a redis-server the test may stop and restart."""
    redis = RedisServer()
    try:
        with tempfile.TemporaryDirectory() as workdir:
            running = RunningHerald(hooks, workdir, extra_env={"REDIS_URL": redis.url})
            running.redis = redis
            yield running
            running.assert_alive()
            running.stop()
    finally:
        redis.stop()


@pytest.fixture
def clients(herald):
    """Connects `SiteClient`s to the module's `herald` (`connect(site, token, expect_success=True, **options)`);
    closes them after the test."""
    opened = []

    def connect(site, token, expect_success=True, **kwargs):
        client = SiteClient(herald, site, token, **kwargs)
        opened.append(client)
        return client.connect(expect_success=expect_success)

    yield connect
    for client in opened:
        client.close()


def send_to_rooms(herald, rooms, event, *args, resync=False):
    """POST /send to the shop site and require the Node service's 200 OK."""
    params = {"site": "shop", "apiKey": SHOP_KEY}
    if resync:
        params["resync"] = "true"
    response = requests.post(
        f"{herald.url}/send", params=params, json={"rooms": rooms, "event": event, "args": list(args)}, timeout=5
    )
    assert (response.status_code, response.text) == (200, "OK")


SITE_KEYS = {"shop": SHOP_KEY, "plain": PLAIN_KEY}


def sentinel(herald, client, room, api_key=None):
    """Sends a `sentinel` event to `room` of the client's site and waits until `client` (a `SiteClient`) has it.

    Messages to one socket arrive in the order they were sent, and a `_batch` right after `_settings`: once the
    sentinel is there, anything sent to `client` before it has arrived too. So a test proves that something did
    *not* arrive by sending a sentinel after it, never by waiting an arbitrary time. `api_key` defaults to the key
    of the shop and plain sites."""
    site = client.namespace[1:]
    count = len(client.received("sentinel")) + 1
    response = requests.post(
        f"{herald.url}/send", params={"site": site, "apiKey": api_key or SITE_KEYS[site]},
        json={"rooms": [room], "event": "sentinel", "args": [count]}, timeout=5,
    )
    assert (response.status_code, response.text) == (200, "OK")
    client.wait_for("sentinel", count=count)
