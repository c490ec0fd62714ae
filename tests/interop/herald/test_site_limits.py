"""Per-site limits of sites.yml and the per-instance connection rate, seen by real clients and backends: the exact
refusal each gets, and another site unaffected while one is at its limit."""
import concurrent.futures
import json
import tempfile
import time
import urllib.parse

import pytest
import requests
import websocket

from conftest import MAX_BODY, RunningHerald, sentinel
from metrics_scrape import scrape, value
from plain_client import PlainClient
from server_state import wait_for_connected_sockets
from site_client import SiteClient

KEYS = {name: f"{name}-api-key-0123456789" for name in ("full", "throttled", "small", "narrow", "free")}
SEND_RATE = 2
SITE_BODY_LIMIT = 200


def sites_yml(hooks):
    def site(name, limits=""):
        return f"{name}:\n  authUrl: {hooks.url}/auth\n  apiKey: {KEYS[name]}\n{limits}"

    return (
        site("full", "  maxConnections: 2\n")
        + site("throttled", f"  maxSendsPerSecond: {SEND_RATE}\n")
        + site("small", f"  maxPayloadBytes: {SITE_BODY_LIMIT}\n")
        + site("narrow", "  maxRoomsPerClient: 1\n")
        + site("free")
    )


@pytest.fixture(scope="module")
def herald(hooks):
    with tempfile.TemporaryDirectory() as workdir:
        running = RunningHerald(hooks, workdir, sites=sites_yml(hooks))
        yield running
        running.assert_alive()
        running.stop()


def send(herald, site, rooms, event="news", args=(), body=None):
    return requests.post(
        f"{herald.url}/send",
        params={"site": site, "apiKey": KEYS[site]},
        json=body if body is not None else {"rooms": rooms, "event": event, "args": list(args)},
        timeout=5,
    )


def log_entries(herald, prefix, site):
    entries = [json.loads(line) for line in herald.output().splitlines() if line.strip()]
    return [e for e in entries if e["message"].startswith(prefix) and e.get("site") == site]


def wait_until(predicate, timeout=5):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def test_client_over_max_connections_is_refused_while_another_site_accepts(herald, clients):
    first = clients("full", "good-1")
    clients("full", "good-2")
    refused = clients("full", "good-3", expect_success=False)
    assert refused.errors == ["Site connection limit reached"]
    free = [clients("free", f"good-free-{n}") for n in range(3)]
    assert all(client.connected.is_set() for client in free)
    disconnects = len(log_entries(herald, "client disconnected", "full"))
    first.close()
    assert wait_until(lambda: len(log_entries(herald, "client disconnected", "full")) > disconnects)
    clients("full", "good-4")  # the freed slot


def test_a_plain_websocket_client_over_max_connections_is_told_the_limit(herald, clients):
    wait_for_connected_sockets(herald, 0, site="full")
    holders = [clients("full", "good-p1"), clients("full", "good-p2")]
    refused = PlainClient(herald.url, "full", "good-p3", device=None)
    assert refused.wait_closed() == 4429
    assert [(m["code"], m["message"]) for m in refused.of_type("error")] == [
        ("LIMIT_REACHED", "Site connection limit reached")
    ]
    for holder in holders:
        holder.close()
    wait_for_connected_sockets(herald, 0, site="full")  # the next test starts with the site empty, as it expects


def test_refused_authentication_does_not_use_up_connections(herald, clients):
    for _ in range(4):
        assert clients("full", "denied", expect_success=False).errors == ["Authentication failed"]
    clients("full", "good-a")
    clients("full", "good-b")
    assert clients("full", "good-c", expect_success=False).errors == ["Site connection limit reached"]


def test_client_gone_during_authentication_frees_its_connection(herald, hooks, clients):
    # Clients that close while their authUrl call runs must not keep their slot once it grants them rooms.
    accepted = value(scrape(herald), "herald_handshakes_total", site="full", outcome="accepted")
    for user in ("gone-1", "gone-2"):
        query = urllib.parse.urlencode({"EIO": 4, "transport": "websocket", "token": f"brief-{user}", "deviceId": "d"})
        ws = websocket.create_connection(f"ws://127.0.0.1:{herald.port}/socket.io/?{query}", timeout=5)
        assert ws.recv().startswith("0{")
        ws.send("40/full,")
        ws.close()
    hooks.wait_for(lambda call: call["authorization"] == "Bearer brief-gone-2")
    # Both were granted their rooms after they left; the slot is given back as the grant finds the socket gone.
    assert wait_until(lambda: value(scrape(herald), "herald_handshakes_total", site="full", outcome="accepted") >= accepted + 2, 10)
    clients("full", "good-after-1")
    clients("full", "good-after-2")


def test_sends_over_the_rate_get_429_with_retry_after_then_succeed(herald, clients):
    receiver = clients("throttled", "good-rate")
    time.sleep(1.1)  # not synchronisation: the bucket refills with time, to SEND_RATE tokens
    # Sends until the first refusal: on a slow machine a token may come back during the first sends.
    answers = []
    while not answers or answers[-1].status_code == 200:
        assert len(answers) < SEND_RATE * 10, "never refused"
        answers.append(send(herald, "throttled", ["news"], args=[len(answers)]))
    accepted = len(answers) - 1
    assert accepted >= SEND_RATE
    assert [a.status_code for a in answers] == [200] * accepted + [429]
    refused = answers[-1]
    retry_after = int(refused.headers["Retry-After"])
    assert retry_after >= 1
    assert refused.text == (
        f"Too many sends: site 'throttled' allows {SEND_RATE} messages per second; nothing was sent. "
        f"Retry after {retry_after} s."
    )
    # Another site is not held back by this one's limit.
    assert all(send(herald, "free", ["news"]).status_code == 200 for _ in range(SEND_RATE * 3))
    time.sleep(retry_after)  # not synchronisation: what Retry-After promises
    assert send(herald, "throttled", ["news"], args=["late"]).status_code == 200
    receiver.wait_for("news", count=accepted + 1)
    # The sentinel needs a token too; a refusal sends nothing, so it is retried after Retry-After.
    for _ in range(10):
        answer = send(herald, "throttled", ["news"], event="sentinel")
        if answer.status_code == 200:
            break
        assert answer.status_code == 429
        time.sleep(int(answer.headers["Retry-After"]))
    receiver.wait_for("sentinel")
    assert receiver.received("news") == [[n] for n in range(accepted)] + [["late"]]


def test_body_over_the_site_payload_limit_is_413_and_other_sites_keep_the_global_limit(herald):
    body = {"rooms": ["news"], "event": "news", "args": ["x" * (SITE_BODY_LIMIT + 50)]}
    refused = send(herald, "small", [], body=body)
    assert (refused.status_code, refused.text) == (413, f"Payload too large: the body limit is {SITE_BODY_LIMIT} bytes.")
    assert send(herald, "free", [], body=body).status_code == 200
    small_body = {"rooms": ["news"], "event": "news", "args": ["ok"]}
    assert send(herald, "small", [], body=small_body).status_code == 200
    too_big_everywhere = {"rooms": ["news"], "event": "news", "args": ["x" * MAX_BODY]}
    assert send(herald, "free", [], body=too_big_everywhere).status_code == 413


def test_rooms_beyond_max_rooms_per_client_are_dropped_and_logged(herald, clients):
    client = clients("narrow", "good-7")  # the authUrl grants ["user_7", "news"]
    assert send(herald, "narrow", ["news"], event="news", args=["dropped room"]).status_code == 200
    assert send(herald, "narrow", ["user_7"], event="alert", args=["kept room"]).status_code == 200
    client.wait_for("alert")
    sentinel(herald, client, "user_7", api_key=KEYS["narrow"])
    assert client.received("alert") == [["kept room"]]
    assert client.received("news") == []
    dropped = log_entries(herald, "rooms dropped", "narrow")
    assert dropped and dropped[-1]["dropped"] == ["news"]
    other = clients("free", "good-8")
    assert send(herald, "free", ["news"], event="news", args=["all rooms"]).status_code == 200
    assert other.wait_for("news") == [["all rooms"]]


CONNECTION_RATE = 2
CONNECTION_BURST = 6


@pytest.fixture
def rate_limited_herald(hooks):
    with tempfile.TemporaryDirectory() as workdir:
        running = RunningHerald(
            hooks,
            workdir,
            sites=sites_yml(hooks),
            io_extra=f"    maxConnectionsPerSecond: {CONNECTION_RATE}\n    connectionBurst: {CONNECTION_BURST}\n",
        )
        yield running
        running.assert_alive()
        running.stop()


def polling_handshake(herald):
    return requests.get(f"{herald.url}/socket.io/", params={"EIO": 4, "transport": "polling"}, timeout=5)


def websocket_handshake_status(herald):
    try:
        websocket.create_connection(f"ws://127.0.0.1:{herald.port}/socket.io/?EIO=4&transport=websocket", timeout=5).close()
        return 101, {}
    except websocket.WebSocketBadStatusException as refused:
        return refused.status_code, refused.resp_headers


def test_handshake_storm_beyond_the_connection_rate_gets_503_with_retry_after(rate_limited_herald):
    herald = rate_limited_herald
    time.sleep(CONNECTION_BURST / CONNECTION_RATE)  # not synchronisation: the bucket refills with time
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(lambda _: polling_handshake(herald), range(20)))
    storm = time.monotonic() - started
    admitted = [a for a in answers if a.status_code == 200]
    refused = [a for a in answers if a.status_code == 503]
    assert len(admitted) + len(refused) == 20
    # The burst, plus what the bucket refilled while the storm lasted (long on a busy machine).
    assert CONNECTION_BURST <= len(admitted) <= CONNECTION_BURST + 1 + int(CONNECTION_RATE * storm)
    retry_after = int(refused[0].headers["Retry-After"])
    assert retry_after >= 1
    assert refused[0].json() == {"message": f"Too many new connections; retry after {retry_after} s"}
    # WebSocket handshakes are refused the same way while the bucket is empty.
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        upgrades = list(pool.map(lambda _: websocket_handshake_status(herald), range(8)))
    refused_upgrades = [headers for status, headers in upgrades if status == 503]
    assert len(refused_upgrades) >= 7
    # So are plain WebSocket upgrades: the rate covers every kind of client.
    with pytest.raises(websocket.WebSocketBadStatusException) as plain_refusal:
        websocket.create_connection(f"ws://127.0.0.1:{herald.port}/ws/free?token=good-plain", timeout=5)
    assert plain_refusal.value.status_code == 503
    assert int(refused_upgrades[0]["retry-after"]) >= 1
    # Requests of sessions already open are not counted: an admitted session still polls.
    sid = json.loads(admitted[0].text[1:])["sid"]
    poll = requests.post(
        f"{herald.url}/socket.io/", params={"EIO": 4, "transport": "polling", "sid": sid}, data="1", timeout=5
    )
    assert poll.status_code == 200
    time.sleep(retry_after)
    client = SiteClient(herald, "free", "good-patient")
    try:
        client.connect()
    finally:
        client.close()
