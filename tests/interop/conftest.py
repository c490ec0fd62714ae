"""Fixtures for the interop suite: real python-socketio clients against socketio-conformance.

SIO_GENERATION=5 runs the v5 client tests and the raw protocol tests; SIO_GENERATION=4 runs the v4 client tests.
Tests for the other generation are not collected at all.
"""
import os
import subprocess

import pytest

from loopback import free_port, wait_until_listening

GENERATION = os.environ.get("SIO_GENERATION", "5")
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD_DIR = os.path.join(ROOT, os.environ.get("HERALD_BUILD_DIR", ".build/debug"))

collect_ignore_glob = ["protocol/*"] if GENERATION != "5" else []



class RunningServer:
    """A socketio-conformance process on a free loopback port, stopped when the fixture ends."""

    def __init__(self, *extra_args):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        binary = os.path.join(BUILD_DIR, "socketio-conformance")
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), *extra_args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        wait_until_listening(
            self.process, self.port, "server", lambda: self.process.stdout.read().decode(errors="replace"), timeout=15
        )

    def assert_alive(self):
        assert self.process.poll() is None, f"server died: {self.process.stdout.read().decode(errors='replace')}"

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture(scope="module")
def server():
    running = RunningServer()
    yield running
    running.assert_alive()
    running.stop()


@pytest.fixture(scope="module")
def engine_server():
    running = RunningServer("--engine-only")
    yield running
    running.assert_alive()
    running.stop()
