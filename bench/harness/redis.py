"""A redis-server for one measurement, pinned to the server's core, without persistence.

Redis cannot listen on port 0 and report the port it got, so it gets a port the kernel just handed out (bound and
released here) and, should another process take it first, another one: readiness is read from this server's own
log, so the harness never talks to someone else's Redis."""

import os
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
