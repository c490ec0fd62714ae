"""A throwaway Redis Cluster: six real redis-server processes (three masters, three replicas) on loopback ports of
their own, joined with `redis-cli --cluster create`. A master can be killed (SIGKILL) to have its replica promoted;
`wait_for_failover` returns once every slot has a live master again."""
import os
import shutil
import socket
import subprocess
import tempfile
import time
import weakref

from loopback import POLL_SECONDS, PortTaken, start_with_port_retries
from redis_server import READY, _raw_reply

START_SECONDS = 10
CREATE_SECONDS = 30
NODE_TIMEOUT_MS = 1000
MASTERS = 3
# A node's cluster bus listens on its port + 10000, so candidates stay low enough for both to be below 65536.
BUS_OFFSET = 10000


def command(port, *args, timeout=2):
    """Runs one command on the node at `port` with a tiny RESP writer; returns the raw bytes of its reply."""
    payload = f"*{len(args)}\r\n" + "".join(f"${len(str(a).encode())}\r\n{a}\r\n" for a in args)
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as conn:
        conn.sendall(payload.encode())
        return _raw_reply(conn.makefile("rb"))


def cluster_info(port):
    """`CLUSTER INFO` of one node as a dict, or {} when the node does not answer."""
    try:
        raw = command(port, "CLUSTER", "INFO").decode(errors="replace")
    except OSError:
        return {}
    fields = {}
    for line in raw.splitlines()[1:]:
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return fields


class ClusterNode:
    """One redis-server in cluster mode in its own directory; `kill()` is a crash (SIGKILL)."""

    def __init__(self, directory, number):
        self.directory = os.path.join(directory, f"node-{number}")
        os.makedirs(self.directory)
        self.binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.process = None
        self.port = None
        start_with_port_retries(self._start_on)

    def _start_on(self, port):
        self.port = port
        for stale in ("redis.log", "nodes.conf"):
            path = os.path.join(self.directory, stale)
            if os.path.exists(path):
                os.remove(path)
        self._launch()

    def restart(self):
        """Starts the node again on its port with its `nodes.conf`, as an operator brings back a crashed node: it
        rejoins the cluster (a killed master as a replica of the node that took over)."""
        self._launch()

    def _launch(self):
        port = self.port
        log_path = os.path.join(self.directory, "redis.log")
        if os.path.exists(log_path):
            os.remove(log_path)
        self.process = subprocess.Popen(
            [self.binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", self.directory, "--logfile", log_path, "--cluster-enabled", "yes",
             "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", str(NODE_TIMEOUT_MS),
             "--cluster-port", str(port + BUS_OFFSET),
             # replicas copy their master at once and may always take over, so a master can be killed right away
             "--repl-diskless-sync-delay", "0", "--cluster-replica-validity-factor", "0"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + START_SECONDS
        while self.process.poll() is None and time.monotonic() < deadline:
            if READY in self.log():
                return
            time.sleep(POLL_SECONDS)
        self.kill()
        log = self.log()
        if "Address already in use" in log:
            raise PortTaken(f"redis-server could not bind port {port} or its bus port: {log}")
        raise RuntimeError(f"redis-server (cluster node) did not start on port {port}: {log}")

    def log(self):
        try:
            with open(os.path.join(self.directory, "redis.log")) as f:
                return f.read()
        except FileNotFoundError:
            return ""

    @property
    def address(self):
        return f"127.0.0.1:{self.port}"

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def role(self):
        """`master` or `slave` as the node says, or None when it does not answer."""
        try:
            raw = command(self.port, "ROLE").decode(errors="replace")
        except OSError:
            return None
        for line in raw.splitlines():
            if line in ("master", "slave"):
                return line
        return None

    def kill(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
        if self.process:
            self.process.wait()


class RedisCluster:
    """Three masters and three replicas, slots spread by `redis-cli --cluster create`. `url` is the seed list as
    Herald reads it (`redis+cluster://h:p,h:p,…`)."""

    def __init__(self):
        self.directory = tempfile.mkdtemp(prefix="herald-redis-cluster-")
        weakref.finalize(self, shutil.rmtree, self.directory, True)
        self.nodes = []
        try:
            for number in range(MASTERS * 2):
                self.nodes.append(ClusterNode(self.directory, number))
            self._create()
        except BaseException:
            self.stop()
            raise
        self.url = "redis+cluster://" + ",".join(node.address for node in self.nodes)

    def _create(self):
        cli = shutil.which("redis-cli") or "/usr/bin/redis-cli"
        created = subprocess.run(
            [cli, "--cluster", "create", *(node.address for node in self.nodes), "--cluster-replicas", "1",
             "--cluster-yes"],
            capture_output=True, text=True, timeout=CREATE_SECONDS,
        )
        if created.returncode != 0:
            raise RuntimeError(f"redis-cli --cluster create failed: {created.stdout}{created.stderr}")
        self.wait_until_ok(CREATE_SECONDS)

    def wait_until_ok(self, seconds):
        """Returns once every live node says `cluster_state:ok` and knows every slot; raises after `seconds`."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            infos = [cluster_info(node.port) for node in self.nodes if node.alive()]
            ok = infos and all(i.get("cluster_state") == "ok" and i.get("cluster_slots_ok") == "16384" for i in infos)
            if ok and all(self._replica_synced(node) for node in self.nodes if node.alive()):
                return
            time.sleep(POLL_SECONDS * 5)
        raise RuntimeError(f"Redis Cluster not ok within {seconds} s: {[cluster_info(n.port) for n in self.nodes]}")

    @staticmethod
    def _replica_synced(node):
        """True for a master, or for a replica whose link to its master is up (it holds a copy to take over with)."""
        try:
            info = command(node.port, "INFO", "replication").decode(errors="replace")
        except OSError:
            return False
        return "role:master" in info or "master_link_status:up" in info

    def masters(self):
        return [node for node in self.nodes if node.alive() and node.role() == "master"]

    def master_of(self, key):
        """The live node that owns `key`'s slot, as `CLUSTER KEYSLOT` and `CLUSTER SHARDS` say."""
        for node in self.masters():
            reply = command(node.port, "GET", key).decode(errors="replace")
            if not reply.startswith("-MOVED") and not reply.startswith("-ASK"):
                return node
        raise RuntimeError(f"no live master owns {key!r}")

    def rejoin(self, node):
        """Restarts a killed node and waits until the cluster is whole again with it as a synced replica."""
        node.restart()
        self.wait_until_ok(START_SECONDS + 20)

    def kill_master(self, node):
        """SIGKILLs `node` (a master) and waits until its replica took over every slot it had."""
        assert node.role() == "master", f"{node.address} is not a master"
        node.kill()
        deadline = time.monotonic() + START_SECONDS + 20
        while len(self.masters()) < MASTERS:
            if time.monotonic() > deadline:
                raise RuntimeError(f"no replica took over from {node.address}: {[n.role() for n in self.nodes]}")
            time.sleep(POLL_SECONDS * 5)
        self.wait_until_ok(max(1, deadline - time.monotonic()))

    def stop(self):
        for node in self.nodes:
            node.kill()


def redis_under_test():
    """The Redis a suite runs on: one redis-server, or a Redis Cluster when `HERALD_TEST_REDIS=cluster` (how
    `make test` runs the cluster suite a second time). Both have `url` and `stop()`."""
    from redis_server import RedisServer

    if os.environ.get("HERALD_TEST_REDIS") == "cluster":
        return RedisCluster()
    return RedisServer()
