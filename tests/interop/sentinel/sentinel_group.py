"""A Sentinel-monitored Redis group of real processes on loopback ports: one master, one replica (`--replicaof`), three
sentinels (quorum 2, a master counts as down after 1 s). Redis cannot bind port 0, so each process gets a candidate
port and another when its own log says the port is taken; readiness is read from each process's own log."""
import os
import shutil
import subprocess
import tempfile
import time

from loopback import POLL_SECONDS, PortTaken, start_with_port_retries

MASTER_NAME = "herald-master"
START_SECONDS = 10
BINARY = shutil.which("redis-server") or "/usr/bin/redis-server"


class RedisProcess:
    """One redis-server (data node or sentinel) in `directory`; `kill()` is SIGKILL, as a crash."""

    def __init__(self, directory, name, arguments_for, ready):
        self.directory = directory
        self.name = name
        self.log_path = os.path.join(directory, f"{name}.log")
        self.process = None
        self.port = None
        self._arguments_for = arguments_for
        self._ready = ready
        start_with_port_retries(self._start_on)

    def _start_on(self, port):
        self.port = port
        if os.path.exists(self.log_path):
            os.remove(self.log_path)
        self.process = subprocess.Popen([BINARY, *self._arguments_for(port, self.log_path)], cwd=self.directory,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            self.wait_for_log(self._ready)
        except RuntimeError:
            self.kill()
            if "Address already in use" in self.log():
                raise PortTaken(f"{self.name} could not bind port {port}")
            raise

    def log(self):
        try:
            with open(self.log_path) as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def wait_for_log(self, text, timeout=START_SECONDS):
        deadline = time.monotonic() + timeout
        while self.process.poll() is None and time.monotonic() < deadline:
            if text in self.log():
                return
            time.sleep(POLL_SECONDS)
        raise RuntimeError(f"{self.name} did not log {text!r} within {timeout} s: {self.log()[-3000:]}")

    def kill(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
        if self.process:
            self.process.wait()


def data_node(directory, name, extra=()):
    def arguments(port, log_path):
        return ["--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", directory,
                "--logfile", log_path, *extra]
    return RedisProcess(directory, name, arguments, "Ready to accept connections")


def sentinel(directory, name, master_port):
    def arguments(port, log_path):
        conf = os.path.join(directory, f"{name}.conf")
        with open(conf, "w") as f:
            f.write(f"port {port}\nbind 127.0.0.1\ndir {directory}\nlogfile {log_path}\n"
                    f"sentinel monitor {MASTER_NAME} 127.0.0.1 {master_port} 2\n"
                    f"sentinel down-after-milliseconds {MASTER_NAME} 1000\n"
                    f"sentinel failover-timeout {MASTER_NAME} 5000\n")
        return [conf, "--sentinel"]
    return RedisProcess(directory, name, arguments, "+monitor master")


class SentinelGroup:
    """The master, its replica and three sentinels. The master refuses writes while its replica is missing or more
    than 2 s behind (`min-replicas-to-write 1`), so it never acknowledges a write the replica cannot have; the replica
    has no such rule, so once promoted (its old master dead) it accepts writes alone."""

    def __init__(self):
        self.directory = tempfile.mkdtemp(prefix="herald-sentinel-")
        self.processes = []
        try:
            self.master = self._add(data_node(self.directory, "master",
                                              ["--min-replicas-to-write", "1", "--min-replicas-max-lag", "2"]))
            self.replica = self._add(data_node(self.directory, "replica",
                                               ["--replicaof", "127.0.0.1", str(self.master.port)]))
            self.replica.wait_for_log("MASTER <-> REPLICA sync: Finished with success")
            self.sentinels = [self._add(sentinel(self.directory, f"sentinel-{n}", self.master.port)) for n in (1, 2, 3)]
            for watcher in self.sentinels:
                watcher.wait_for_log("+slave ")  # knows the replica, so it can promote it
                watcher.wait_for_log("+sentinel ")  # knows another sentinel, so a quorum can form
        except BaseException:
            self.stop()
            raise

    def _add(self, process):
        self.processes.append(process)
        return process

    @property
    def addresses(self):
        return [f"127.0.0.1:{watcher.port}" for watcher in self.sentinels]

    @property
    def url(self):
        return f"redis+sentinel://{','.join(self.addresses)}/{MASTER_NAME}"

    def stop(self):
        for process in self.processes:
            process.kill()
        shutil.rmtree(self.directory, ignore_errors=True)
