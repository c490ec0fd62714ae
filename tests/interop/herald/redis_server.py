"""A throwaway redis-server on a loopback port of its own, stoppable and restartable on the same port."""
import os
import shutil
import socket
import subprocess
import tempfile
import time
import weakref

from loopback import POLL_SECONDS, PortTaken, start_with_port_retries

READY = "Ready to accept connections"
START_SECONDS = 10
# `HERALD_TEST_REDIS=cluster1` makes every RedisServer a one-node Redis Cluster unless a test asks otherwise.
CLUSTER_BY_DEFAULT = os.environ.get("HERALD_TEST_REDIS", "") == "cluster1"


class RedisServer:
    """redis-server in its own temporary directory, without persistence unless asked. Redis cannot bind port 0
    and report the port, so it gets a candidate port and another one if that is taken; readiness comes from this
    server's own log, so a test never talks to another test's Redis. `stop()` kills it (a crash); `start()` brings
    it back on the same port.

    With `cluster_mode` it is a Redis Cluster of one node owning all 16384 slots: every key is local, so Herald needs
    no cluster routing, yet the server refuses what a real cluster refuses (a command or script touching keys of two
    slots)."""

    def __init__(self, appendfsync=None, cluster_mode=None):
        """`appendfsync` ("always" or "everysec") turns on the append-only file, so a restart keeps the data;
        `cluster_mode` defaults to the `HERALD_TEST_REDIS=cluster1` switch."""
        self.appendfsync = appendfsync
        self.cluster_mode = CLUSTER_BY_DEFAULT if cluster_mode is None else cluster_mode
        self.binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.directory = tempfile.mkdtemp(prefix="herald-redis-")
        weakref.finalize(self, shutil.rmtree, self.directory, True)
        self.process = None
        self.port = None
        start_with_port_retries(self._start_on)
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def _start_on(self, port):
        self.port = port
        self.start()

    def start(self):
        """Starts the server on `port` and waits until its log says it is ready; raises `PortTaken` when another
        process holds the port."""
        log_path = os.path.join(self.directory, "redis.log")
        if os.path.exists(log_path):
            os.remove(log_path)
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--dir", self.directory,
             "--logfile", log_path, *self._persistence(), *self._cluster()],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + START_SECONDS
        while self.process.poll() is None and time.monotonic() < deadline:
            if READY in self._log(log_path):
                if self.cluster_mode:
                    self._take_all_slots(deadline)
                return
            time.sleep(POLL_SECONDS)
        self.kill()
        log = self._log(log_path)
        if "Address already in use" in log:
            raise PortTaken(f"redis-server could not bind port {self.port}: {log}")
        raise RuntimeError(f"redis-server did not start on port {self.port}: {log}")

    def _cluster(self):
        if not self.cluster_mode:
            return []
        return ["--cluster-enabled", "yes", "--cluster-config-file", os.path.join(self.directory, "nodes.conf")]

    def _take_all_slots(self, deadline):
        """Assigns every slot to this node (unless nodes.conf kept them over a restart) and waits for
        `cluster_state:ok`."""
        if b"cluster_slots_assigned:16384" not in self.command("CLUSTER", "INFO"):
            self.command("CLUSTER", "ADDSLOTSRANGE", "0", "16383")
        while time.monotonic() < deadline:
            if b"cluster_state:ok" in self.command("CLUSTER", "INFO"):
                return
            time.sleep(POLL_SECONDS)
        raise RuntimeError(f"redis-server on port {self.port} did not reach cluster_state:ok")

    def _persistence(self):
        if self.appendfsync is None:
            return ["--appendonly", "no"]
        return ["--appendonly", "yes", "--appendfsync", self.appendfsync]

    @staticmethod
    def _log(path):
        try:
            with open(path) as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def command(self, *args):
        """Runs one command with a tiny RESP writer; returns the raw bytes of its complete reply."""
        payload = f"*{len(args)}\r\n" + "".join(f"${len(str(a).encode())}\r\n{a}\r\n" for a in args)
        with socket.create_connection(("127.0.0.1", self.port), timeout=2) as conn:
            conn.sendall(payload.encode())
            return _raw_reply(conn.makefile("rb"))

    def kill(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
        if self.process:
            self.process.wait()

    def stop(self):
        """Kills the server; `start()` may bring it back. Its directory goes when this object does."""
        self.kill()


def _raw_reply(reader):
    line = reader.readline()
    kind, rest = line[:1], line[1:].rstrip(b"\r\n")
    if kind == b"$" and int(rest) >= 0:
        return line + reader.read(int(rest) + 2)
    if kind == b"*" and int(rest) >= 0:
        return line + b"".join(_raw_reply(reader) for _ in range(int(rest)))
    return line
