"""Helpers of the deployment suite: repository paths, loopback ports, Herald and redis-server processes."""
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD_DIR = os.path.join(ROOT, os.environ.get("HERALD_BUILD_DIR", ".build/debug"))
sys.path.insert(0, os.path.join(ROOT, "tests", "interop"))
sys.path.insert(0, os.path.join(ROOT, "tests", "interop", "herald"))

from loopback import free_port, port_file_path, read_port_file  # noqa: E402,F401
from redis_server import RedisServer  # noqa: E402
from processes import stop_process  # noqa: E402,F401 (re-exported for the suite)


def repo_path(*parts):
    return os.path.join(ROOT, *parts)


def read(*parts):
    with open(repo_path(*parts)) as f:
        return f.read()


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


def http_get(url, timeout=5):
    """(status, body text) of a GET; HTTP errors are answers too."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


class HeraldProcess:
    """`herald serve` started the way the image starts it: from a working directory that holds config.yml and
    sites.yml (the repository's), configured through environment variables; only the port is given on the command
    line (`--port 0 --port-file`), so Herald picks a free one and says which."""

    def __init__(self, binary, workdir, env):
        self.log_path = os.path.join(workdir, "herald.log")
        self.log = open(self.log_path, "w")
        for name in ("config.yml", "sites.yml"):
            if not os.path.exists(os.path.join(workdir, name)):
                shutil.copy(repo_path(name), workdir)
        clean = {k: v for k, v in os.environ.items() if k not in ("PORT", "REDIS_URL", "SITE_NAME", "NODE_ENV", "HERALD_ENV")}
        clean.update({"HERALD_HOST": "127.0.0.1", **env})
        port_file = port_file_path(workdir, "herald")
        self.process = subprocess.Popen(
            [binary, "serve", "--port", "0", "--port-file", port_file],
            stdout=self.log, stderr=subprocess.STDOUT, env=clean, cwd=workdir,
        )
        try:
            self.port = read_port_file(self.process, port_file, "herald", self.output)
        except Exception:
            self.stop()
            raise
        self.url = f"http://127.0.0.1:{self.port}"

    def output(self):
        self.log.flush()
        with open(self.log_path) as f:
            return f.read()

    def stop(self):
        result = stop_process(self.process, grace=15)
        self.log.close()
        return result


class RedisProcess(RedisServer):
    """A throwaway redis-server on a loopback port of its own, as the shared store of several Herald instances."""
