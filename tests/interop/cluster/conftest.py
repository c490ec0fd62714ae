"""A cluster harness: one redis-server and three Herald instances on loopback ports, sharing config and sites."""
import os
import signal
import subprocess
import sys
import tempfile

import pytest

HERE = os.path.dirname(__file__)
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(HERE, "..", "herald"))

from loopback import free_port, wait_until_listening  # noqa: E402
from redis_server import RedisServer  # noqa: E402
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
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = os.path.join(workdir, f"herald-{number}.log")
        env = {k: v for k, v in os.environ.items() if k not in ("PORT", "DEVICE_TTL", "SITE_NAME", "NODE_ENV")}
        env.update({
            "HERALD_ENV": "test",
            "REDIS_URL": redis_url,
            "FLAKE_WORKER": str(number),
            "HERALD_INSTANCE_ID": f"instance-{number}",
        })
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [os.path.join(BUILD_DIR, "herald"), "serve", "--config", os.path.join(workdir, "config.yml"),
             "--sites", os.path.join(workdir, "sites.yml"), "--port", str(self.port)],
            stdout=self.log, stderr=subprocess.STDOUT, env=env, cwd=workdir,
        )
        wait_until_listening(self.process, self.port, f"instance {number}", self.output)

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


@pytest.fixture
def cluster():
    hooks = StubHooks()
    redis = RedisServer()
    instances = []
    with tempfile.TemporaryDirectory() as workdir:
        with open(os.path.join(workdir, "config.yml"), "w") as f:
            f.write(
                "test:\n"
                "  host: 127.0.0.1\n"
                f"  device_ttl: {DEVICE_TTL}\n"
                "  hooks:\n    timeout: 2000\n"
                f"  cluster:\n    heartbeat: {HEARTBEAT_MS}\n    instanceTimeout: {INSTANCE_TIMEOUT_MS}\n"
            )
        with open(os.path.join(workdir, "sites.yml"), "w") as f:
            f.write(
                "shop:\n"
                f"  authUrl: {hooks.url}/auth\n"
                f"  apiKey: {SHOP_KEY}\n"
                "  userRoomPrefix: user_\n"
                "plain:\n"
                f"  authUrl: {hooks.url}/auth\n"
                f"  apiKey: {PLAIN_KEY}\n"
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
