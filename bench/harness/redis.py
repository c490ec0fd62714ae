"""A redis-server for one measurement, pinned to the server's core, without persistence; or a Redis Cluster of six
(three masters, three replicas) started the same way.

Redis cannot listen on port 0 and report the port it got, so it gets a port the kernel just handed out (bound and
released here) and, should another process take it first, another one: readiness is read from this server's own
log, so the harness never talks to someone else's Redis."""

import os
import random
import shutil
import socket
import time

from .processes import ProcessError, pinned, tail

READY = "Ready to accept connections"
ATTEMPTS = 5


def binary():
    return shutil.which("redis-server")


def candidate_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Redis:
    """A started redis-server: its process (a child of `children`), port and URL."""

    def __init__(self, process, port, argv):
        self.process = process
        self.port = port
        self.argv = argv

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def pid(self):
        return self.process.pid


def start(children, workdir, cpu, timeout=10.0):
    """Starts redis-server pinned to `cpu` with its files in `workdir`; retries on a port taken meanwhile."""
    executable = binary()
    if not executable:
        raise ProcessError("redis-server is not installed")
    directory = os.path.join(workdir, "redis")
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory)
    for _ in range(ATTEMPTS):
        port = candidate_port()
        log_path = os.path.join(directory, "redis.log")
        argv = pinned(cpu, [executable, "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                            "--dir", directory, "--logfile", log_path])
        if os.path.exists(log_path):
            os.remove(log_path)
        process = children.start(argv, os.path.join(directory, "stdout.log"))
        deadline = time.monotonic() + timeout
        while process.poll() is None and time.monotonic() < deadline:
            if READY in tail(log_path, 50):
                return Redis(process, port, argv)
            time.sleep(0.02)
        children.stop(process)
        if "Address already in use" not in tail(log_path, 50):
            raise ProcessError(f"redis-server did not start on port {port}:\n{tail(log_path)}")
    raise ProcessError(f"redis-server found every one of {ATTEMPTS} ports taken")


# A Redis Cluster: three masters and three replicas. A node's cluster bus listens on its port + 10000, so its port is
# drawn below Linux's ephemeral range (32768-60999, where outgoing connections would take ports) and low enough for
# both to be below 65536.
CLUSTER_MASTERS = 3
CLUSTER_PORTS = range(20000, 32768)
BUS_OFFSET = 10000
# Higher than the interop tests' 1000 ms: a node starved of its core for a second under a measurement's load must
# not be voted down and failed over mid-run.
NODE_TIMEOUT_MS = 5000
CREATE_SECONDS = 30


def cli_binary():
    return shutil.which("redis-cli")


def command(port, *args, timeout=2.0):
    """One command on the Redis at `port` through a tiny RESP writer; its reply as text (a bulk string's body, or
    the status or error line), for the few replies the harness reads: INFO and CLUSTER INFO."""
    payload = f"*{len(args)}\r\n" + "".join(f"${len(str(a).encode())}\r\n{a}\r\n" for a in args)
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as conn:
        conn.sendall(payload.encode())
        reader = conn.makefile("rb")
        first = reader.readline()
        if first[:1] != b"$":
            return first.decode(errors="replace").strip()
        length = int(first[1:])
        return reader.read(length + 2)[:length].decode(errors="replace") if length >= 0 else ""


def fields(text):
    """`key:value` lines (INFO, CLUSTER INFO) as a dict."""
    found = {}
    for line in text.splitlines():
        key, colon, value = line.partition(":")
        if colon and not key.startswith("#"):
            found[key] = value.strip()
    return found


class Cluster:
    """A started Redis Cluster: its six processes (children of `children`), their ports, and the seed-list URL
    Herald reads (`redis+cluster://h:p,h:p,…`)."""

    def __init__(self, nodes, create_argv):
        self.nodes = nodes  # Redis, one per node
        self.create_argv = create_argv

    @property
    def url(self):
        return "redis+cluster://" + ",".join(f"127.0.0.1:{node.port}" for node in self.nodes)

    @property
    def pids(self):
        return [node.pid for node in self.nodes]

    @property
    def argvs(self):
        return [node.argv for node in self.nodes]

    @property
    def processes(self):
        return [node.process for node in self.nodes]

    def masters(self):
        """The nodes that say they are masters now."""
        return [node for node in self.nodes
                if fields(command(node.port, "INFO", "replication")).get("role") == "master"]


def start_node(children, directory, cpu, timeout):
    """One cluster-mode redis-server pinned to `cpu` in `directory`, on a port (and bus port) retried when taken."""
    log_path = os.path.join(directory, "redis.log")
    for _ in range(ATTEMPTS):
        port = random.choice(CLUSTER_PORTS)
        for stale in (log_path, os.path.join(directory, "nodes.conf")):
            if os.path.exists(stale):
                os.remove(stale)
        argv = pinned(cpu, [binary(), "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                            "--dir", directory, "--logfile", log_path, "--cluster-enabled", "yes",
                            "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", NODE_TIMEOUT_MS,
                            "--cluster-port", port + BUS_OFFSET, "--repl-diskless-sync-delay", "0"])
        process = children.start(argv, os.path.join(directory, "stdout.log"))
        deadline = time.monotonic() + timeout
        while process.poll() is None and time.monotonic() < deadline:
            if READY in tail(log_path, 50):
                return Redis(process, port, argv)
            time.sleep(0.02)
        children.stop(process)
        if "Address already in use" not in tail(log_path, 50):
            raise ProcessError(f"redis-server (cluster node) did not start on port {port}:\n{tail(log_path)}")
    raise ProcessError(f"a Redis Cluster node found every one of {ATTEMPTS} ports (or their bus ports) taken")


def start_cluster(children, workdir, cpu, timeout=10.0):
    """Starts six cluster-mode redis-servers pinned to `cpu`, joins them with `redis-cli --cluster create
    --cluster-replicas 1` (three masters, one replica each) and returns once every node says `cluster_state:ok`
    with all 16384 slots and every replica's link to its master is up. On failure the nodes started are stopped."""
    if not binary():
        raise ProcessError("redis-server is not installed")
    if not cli_binary():
        raise ProcessError("redis-cli is not installed")
    root = os.path.join(workdir, "redis-cluster")
    shutil.rmtree(root, ignore_errors=True)
    nodes = []
    try:
        for number in range(CLUSTER_MASTERS * 2):
            directory = os.path.join(root, f"node-{number}")
            os.makedirs(directory)
            nodes.append(start_node(children, directory, cpu, timeout))
        create = [cli_binary(), "--cluster", "create", *(f"127.0.0.1:{node.port}" for node in nodes),
                  "--cluster-replicas", 1, "--cluster-yes"]
        create_log = os.path.join(root, "create.log")
        if children.run(create, create_log, timeout=CREATE_SECONDS) != 0:
            raise ProcessError(f"redis-cli --cluster create failed:\n{tail(create_log)}")
        cluster = Cluster(nodes, create)
        wait_until_ok(cluster, CREATE_SECONDS)
        return cluster
    except BaseException:
        for node in nodes:
            children.stop(node.process)
        raise


def wait_until_ok(cluster, seconds):
    """Returns once every node knows all slots in state ok and every replica's link to its master is up."""
    deadline = time.monotonic() + seconds
    last = {}
    while time.monotonic() < deadline:
        try:
            infos = [fields(command(node.port, "CLUSTER", "INFO")) for node in cluster.nodes]
            replication = [fields(command(node.port, "INFO", "replication")) for node in cluster.nodes]
        except OSError as error:
            last = {"error": str(error)}
        else:
            last = {"cluster": infos, "replication": replication}
            ok = all(i.get("cluster_state") == "ok" and i.get("cluster_slots_ok") == "16384" for i in infos)
            synced = all(r.get("role") == "master" or r.get("master_link_status") == "up" for r in replication)
            if ok and synced:
                return
        time.sleep(0.1)
    raise ProcessError(f"the Redis Cluster was not ok within {seconds} s: {last}")
