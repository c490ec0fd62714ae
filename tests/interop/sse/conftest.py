"""Fixtures for the Server-Sent Events suite (see sse_servers.py)."""
import os
import sys
import tempfile

import pytest

sys.path.insert(0, os.path.dirname(__file__))

from sse_servers import cluster, hooks, start_herald, stop_herald, QUEUE_LIMIT  # noqa: E402,F401 (fixtures)


@pytest.fixture(scope="module", params=["memory", "redis"])
def herald(request, hooks):
    with tempfile.TemporaryDirectory() as workdir:
        running = start_herald(hooks, workdir, request.param)
        yield running
        stop_herald(running)


@pytest.fixture(scope="module", params=["memory", "redis"])
def small_queue_herald(request, hooks):
    """Herald whose device queues hold QUEUE_LIMIT (6) messages, so one SSE connection holds at most 3 unacknowledged."""
    with tempfile.TemporaryDirectory() as workdir:
        running = start_herald(hooks, workdir, request.param, queue_limit=QUEUE_LIMIT)
        yield running
        stop_herald(running)
