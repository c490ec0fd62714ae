"""A cluster harness: one redis-server and three Herald instances on loopback ports they chose, sharing config and
sites."""
import contextlib
import os
import signal
import subprocess
import sys
import tempfile

import pytest

HERE = os.path.dirname(__file__)
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(HERE, "..", "herald"))

from loopback import port_file_path, read_port_file  # noqa: E402
from redis_cluster import redis_under_test  # noqa: E402
from stub_hooks import StubHooks  # noqa: E402

ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
BUILD_DIR = os.path.join(ROOT, os.environ.get("HERALD_BUILD_DIR", ".build/debug"))
SHOP_KEY = "shop-api-key-0123456789"
PLAIN_KEY = "plain-api-key-0123456789"
DEVICE_TTL = 3
INSTANCE_TIMEOUT_MS = 1500
HEARTBEAT_MS = 300
SHUTDOWN_BOUND = 10



class Instance:
    """One `herald serve` of the cluster."""

    def __init__(self, number, workdir, redis_url):
        self.number = number
        self.log_path = os.path.join(workdir, f"herald-{number}.log")
        env = {k: v for k, v in os.environ.items() if k not in ("PORT", "DEVICE_TTL", "SITE_NAME", "NODE_ENV")}
        env.update({
            "HERALD_ENV": "test",
            "REDIS_URL": redis_url,
            "FLAKE_WORKER": str(number),
            "HERALD_INSTANCE_ID": f"instance-{number}",
        })
        self.log = open(self.log_path, "w")
        port_file = port_file_path(workdir, f"herald-{number}")
        self.process = subprocess.Popen(
            [os.path.join(BUILD_DIR, "herald"), "serve", "--config", os.path.join(workdir, "config.yml"),
             "--sites", os.path.join(workdir, "sites.yml"), "--port", "0", "--port-file", port_file],
            stdout=self.log, stderr=subprocess.STDOUT, env=env, cwd=workdir,
        )
        self.port = read_port_file(self.process, port_file, f"instance {number}", self.output)
        self.url = f"http://127.0.0.1:{self.port}"

    def output(self):
        self.log.flush()
        with open(self.log_path) as f:
            return f.read()

    def alive(self):
        return self.process.poll() is None

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def terminate(self):
        self.process.send_signal(signal.SIGTERM)

    def stop(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.log.close()


@contextlib.contextmanager
def running_cluster(sites_text, redis_url, count=3, cluster_extra="", io_text="", extra_config=""):
    """`count` Herald instances on `redis_url` sharing one config.yml (short heartbeats) and `sites_text`; all
    stopped afterwards. `cluster_extra` adds lines to the `cluster:` section, `io_text` an `io:` section,
    `extra_config` more lines of the `test:` environment (all indented as config.yml wants them)."""
    instances = []
    with tempfile.TemporaryDirectory() as workdir:
        with open(os.path.join(workdir, "config.yml"), "w") as f:
            f.write(
                "test:\n"
                "  host: 127.0.0.1\n"
                f"  device_ttl: {DEVICE_TTL}\n"
                "  hooks:\n    timeout: 2000\n"
                f"  cluster:\n    heartbeat: {HEARTBEAT_MS}\n    instanceTimeout: {INSTANCE_TIMEOUT_MS}\n"
                f"{cluster_extra}{io_text}{extra_config}"
            )
        with open(os.path.join(workdir, "sites.yml"), "w") as f:
            f.write(sites_text)
        try:
            for number in range(1, count + 1):
                instances.append(Instance(number, workdir, redis_url))
            yield instances
        finally:
            for instance in instances:
                instance.stop()


@pytest.fixture
def cluster():
    hooks = StubHooks()
    redis = redis_under_test()
    sites = (
        "shop:\n"
        f"  authUrl: {hooks.url}/auth\n"
        f"  apiKey: {SHOP_KEY}\n"
        "  userRoomPrefix: user_\n"
        "plain:\n"
        f"  authUrl: {hooks.url}/auth\n"
        f"  apiKey: {PLAIN_KEY}\n"
    )
    try:
        with running_cluster(sites, redis.url) as instances:
            yield instances
    finally:
        redis.stop()
        hooks.stop()
