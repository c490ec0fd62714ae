"""Helpers of the deployment suite: repository paths, free loopback ports, Herald and redis-server processes."""
import os
import shutil
import socket
import subprocess
import time
import urllib.request

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD_DIR = os.path.join(ROOT, os.environ.get("HERALD_BUILD_DIR", ".build/debug"))


def repo_path(*parts):
    return os.path.join(ROOT, *parts)


def read(*parts):
    with open(repo_path(*parts)) as f:
        return f.read()


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port, process, describe, seconds=20):
    """Returns once something listens on 127.0.0.1:port; fails with `describe()` if `process` exits first."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process exited early ({process.returncode}): {describe()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port}: {describe()}")


def stop_process(process, grace=15):
    """SIGTERM, then SIGKILL after `grace` seconds; returns the exit code and how long the stop took."""
    started = time.monotonic()
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode, time.monotonic() - started


def http_get(url, timeout=5):
    """(status, body text) of a GET; HTTP errors are answers too."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


class HeraldProcess:
    """`herald serve` started the way the image starts it: from a working directory that holds config.yml and
    sites.yml (the repository's), configured only through environment variables."""

    def __init__(self, binary, workdir, env):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = os.path.join(workdir, f"herald-{self.port}.log")
        self.log = open(self.log_path, "w")
        for name in ("config.yml", "sites.yml"):
            if not os.path.exists(os.path.join(workdir, name)):
                shutil.copy(repo_path(name), workdir)
        clean = {k: v for k, v in os.environ.items() if k not in ("PORT", "REDIS_URL", "SITE_NAME", "NODE_ENV", "HERALD_ENV")}
        clean.update({"PORT": str(self.port), "HERALD_HOST": "127.0.0.1", **env})
        self.process = subprocess.Popen([binary, "serve"], stdout=self.log, stderr=subprocess.STDOUT, env=clean, cwd=workdir)
        try:
            wait_for_port(self.port, self.process, self.output)
        except Exception:
            self.stop()
            raise

    def output(self):
        self.log.flush()
        with open(self.log_path) as f:
            return f.read()

    def stop(self):
        result = stop_process(self.process)
        self.log.close()
        return result


class RedisProcess:
    """A throwaway redis-server on a free loopback port, as the shared store of several Herald instances."""

    def __init__(self):
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server is missing: scripts/install-deps.sh test installs it")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port, self.process, lambda: "redis-server")

    def stop(self):
        stop_process(self.process, grace=5)
