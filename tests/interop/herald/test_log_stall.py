"""Logging never stalls the event loops: with standard output a pipe that nobody reads, clients still connect and
/send and /healthcheck keep answering; lines that did not fit are counted in /metrics and reported by a notice once
the pipe is read again; the last lines of a graceful shutdown are not lost."""
import json
import os
import subprocess
import tempfile
import threading

import pytest
import requests

from conftest import BUILD_DIR
from loopback import port_file_path, read_port_file
from metrics_scrape import scrape, value
from site_client import SiteClient

KEY = "stall-api-key-0123456789"
SENDS = 600  # each logs one "message sent" line of ~250 bytes: far more than the pipe (64 KiB) and queue hold
QUEUE_BYTES = 16384


class PipedHerald:
    """`herald serve` whose standard output is a pipe the test reads only when it chooses to."""

    def __init__(self, hooks, workdir):
        config = os.path.join(workdir, "config.yml")
        with open(config, "w") as f:
            f.write("test:\n  host: 127.0.0.1\n  io:\n    pingInterval: 2000\n    pingTimeout: 2000\n")
        sites = os.path.join(workdir, "sites.yml")
        with open(sites, "w") as f:
            f.write(f"stall:\n  authUrl: {hooks.url}/auth\n  apiKey: {KEY}\n")
        port_file = port_file_path(workdir, "herald")
        env = {k: v for k, v in os.environ.items() if k not in ("PORT", "REDIS_URL", "DEVICE_TTL", "SITE_NAME", "NODE_ENV")}
        env.update({"HERALD_ENV": "test", "HERALD_LOG_BUFFER_BYTES": str(QUEUE_BYTES)})
        self.process = subprocess.Popen(
            [os.path.join(BUILD_DIR, "herald"), "serve", "--config", config, "--sites", sites, "--port", "0", "--port-file", port_file],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=workdir,
        )
        self.port = read_port_file(
            self.process, port_file, "herald", lambda: "(output not read: it is the pipe under test)"
        )
        self.url = f"http://127.0.0.1:{self.port}"

    def read_all(self, timeout):
        """Reads standard output until it closes (the process exited), in a thread bounded by `timeout`."""
        chunks = []
        reader = threading.Thread(target=lambda: chunks.append(self.process.stdout.read()), daemon=True)
        reader.start()
        reader.join(timeout)
        assert not reader.is_alive(), "standard output did not close"
        return [json.loads(line) for line in b"".join(chunks).decode().splitlines() if line.strip()]

    def stop(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.process.stdout.close()


@pytest.fixture
def piped(hooks):
    with tempfile.TemporaryDirectory() as workdir:
        running = PipedHerald(hooks, workdir)
        yield running
        running.stop()


def test_an_unread_stdout_never_stalls_sends_and_the_drops_are_counted_and_reported(piped):
    receiver = SiteClient(piped, "stall", "good-1").connect()
    try:
        session = requests.Session()
        for index in range(SENDS):
            response = session.post(
                f"{piped.url}/send",
                params={"site": "stall", "apiKey": KEY},
                json={"rooms": ["news"], "event": "news", "args": [index]},
                timeout=5,
            )
            assert (response.status_code, response.text) == (200, "OK")
        assert receiver.wait_for("news", count=SENDS)[-1] == [SENDS - 1]
        health = requests.get(f"{piped.url}/healthcheck", timeout=5)
        assert (health.status_code, health.text) == (200, "ok")
        dropped = value(scrape(piped), "herald_log_lines_dropped_total")
        assert dropped > 0
    finally:
        receiver.close()

    piped.process.terminate()
    entries = piped.read_all(timeout=20)
    assert piped.process.wait(timeout=5) == 0
    notices = [e for e in entries if e["message"].endswith("log lines dropped: standard output was not read fast enough")]
    assert notices and notices[0]["level"] == "warning"
    assert sum(int(n["dropped"]) for n in notices) >= dropped
    sent = [e for e in entries if e["message"] == "message sent"]
    assert 0 < len(sent) < SENDS
    messages = [e["message"] for e in entries]
    assert "drained: every client disconnect recorded" in messages
    assert messages[-1] == "Herald stopped"
