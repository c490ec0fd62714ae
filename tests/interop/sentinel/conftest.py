"""Sentinel harness: a real Sentinel-monitored Redis group (master, replica, three sentinels) and two Herald
instances that find the master through the sentinels — one configured with `redis.sentinels` in config.yml, the
other with a `redis+sentinel://` REDIS_URL. Only the python-socketio 5 generation runs it, like the chaos suite:
the client library is not what is under test."""
import os
import shutil
import subprocess
import sys
import tempfile
import time

import pytest

HERE = os.path.dirname(__file__)
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(HERE, "..", "herald"))
sys.path.insert(0, os.path.join(HERE, "..", "chaos"))

from chaos_site import SHOP_KEY  # noqa: E402
from loopback import port_file_path, read_port_file  # noqa: E402
from sentinel_group import MASTER_NAME, SentinelGroup  # noqa: E402
from stub_hooks import StubHooks  # noqa: E402

ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
BUILD_DIR = os.path.join(ROOT, os.environ.get("HERALD_BUILD_DIR", ".build/debug"))

collect_ignore_glob = ["test_*.py"] if os.environ.get("SIO_GENERATION", "5") != "5" else []


class HeraldInstance:
    """One `herald serve` on a port it chose; `redis_url` (REDIS_URL) beats the config file's `redis:`."""

    def __init__(self, number, workdir, redis_url=None):
        self.number = number
        self.log_path = os.path.join(workdir, f"herald-{number}.log")
        self.log = open(self.log_path, "w")
        env = {k: v for k, v in os.environ.items()
               if k not in ("PORT", "REDIS_URL", "DEVICE_TTL", "SITE_NAME", "NODE_ENV", "LOG_LEVEL")}
        env.update({"HERALD_ENV": "test", "FLAKE_WORKER": str(number), "LOG_LEVEL": "info",
                    "HERALD_INSTANCE_ID": f"instance-{number}-{time.monotonic_ns()}"})
        if redis_url:
            env["REDIS_URL"] = redis_url
        port_file = port_file_path(workdir, f"herald-{number}")
        self.process = subprocess.Popen(
            [os.path.join(BUILD_DIR, "herald"), "serve", "--config", os.path.join(workdir, "config.yml"),
             "--sites", os.path.join(workdir, "sites.yml"), "--port", "0", "--port-file", port_file],
            stdout=self.log, stderr=subprocess.STDOUT, env=env, cwd=workdir,
        )
        self.port = read_port_file(self.process, port_file, f"herald {number}", self.output)
        self.url = f"http://127.0.0.1:{self.port}"

    def output(self):
        self.log.flush()
        with open(self.log_path) as f:
            return f.read()

    def assert_alive(self):
        assert self.process.poll() is None, f"herald {self.number} died:\n{self.output()[-4000:]}"

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except Exception:
                self.process.kill()
                self.process.wait()
        self.log.close()


def write_config(workdir, hooks, group):
    sentinels = "".join(f"      - \"{address}\"\n" for address in group.addresses)
    with open(os.path.join(workdir, "config.yml"), "w") as f:
        f.write(
            "test:\n"
            "  host: 127.0.0.1\n"
            "  device_ttl: 3600\n"
            "  device_queue_limit: 100000\n"
            "  hooks:\n    timeout: 5000\n"
            "  io:\n    pingInterval: 5000\n    pingTimeout: 5000\n"
            "  cluster:\n    heartbeat: 300\n    instanceTimeout: 1500\n"
            f"  redis:\n    masterName: {MASTER_NAME}\n    sentinels:\n{sentinels}"
        )
    with open(os.path.join(workdir, "sites.yml"), "w") as f:
        f.write(f"shop:\n  authUrl: {hooks.url}/auth\n  apiKey: {SHOP_KEY}\n  userRoomPrefix: user_\n")


@pytest.fixture
def sentinel_deployment():
    """(group, instances): the Redis group and two Herald instances following its master."""
    hooks = StubHooks()
    group = SentinelGroup()
    instances = []
    workdir = tempfile.mkdtemp(prefix="herald-sentinel-run-")
    try:
        write_config(workdir, hooks, group)
        instances.append(HeraldInstance(1, workdir))
        instances.append(HeraldInstance(2, workdir, redis_url=group.url))
        yield group, instances
    finally:
        for instance in instances:
            instance.stop()
        group.stop()
        hooks.stop()
        shutil.rmtree(workdir, ignore_errors=True)
