"""A graceful stop (SIGTERM) answers what backends already sent: a /send written on a kept-alive connection just as
the stop begins gets its answer and then the connection closes, instead of being reset unanswered."""
import json
import signal
import socket
import tempfile
import time

import pytest

from conftest import PLAIN_KEY, RunningHerald
from raw_http import Reader, closed_by_server, connect, request_bytes


@pytest.fixture
def stoppable(hooks):
    with tempfile.TemporaryDirectory() as workdir:
        running = RunningHerald(hooks, workdir)
        yield running
        running.stop()


def send_request(index):
    body = json.dumps({"rooms": ["news"], "event": "news", "args": [index]}).encode()
    return request_bytes(
        "POST",
        f"/send?site=plain&apiKey={PLAIN_KEY}",
        [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
        body,
    )


def wait_until_not_accepting(port, timeout=10):
    """Returns once connecting to `port` is refused: the stop has begun and the listener is closed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except ConnectionRefusedError:
            return
        time.sleep(0.002)
    raise AssertionError(f"port {port} still accepts connections {timeout} s after SIGTERM")


def test_a_send_written_on_a_kept_alive_connection_as_sigterm_arrives_is_answered_then_closed(stoppable):
    sock = connect(stoppable.port, timeout=10)
    try:
        reader = Reader(sock)
        sock.sendall(send_request(1))
        first = reader.response()
        assert (first.status, first.text) == (200, "OK")

        stoppable.process.send_signal(signal.SIGTERM)
        wait_until_not_accepting(stoppable.port)
        sock.sendall(send_request(2))
        second = reader.response()
        assert (second.status, second.text) == (200, "OK")
        assert closed_by_server(sock, timeout=10)
    finally:
        sock.close()
    assert stoppable.process.wait(timeout=15) == 0


def test_an_idle_kept_alive_connection_is_closed_by_the_stop(stoppable):
    sock = connect(stoppable.port, timeout=10)
    try:
        reader = Reader(sock)
        sock.sendall(send_request(1))
        assert reader.response().status == 200
        stoppable.process.send_signal(signal.SIGTERM)
        assert closed_by_server(sock, timeout=10)
    finally:
        sock.close()
    assert stoppable.process.wait(timeout=15) == 0
