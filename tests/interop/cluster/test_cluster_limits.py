"""Per-site limits across three instances on one Redis: `maxConnections` and `maxSendsPerSecond` hold for the site as
a whole, not per instance, and a killed instance's connection slots come back once it is reaped."""
import time

import pytest
import requests
import socketio

from conftest import INSTANCE_TIMEOUT_MS, running_cluster
from redis_server import RedisServer
from site_client import SiteClient
from stub_hooks import StubHooks

CAPPED_KEY = "capped-api-key-0123456789"
MAX_CONNECTIONS = 4
SEND_RATE = 30
INSTANCES = 3
# The most tokens an instance takes from the shared bucket at once (docs/configuration.md): rate / (10 × instances),
# counted before an instance has seen the others, so with 1 instance: the largest a lease can be.
LARGEST_LEASE = max(1, SEND_RATE // 10)


@pytest.fixture
def capped_cluster():
    hooks, redis = StubHooks(), RedisServer()
    sites = (
        "capped:\n"
        f"  authUrl: {hooks.url}/auth\n"
        f"  apiKey: {CAPPED_KEY}\n"
        f"  maxConnections: {MAX_CONNECTIONS}\n"
        f"  maxSendsPerSecond: {SEND_RATE}\n"
    )
    try:
        with running_cluster(sites, redis.url, count=INSTANCES) as instances:
            yield instances
    finally:
        redis.stop()
        hooks.stop()


def connect(instance, name, expect_success=True):
    return SiteClient(instance, "capped", f"good-{name}", device=name).connect(expect_success=expect_success)


def try_connect(instance, name, timeout=8):
    """A client that connected, or was refused (its `errors` say why)."""
    client = SiteClient(instance, "capped", f"good-{name}", device=name)
    try:
        client.client.connect(client.url, namespaces=[client.namespace], transports=client.transports)
    except socketio.exceptions.ConnectionError:
        pass
    deadline = time.monotonic() + timeout
    while not (client.connected.is_set() or client.failed.is_set()):
        assert time.monotonic() < deadline, f"{name}: neither connected nor refused"
        client.failed.wait(0.05)
    return client


def connect_eventually(instance, name, deadline_seconds):
    """Connects, trying again while the site is full, until `deadline_seconds` pass (a freed slot reaches Redis
    after the disconnect does)."""
    deadline = time.monotonic() + deadline_seconds
    while True:
        client = try_connect(instance, name)
        if client.connected.is_set():
            return client
        client.close()
        assert client.errors == ["Site connection limit reached"], client.errors
        assert time.monotonic() < deadline, f"{name} still refused after {deadline_seconds}s"
        time.sleep(0.1)


def test_max_connections_holds_across_instances_and_a_disconnect_frees_a_slot_anywhere(capped_cluster):
    first, second, third = capped_cluster
    clients = [connect(first, "a1"), connect(first, "a2"), connect(second, "b1"), connect(third, "c1")]
    try:
        for instance in capped_cluster:
            refused = connect(instance, "over", expect_success=False)
            assert refused.errors == ["Site connection limit reached"], "the 5th connection anywhere is refused"
            refused.close()
        clients[2].close()
        clients.append(connect_eventually(third, "after", deadline_seconds=5))
        refused = connect(first, "over-again", expect_success=False)
        assert refused.errors == ["Site connection limit reached"]
        refused.close()
        # Once everyone left, the whole limit is available on one instance: the others gave their slots back, and
        # the refusals there counted nothing.
        for client in clients:
            client.close()
        clients = [connect_eventually(first, f"only-{n}", deadline_seconds=5) for n in range(MAX_CONNECTIONS)]
        refused = connect(second, "over-last", expect_success=False)
        assert refused.errors == ["Site connection limit reached"]
        refused.close()
    finally:
        for client in clients:
            client.close()


def test_a_killed_instance_gives_its_slots_back_once_it_is_reaped(capped_cluster):
    first, second, third = capped_cluster
    clients = [connect(first, "a1"), connect(second, "b1"), connect(third, "c1"), connect(third, "c2")]
    try:
        refused = connect(first, "over", expect_success=False)
        assert refused.errors == ["Site connection limit reached"]
        refused.close()
        third.kill()
        # Its two slots count until the instance is reaped (after instanceTimeout), then both are free.
        clients.append(connect_eventually(first, "after-1", deadline_seconds=INSTANCE_TIMEOUT_MS / 1000 + 8))
        clients.append(connect_eventually(second, "after-2", deadline_seconds=5))
        refused = connect(second, "over-again", expect_success=False)
        assert refused.errors == ["Site connection limit reached"]
        refused.close()
    finally:
        for client in clients:
            client.close()


def test_max_sends_per_second_holds_across_instances_within_the_documented_accuracy(capped_cluster):
    batch = 5
    messages = [{"rooms": ["news"], "event": "news", "args": [n]} for n in range(batch)]
    session = requests.Session()
    accepted = 0
    answers = []
    started = time.monotonic()
    for n in range(60):
        instance = capped_cluster[n % INSTANCES]
        response = session.post(
            f"{instance.url}/send", params={"site": "capped", "apiKey": CAPPED_KEY}, json=messages, timeout=5
        )
        answers.append(response)
        if response.status_code == 200:
            accepted += batch
    elapsed = time.monotonic() - started
    assert {a.status_code for a in answers} == {200, 429}, [a.status_code for a in answers]
    refused = next(a for a in answers if a.status_code == 429)
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.text.startswith(f"Too many sends: site 'capped' allows {SEND_RATE} messages per second")
    # One bucket for the site: its burst (one second's worth) plus what it refilled meanwhile, plus at most one unspent
    # lease per instance spent late. Per-instance buckets would have let 3 bursts through.
    allowed = SEND_RATE + SEND_RATE * elapsed + INSTANCES * (LARGEST_LEASE - 1)
    assert accepted <= allowed + batch, f"{accepted} messages accepted in {elapsed:.2f}s; at most {allowed:.0f}"
    assert accepted >= SEND_RATE - INSTANCES * LARGEST_LEASE, "the site's burst is available across the instances"
