"""Chaos runs: Herald (one instance in memory, or three on a real redis-server) under user devices whose connections
are cut the way bad networks cut them, with exactly-once checked per device.

`CHAOS_SCALE=long` (what `make chaos` sets) runs the published sizes; the default is the short form `make test` runs.
Only the python-socketio 5 generation runs them: the client library is not what is under test."""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

import pytest

HERE = os.path.dirname(__file__)
sys.path.insert(0, os.path.join(HERE, ".."))
sys.path.insert(0, os.path.join(HERE, "..", "herald"))

from loopback import port_file_path, read_port_file  # noqa: E402
from redis_cluster import RedisCluster  # noqa: E402
from redis_server import RedisServer  # noqa: E402
from stub_hooks import StubHooks  # noqa: E402

ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
BUILD_DIR = os.path.join(ROOT, os.environ.get("HERALD_BUILD_DIR", ".build/debug"))
from chaos_site import SHOP_KEY  # noqa: E402

collect_ignore_glob = ["test_*.py"] if os.environ.get("SIO_GENERATION", "5") != "5" else []


@dataclass(frozen=True)
class Scale:
    """How big and how long a chaos run is."""

    users: int  # two devices each: one on WebSocket, one on long-polling
    seconds: float  # how long messages are sent while connections are cut
    cut_every: float  # each device's connections are cut about this often
    outage: float  # and stay refused about this long
    sends_per_second: float


SHORT = Scale(users=10, seconds=10, cut_every=3, outage=0.8, sends_per_second=20)
# 200 stock clients on one Python event loop keep up with about 5 sends/s to a 200-device shared room (1,000
# deliveries/s); past that the clients, not Herald, fall behind and the figures measure them.
LONG = Scale(users=100, seconds=60, cut_every=15, outage=2, sends_per_second=5)


@pytest.fixture(scope="session")
def scale():
    return LONG if os.environ.get("CHAOS_SCALE") == "long" else SHORT


class HeraldProcess:
    """One `herald serve` on a port it chose, sharing the run's config and sites; `kill`, `terminate` and `start`
    let a run crash or restart it (a restarted instance listens on a new port)."""

    def __init__(self, number, workdir, redis_url=None):
        self.number = number
        self.workdir = workdir
        self.redis_url = redis_url
        self.log_path = os.path.join(workdir, f"herald-{number}.log")
        self.log = open(self.log_path, "a")
        self.start()

    def start(self):
        env = {k: v for k, v in os.environ.items()
               if k not in ("PORT", "REDIS_URL", "DEVICE_TTL", "SITE_NAME", "NODE_ENV", "LOG_LEVEL")}
        env.update({"HERALD_ENV": "test", "FLAKE_WORKER": str(self.number),
                    "HERALD_INSTANCE_ID": f"instance-{self.number}-{time.monotonic_ns()}", "LOG_LEVEL": "warning"})
        if self.redis_url:
            env["REDIS_URL"] = self.redis_url
        port_file = port_file_path(self.workdir, f"herald-{self.number}")
        self.process = subprocess.Popen(
            [os.path.join(BUILD_DIR, "herald"), "serve", "--config", os.path.join(self.workdir, "config.yml"),
             "--sites", os.path.join(self.workdir, "sites.yml"), "--port", "0", "--port-file", port_file],
            stdout=self.log, stderr=subprocess.STDOUT, env=env, cwd=self.workdir,
        )
        self.port = read_port_file(self.process, port_file, f"herald {self.number}", self.output)
        self.url = f"http://127.0.0.1:{self.port}"

    def output(self):
        self.log.flush()
        with open(self.log_path) as f:
            return f.read()

    def assert_alive(self):
        assert self.process.poll() is None, f"herald {self.number} died:\n{self.output()[-4000:]}"

    def kill(self):
        """SIGKILL: the instance dies without a word, as on a crashed host."""
        self.process.kill()
        self.process.wait()

    def terminate(self, timeout=15):
        """SIGTERM, then waits for the graceful stop; returns the exit code."""
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout)

    def stop(self):
        if self.process.poll() is None:
            try:
                self.terminate()
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def write_config(workdir, hooks, redis_settings=""):
    """`redis_settings`: lines of the `redis:` section (indented by four), e.g. `    waitReplicas: 1\n`."""
    with open(os.path.join(workdir, "config.yml"), "w") as f:
        f.write(
            "test:\n"
            + (f"  redis:\n{redis_settings}" if redis_settings else "")
            + "  host: 127.0.0.1\n"
            "  device_ttl: 3600\n"
            "  device_queue_limit: 100000\n"
            "  hooks:\n    timeout: 5000\n"
            # Heartbeats a client lagging under a 200-device fleet on two cores still answers in time: a cut connection
            # is seen at once anyway (the proxy resets it), so tight ones would only add reconnects of their own.
            "  io:\n    pingInterval: 5000\n    pingTimeout: 5000\n"
            "  cluster:\n    heartbeat: 300\n    instanceTimeout: 1500\n"
        )
    with open(os.path.join(workdir, "sites.yml"), "w") as f:
        f.write(f"shop:\n  authUrl: {hooks.url}/auth\n  apiKey: {SHOP_KEY}\n  userRoomPrefix: user_\n")


@pytest.fixture
def hooks():
    stub = StubHooks()
    yield stub
    stub.stop()


@pytest.fixture
def memory_instances(hooks):
    """One Herald on the in-memory store."""
    with tempfile.TemporaryDirectory() as workdir:
        write_config(workdir, hooks)
        instances = [HeraldProcess(1, workdir)]
        try:
            yield instances
        finally:
            for instance in instances:
                instance.stop()


@pytest.fixture
def redis_cluster(hooks):
    """Makes three Herald instances on one real redis-server (`appendfsync` turns on its append-only file);
    returns (instances, redis)."""
    made = []

    def make(appendfsync=None):
        redis = RedisServer(appendfsync=appendfsync)
        workdir = tempfile.mkdtemp(prefix="herald-chaos-")
        write_config(workdir, hooks)
        instances = []
        made.append((redis, workdir, instances))
        for number in (1, 2, 3):
            instances.append(HeraldProcess(number, workdir, redis.url))
        return instances, redis

    yield make
    for redis, workdir, instances in made:
        for instance in instances:
            instance.stop()
        redis.stop()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def redis_cluster_instances(hooks):
    """Three Herald instances on a real Redis Cluster (three masters, three replicas) whose writes a `/send` answers
    for wait for one replica (`redis.waitReplicas: 1`), so a master's crash loses none of them; returns (instances,
    cluster)."""
    cluster = RedisCluster()
    workdir = tempfile.mkdtemp(prefix="herald-chaos-cluster-")
    instances = []
    try:
        write_config(workdir, hooks, redis_settings="    waitReplicas: 1\n    waitTimeoutMs: 1500\n")
        for number in (1, 2, 3):
            instances.append(HeraldProcess(number, workdir, cluster.url))
        yield instances, cluster
    finally:
        for instance in instances:
            instance.stop()
        cluster.stop()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def redis_instances(redis_cluster):
    """Three Herald instances on one real redis-server without persistence."""
    instances, _ = redis_cluster()
    return instances
