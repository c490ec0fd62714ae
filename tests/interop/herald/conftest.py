"""Fixtures for the Herald service suite: a stub site backend and a Herald process configured to use it."""
import os
import socket
import subprocess
import tempfile
import time

import pytest

from stub_hooks import StubHooks

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
BUILD_DIR = os.path.join(ROOT, os.environ.get("HERALD_BUILD_DIR", ".build/debug"))
SHOP_KEY = "shop-api-key-0123456789"
PLAIN_KEY = "plain-api-key-0123456789"
DEVICE_TTL = 3600
MAX_BODY = 4096


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RunningHerald:
    """`herald serve` on a free loopback port with generated config.yml and sites.yml; stdout kept for log checks."""

    def __init__(self, hooks, workdir):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = os.path.join(workdir, "config.yml")
        sites = os.path.join(workdir, "sites.yml")
        with open(config, "w") as f:
            f.write(
                "test:\n"
                "  host: 127.0.0.1\n"
                f"  device_ttl: {DEVICE_TTL}\n"
                "  hooks:\n    timeout: 1000\n"
                f"  send:\n    maxBodyBytes: {MAX_BODY}\n"
                "  io:\n    pingInterval: 2000\n    pingTimeout: 2000\n"
            )
        with open(sites, "w") as f:
            f.write(
                "shop:\n"
                f"  authUrl: {hooks.url}/auth\n"
                "  authScheme: Token\n"
                f"  apiKey: {SHOP_KEY}\n"
                "  userRoomPrefix: user_\n"
                f"  updateUserUrl: {hooks.url}/users/:id\n"
                "  publicChannel: lobby\n"
                "plain:\n"
                f"  authUrl: {hooks.url}/auth\n"
                f"  apiKey: {PLAIN_KEY}\n"
            )
        self.log_path = os.path.join(workdir, "herald.log")
        self.log = open(self.log_path, "w")
        env = {k: v for k, v in os.environ.items() if k not in ("PORT", "REDIS_URL", "DEVICE_TTL", "SITE_NAME")}
        env["HERALD_ENV"] = "test"
        self.process = subprocess.Popen(
            [os.path.join(BUILD_DIR, "herald"), "serve", "--config", config, "--sites", sites, "--port", str(self.port)],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=workdir,
        )
        deadline = time.time() + 20
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"herald exited early: {self.output()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("herald did not start listening")

    def output(self):
        self.log.flush()
        with open(self.log_path) as f:
            return f.read()

    def assert_alive(self):
        assert self.process.poll() is None, f"herald died: {self.output()}"

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


@pytest.fixture(scope="module")
def hooks():
    stub = StubHooks()
    yield stub
    stub.stop()


@pytest.fixture(scope="module")
def herald(hooks):
    with tempfile.TemporaryDirectory() as workdir:
        running = RunningHerald(hooks, workdir)
        yield running
        running.assert_alive()
        running.stop()
