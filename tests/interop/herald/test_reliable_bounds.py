"""Reliable delivery under abuse, on the in-memory store and on Redis: a user's devices are capped (`maxDevicesPerUser`,
default 20), a socket's unacknowledged live messages are capped (`maxPendingAcksPerSocket`), and a device reconnecting
while sends run gets every message exactly once across its `_batch`es and live events."""
import json
import os
import queue
import tempfile
import threading
import time
import urllib.parse

import pytest
import websocket

from conftest import SHOP_KEY, RunningHerald
from metrics_scrape import scrape, value, wait_for_value
from raw_client import EVENT, recv_answering_pings
from redis_server import RedisServer
from server_state import resident_kib
from send_helpers import message, post_send, redis_command

DEVICE_CAP = 20  # maxDevicesPerUser's default: the site below does not set it
PENDING_ACKS = 100
SITE = "shop"


@pytest.fixture(scope="module", params=["memory", "redis"])
def bounded_herald(request, hooks):
    redis = RedisServer() if request.param == "redis" else None
    sites = (
        f"{SITE}:\n"
        f"  authUrl: {hooks.url}/auth\n"
        "  authScheme: Token\n"
        f"  apiKey: {SHOP_KEY}\n"
        "  userRoomPrefix: user_\n"
        f"  maxPendingAcksPerSocket: {PENDING_ACKS}\n"
    )
    try:
        with tempfile.TemporaryDirectory() as workdir:
            env = {"REDIS_URL": redis.url} if redis else {}
            running = RunningHerald(hooks, workdir, extra_env=env, sites=sites, max_body=1 << 20)
            running.redis = redis
            yield running
            running.assert_alive()
            running.stop()
    finally:
        if redis:
            redis.stop()


class Device:
    """One raw Socket.IO v5 socket of a device over a WebSocket. A reader thread answers pings and queues events
    (name, args, ack id), so a client that is not reading is still alive; `refusal` holds a CONNECT_ERROR message."""

    def __init__(self, herald, token, device):
        query = urllib.parse.urlencode({"EIO": 4, "transport": "websocket", "token": token, "deviceId": device})
        self.ws = websocket.create_connection(f"ws://127.0.0.1:{herald.port}/socket.io/?{query}", timeout=5)
        self.events = queue.Queue()
        self.refusal = None
        assert self.ws.recv().startswith("0{")
        self.ws.send(f"40/{SITE},")
        answer = self._recv()
        if answer.startswith(f"44/{SITE},"):
            self.refusal = json.loads(answer[len(SITE) + 4:])["message"]
            self.close()
            return
        assert answer.startswith(f"40/{SITE},"), answer
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _recv(self):
        return recv_answering_pings(self.ws)

    def _read(self):
        try:
            while True:
                match = EVENT.match(self._recv())
                if match:
                    data = json.loads(match.group(3))
                    self.events.put((data[0], data[1:], int(match.group(2)) if match.group(2) else None))
        except Exception:
            self.events.put(None)

    def next_event(self, skip=("_settings",), timeout=10):
        while True:
            event = self.events.get(timeout=timeout)
            assert event is not None, "connection closed"
            if event[0] not in skip:
                return event

    def ack(self, ack_id):
        self.ws.send(f"43/{SITE},{ack_id}[]")

    def close(self):
        try:
            self.ws.close()
        except Exception:
            pass


def connect_when_room(herald, token, device, timeout=10):
    """A new device is refused while the user's other devices all count as connected, and a closed socket's
    disconnect is recorded asynchronously: retry (bounded) until it gets in."""
    deadline = time.monotonic() + timeout
    while True:
        client = Device(herald, token, device)
        if client.refusal is None:
            return client
        assert client.refusal == "Too many devices" and time.monotonic() < deadline, client.refusal
        time.sleep(0.05)


def send_all(herald, rooms, texts, per_request=50):
    for start in range(0, len(texts), per_request):
        response = post_send(herald, [message(rooms, "news", text) for text in texts[start:start + per_request]])
        assert response.status_code == 200, response.text



def redis_keys(herald, pattern):
    cursor, found = "0", set()
    for _ in range(10_000):
        cursor, keys = redis_command(herald.redis.port, "SCAN", cursor, "MATCH", pattern, "COUNT", 1000)
        found.update(keys)
        if cursor == "0":
            return found
    raise AssertionError("SCAN did not finish")


def redis_used_memory(herald):
    info = redis_command(herald.redis.port, "INFO", "memory")
    return next(int(line.split(":")[1]) for line in info.splitlines() if line.startswith("used_memory:"))


def metric(herald, name):
    return value(scrape(herald), name, site=SITE)


def test_many_device_ids_on_one_token_keep_queues_for_the_cap_only(bounded_herald):
    herald = bounded_herald
    bob = Device(herald, "good-bob", "bob-phone")
    queued_before = metric(herald, "herald_messages_queued_total")
    evicted_before = metric(herald, "herald_devices_evicted_total")
    rss_before = resident_kib(herald.process.pid)
    memory_before = redis_used_memory(herald) if herald.redis else 0

    for n in range(200):
        connect_when_room(herald, "good-ann", f"device-{n}").close()
    texts = [f"m{n}" for n in range(300)]
    received = []
    acked = metric(herald, "herald_messages_acked_total")
    for start in range(0, len(texts), 50):
        # Bob acks each 50 before the next go out, so his socket stays under maxPendingAcksPerSocket.
        send_all(herald, ["user_ann", "user_bob"], texts[start:start + 50])
        for _ in range(50):
            name, args, ack_id = bob.next_event()
            received.append(args[0])
            bob.ack(ack_id)
        acked += 50
        wait_for_value(herald, "herald_messages_acked_total", acked, site=SITE)
    assert (name, received) == ("news", texts), "another user's device must get every message, in order"
    assert metric(herald, "herald_devices_evicted_total") - evicted_before == 200 - DEVICE_CAP
    # Each message was stored for the cap's worth of ann's devices and for bob's phone: the queues stay bounded.
    assert metric(herald, "herald_messages_queued_total") - queued_before == len(texts) * (DEVICE_CAP + 1)
    growth_kib = resident_kib(herald.process.pid) - rss_before
    if herald.redis:
        assert redis_command(herald.redis.port, "HLEN", "herald:{shop}:u:user_ann:devices") == DEVICE_CAP
        assert len(redis_keys(herald, "herald:{shop}:q:user_ann:*")) == DEVICE_CAP
        assert len(redis_keys(herald, "herald:{shop}:m:user_ann:*")) == DEVICE_CAP
        redis_growth = redis_used_memory(herald) - memory_before
        print(f"redis used memory grew by {redis_growth / 1024:.0f} KiB")
        assert redis_growth < 8 * 1024 * 1024
    print(f"herald RSS grew by {growth_kib} KiB")
    assert growth_kib < 64 * 1024
    bob.close()
    herald.assert_alive()


def test_new_device_is_refused_when_every_device_is_connected(bounded_herald):
    herald = bounded_herald
    refused_before = metric(herald, "herald_devices_refused_total")
    devices = [connect_when_room(herald, "good-cyd", f"device-{n}") for n in range(DEVICE_CAP)]
    extra = Device(herald, "good-cyd", "one-too-many")
    assert extra.refusal == "Too many devices"
    assert metric(herald, "herald_devices_refused_total") - refused_before == 1
    again = Device(herald, "good-cyd", "device-0")
    assert again.refusal is None, "a device the user already has is never refused"
    other_user = Device(herald, "good-dot", "phone")
    assert other_user.refusal is None

    devices[5].close()
    newcomer = connect_when_room(herald, "good-cyd", "one-too-many")
    send_all(herald, ["user_cyd"], ["hello"])
    assert newcomer.next_event()[:2] == ("news", ["hello"])
    for client in devices + [again, other_user, newcomer]:
        client.close()
    herald.assert_alive()


def test_client_that_never_acks_gets_the_rest_in_its_next_batch_exactly_once(bounded_herald):
    herald = bounded_herald
    deferred_before = metric(herald, "herald_live_emits_deferred_total")
    silent = Device(herald, "good-eva", "phone")
    texts = [f"m{n}" for n in range(PENDING_ACKS + 50)]
    send_all(herald, ["user_eva"], texts)
    live = [silent.next_event() for _ in range(PENDING_ACKS)]
    assert [args[0] for _, args, _ in live] == texts[:PENDING_ACKS]
    assert all(ack_id is not None for _, _, ack_id in live)
    # Herald handled every message once the deferred count is complete: nothing past the cap was emitted.
    samples = wait_for_value(
        herald, "herald_live_emits_deferred_total", deferred_before + len(texts) - PENDING_ACKS, site=SITE
    )
    assert value(samples, "herald_live_emits_deferred_total", site=SITE) - deferred_before == len(texts) - PENDING_ACKS
    assert silent.events.empty()
    silent.close()

    back = connect_when_room(herald, "good-eva", "phone")
    name, args, ack_id = back.next_event()
    assert name == "_batch" and [entry[1] for entry in args[0]] == texts
    back.ack(ack_id)
    send_all(herald, ["user_eva"], ["after"])
    assert back.next_event()[:2] == ("news", ["after"]), "nothing but the batch and the new message"
    back.close()
    herald.assert_alive()


def test_device_reconnecting_while_sends_run_gets_each_message_exactly_once(bounded_herald):
    """The `_batch`/live race: a message stored just before a reconnecting device's backlog is read must not also be
    emitted live after the `_batch`. Before closing, each connection waits until its acks are recorded (the acked
    counter), so a message read twice is a duplicate, never a redelivery of an unrecorded ack."""
    herald = bounded_herald
    texts = [f"m{n}" for n in range(400)]
    acked = metric(herald, "herald_messages_acked_total")
    sender = threading.Thread(target=send_all, args=(herald, ["user_fay"], texts, 2))
    Device(herald, "good-fay", "phone").close()
    seen = []
    deadline = time.monotonic() + 60
    sender.start()
    try:
        while time.monotonic() < deadline:
            client = connect_when_room(herald, "good-fay", "phone")
            for _ in range(8):
                try:
                    name, args, ack_id = client.next_event(timeout=2)
                except queue.Empty:
                    break
                entries = args[0] if name == "_batch" else [[name] + args]
                seen.extend(entry[1] for entry in entries)
                acked += len(entries)
                client.ack(ack_id)
            samples = wait_for_value(herald, "herald_messages_acked_total", acked, site=SITE)
            assert value(samples, "herald_messages_acked_total", site=SITE) >= acked, "acks not recorded"
            client.close()
            if len(set(seen)) == len(texts):
                break
    finally:
        sender.join(timeout=60)
    duplicates = sorted({text for text in seen if seen.count(text) > 1})
    assert duplicates == [], f"{len(duplicates)} messages arrived more than once: {duplicates[:10]}"
    assert sorted(seen, key=lambda t: int(t[1:])) == texts
    herald.assert_alive()
