"""What a `/send` answer promises with several instances, and what an instance leaving the cluster must not do.

`POST /send` answers once this instance's sockets were handed the message and Redis acknowledged its PUBLISH, so
every other instance's subscription has the message ahead of anything published later. The tests prove that order
with a sentinel published straight to Redis after the answer, and hold Redis with `CLIENT PAUSE WRITE` so an
instance that answered before its PUBLISH was taken would be caught every time, not by luck of timing."""
import json
import socket
import threading
import time

import requests

from conftest import PLAIN_KEY, SHUTDOWN_BOUND
from send_helpers import redis_command
from site_client import SiteClient

PAUSE_MS = 800


def send(instance, rooms, event, *args):
    response = requests.post(
        f"{instance.url}/send",
        params={"site": "plain", "apiKey": PLAIN_KEY},
        json={"rooms": rooms, "event": event, "args": list(args)},
        timeout=10,
    )
    assert (response.status_code, response.text) == (200, "OK")


def publish_sentinel(redis_port, number):
    """Publishes a broadcast for the room `news` of the site `plain` as another instance would: each instance
    delivers it to its sockets in the order its subscription received it."""
    message = {
        "o": "pytest-sentinel",
        "n": "/plain",
        "t": "2/plain," + json.dumps(["news", {"sentinel": number}]),
        "b": [],
        "r": ["news"],
        "x": [],
    }
    assert redis_command(redis_port, "PUBLISH", "herald:bc:plain", json.dumps(message)) >= 1


def publish_calls(redis_port):
    stats = redis_command(redis_port, "INFO", "commandstats")
    for line in stats.splitlines():
        if line.startswith("cmdstat_publish:"):
            return int(line.split("calls=")[1].split(",")[0])
    return 0


def news_order(client):
    return [args[0] for args in client.received("news")]


def test_send_answers_after_its_publish_so_other_instances_have_it_before_anything_published_later(cluster):
    redis_port = cluster_redis_port(cluster)
    receiver = SiteClient(cluster[1], "plain", "good-reader").connect()
    try:
        receiver.wait_for("_settings")
        rounds = 5
        for number in range(rounds):
            before = publish_calls(redis_port)
            # While Redis holds writes, an instance that answered before its PUBLISH was taken answers at once and
            # the count below has not moved; one that waits answers after the pause, with the PUBLISH counted.
            assert redis_command(redis_port, "CLIENT", "PAUSE", PAUSE_MS, "WRITE") == "OK"
            send(cluster[0], ["news"], "news", {"n": number})
            assert publish_calls(redis_port) >= before + 1, "/send answered before Redis took its PUBLISH"
            publish_sentinel(redis_port, number)
        expected = []
        for number in range(rounds):
            expected += [{"n": number}, {"sentinel": number}]
        receiver.wait_for("news", count=len(expected), timeout=10)
        assert news_order(receiver) == expected
    finally:
        receiver.close()


def cluster_redis_port(cluster):
    """The port of the cluster's redis-server, read from the REDIS_URL every instance was started with."""
    with open(f"/proc/{cluster[0].process.pid}/environ", "rb") as f:
        environment = dict(item.split(b"=", 1) for item in f.read().split(b"\0") if b"=" in item)
    url = environment[b"REDIS_URL"].decode()
    return int(url.rsplit(":", 1)[1].split("/")[0])


class Monitor:
    """Every command Redis runs, as MONITOR prints it, read on a thread until a sentinel command shows up."""

    def __init__(self, port):
        self.port = port
        self.lines = []
        self.connection = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.connection.sendall(b"MONITOR\r\n")
        self.reader = self.connection.makefile("rb")
        assert self.reader.readline().startswith(b"+OK")
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        try:
            for raw in self.reader:
                line = raw.decode(errors="replace").rstrip("\r\n")
                self.lines.append(line)
                if '"monitor-sentinel"' in line:
                    break
        except OSError:
            pass
        self.done.set()

    def wait_for(self, text, timeout=10):
        deadline = time.time() + timeout
        while not any(text in line for line in list(self.lines)):
            assert time.time() < deadline, f"MONITOR never showed {text}"
            time.sleep(0.02)

    def finish(self):
        """Sends the sentinel and returns every line up to it: all commands Redis ran before it."""
        redis_command(self.port, "ECHO", "monitor-sentinel")
        assert self.done.wait(10), "MONITOR never showed the sentinel"
        self.connection.close()
        return self.lines


def client_address(line):
    return line.split("[", 1)[1].split("]", 1)[0].split(" ", 1)[1]


def test_a_stopping_instance_sends_no_heartbeat_after_leaving_the_registry_and_logs_no_outage(cluster):
    redis_port = cluster_redis_port(cluster)
    leaving = cluster[2]
    deadline = time.time() + 10
    while redis_command(redis_port, "SISMEMBER", "herald:instances", "instance-3") != 1:
        assert time.time() < deadline, "instance-3 never registered"
        time.sleep(0.05)
    monitor = Monitor(redis_port)
    heartbeat = '"SET" "herald:alive:instance-3"'
    monitor.wait_for(heartbeat)
    leaving.terminate()
    leaving.process.wait(timeout=SHUTDOWN_BOUND + 2)
    lines = monitor.finish()

    assert leaving.process.returncode == 0, leaving.output()
    own = {client_address(line) for line in lines if heartbeat in line}
    assert own, "no heartbeat of instance-3 seen while it ran"
    # Only instance-3's own connections count: on a loaded machine its heartbeats may stop long enough before it
    # leaves that another instance reaps it too, which is that instance's job.
    left = [index for index, line in enumerate(lines)
            if '"SREM" "herald:instances" "instance-3"' in line and client_address(line) in own]
    assert len(left) == 1, "instance-3 did not leave the registry exactly once"
    after = [line for line in lines[left[0] + 1:] if client_address(line) in own]
    assert [line for line in after if '"DEL" "herald:inst:instance-3"' not in line] == [], (
        "instance-3 sent commands after leaving the registry"
    )
    assert redis_command(redis_port, "SISMEMBER", "herald:instances", "instance-3") == 0
    assert redis_command(redis_port, "EXISTS", "herald:alive:instance-3") == 0
    assert redis_command(redis_port, "GET", "herald:send:leader") != "instance-3"

    entries = [json.loads(line) for line in leaving.output().splitlines() if line.startswith("{")]
    assert any("drained" in entry.get("message", "") for entry in entries), leaving.output()
    errors = [entry for entry in entries if entry.get("level") in ("error", "critical")]
    assert errors == [], f"a graceful stop logged errors: {errors}"
