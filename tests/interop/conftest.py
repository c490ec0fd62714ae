"""Fixtures for the interop suite: real python-socketio clients against socketio-conformance.

SIO_GENERATION=5 runs the v5 client tests and the raw protocol tests; SIO_GENERATION=4 runs the v4 client tests.
Tests for the other generation are not collected at all.
"""
import os
import subprocess
import tempfile

import pytest

from loopback import port_file_path, read_port_file

GENERATION = os.environ.get("SIO_GENERATION", "5")
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD_DIR = os.path.join(ROOT, os.environ.get("HERALD_BUILD_DIR", ".build/debug"))

collect_ignore_glob = ["protocol/*"] if GENERATION != "5" else []



class RunningServer:
    """A socketio-conformance process on a loopback port it chose itself, stopped when the fixture ends."""

    def __init__(self, *extra_args):
        self.directory = tempfile.TemporaryDirectory(prefix="socketio-conformance-")
        port_file = port_file_path(self.directory.name, "server")
        binary = os.path.join(BUILD_DIR, "socketio-conformance")
        self.process = subprocess.Popen(
            [binary, "--port", "0", "--port-file", port_file, *extra_args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        self.port = read_port_file(
            self.process, port_file, "server", lambda: self.process.stdout.read().decode(errors="replace"), timeout=15
        )
        self.url = f"http://127.0.0.1:{self.port}"

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
        self.directory.cleanup()


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


@pytest.fixture(scope="module")
def v4_only_server():
    """The official protocol suites' reference configuration: Engine.IO v3 refused (`--no-eio3`)."""
    running = RunningServer("--no-eio3")
    yield running
    running.assert_alive()
    running.stop()
