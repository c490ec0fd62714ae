"""Fixtures for the interop suite: real python-socketio clients against socketio-conformance.

SIO_GENERATION=5 runs the v5 client tests and the raw protocol tests; SIO_GENERATION=4 runs the v4 client tests.
Tests for the other generation are not collected at all.
"""
import os

import pytest

from conformance_server import RunningServer

GENERATION = os.environ.get("SIO_GENERATION", "5")

# The event-server and Server-Sent Events suites test no Socket.IO client: one generation runs them.
collect_ignore_glob = ["protocol/*", "eventserver/*", "sse/*"] if GENERATION != "5" else []


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
def unhurried_engine_server():
    """The echo server with a heartbeat too slow to strike during a test: a test that parks a GET and then sends
    something must see that GET answered by what it sent, never by a ping that happened to come first."""
    running = RunningServer("--engine-only", "--ping-interval", "60000", "--ping-timeout", "60000")
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
